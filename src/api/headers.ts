import type { Context } from 'hono'
import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * A request header, read from Node's own parsed headers when the request came through Node: the
 * first `c.req.header()` call makes @hono/node-server build a whole fetch Headers object, which a
 * GET on the hot path never needs. Repeated headers are joined with ", " as fetch would.
 */
export function header(c: Context, name: string): string | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming
  if (!incoming) return c.req.header(name)
  const value = incoming.headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}

/** The token of an `Authorization: Bearer <token>` value (scheme case-insensitive), or undefined. */
export function bearerIn(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined
  // a client sends the same header on every request: the last one read is remembered
  if (authorization !== lastAuthorization) [lastAuthorization, lastBearer] = [authorization, /^bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] || undefined]
  return lastBearer
}
let lastAuthorization = ''
let lastBearer: string | undefined

/** A `Retry-After` in whole seconds, as the API sends it (an HTTP date or anything else: undefined). */
export function retryAfterSeconds(value: string | null | undefined): number | undefined {
  return value && /^\d+$/.test(value) ? Number(value) : undefined
}

/** The bearer token of the request, or undefined. */
export const bearerToken = (c: Context): string | undefined => bearerIn(header(c, 'authorization'))

/**
 * Sets a header of whatever this request answers, on Node's own response when the request came
 * through Node: Node merges it into the status line's headers however the answer is written (a
 * handler's, an error's, a fault's), and Hono's `c.header()` would build a fetch Headers object
 * for every response instead of the plain object @hono/node-server writes as it is.
 */
export function answerHeader(c: Context, name: string, value: string): void {
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing
  if (outgoing && !outgoing.headersSent) outgoing.setHeader(name, value)
  else c.header(name, value)
}
