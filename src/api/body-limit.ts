import type { Context, MiddlewareHandler, Next } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { AppEnv } from './context.js'
import { ApiError } from './errors.js'
import { header } from './headers.js'

const limiters = new Map<number, MiddlewareHandler>()

/**
 * The body limit (maxBodyBytes → 413 with `Connection: close`), before anything reads the body: a
 * Content-Length over it is refused on the header alone, a chunked body is read up to it and
 * refused on the chunk that passes it; the rest is never read. A request without Content-Length
 * or Transfer-Encoding has no body and skips it (it would build a whole fetch Request). Runs once
 * per request: the pipeline calls it, and so does whatever reads the body earlier (bodyText).
 */
export function checkBodySize(c: Context<AppEnv>, next: Next): Promise<Response | void> {
  if (c.get('bodyChecked') || (!header(c, 'content-length') && !header(c, 'transfer-encoding'))) return next()
  c.set('bodyChecked', true)
  const maxSize = c.get('deps').config.maxBodyBytes
  let limit = limiters.get(maxSize)
  if (!limit) limiters.set(maxSize, (limit = bodyLimit({ maxSize, onError: () => { throw new ApiError('body_too_large', { Connection: 'close' }) } })))
  return limit(c, next)
}

/** The request body as text, read only within the body limit (the 413 is thrown otherwise). */
export async function bodyText(c: Context<AppEnv>): Promise<string> {
  let text = ''
  await checkBodySize(c, async () => void (text = await c.req.text()))
  return text
}
