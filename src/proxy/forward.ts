import { Agent as HttpAgent, type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import { Readable, type Duplex } from 'node:stream'
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib'
import type { Context } from 'hono'
import { createRequire } from 'node:module'
import type { Plugin } from 'http-proxy-middleware'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import type { AppEnv, Deps } from '../api/context.js'
import { ApiError, errorHeaders } from '../api/errors.js'
import { header, retryAfterSeconds } from '../api/headers.js'
import { isoSeconds } from '../clock.js'
import { driftBodyCap, type DriftDetector, type DriftPlan } from './drift.js'
import { rewriteSetCookie, scrubHeaders } from './hygiene.js'
import type { Recorder } from './record.js'

export interface ForwardOptions {
  /** Where `/api/v1/...` goes: an http(s) origin, optionally with a base path. */
  upstream: string
  /** No response headers within this many ms of the server's clock: 504. */
  timeoutMs: number
  drift: DriftDetector | null
  recorder: Recorder | null
}

/** Most bytes of an upstream body a recording keeps (a larger one is recorded without its body). */
const recordBodyCap = 10 * 1024 * 1024
/** Response headers that belong to one connection, not to the answer. */
const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade', 'trailer', 'te'])
const nullBodyStatuses = new Set([101, 204, 205, 304])
/** The drift of an answer that fits (shared, never written to). */
const noDrift: string[] = Object.freeze([]) as unknown as string[]

/** One forwarded request, hung on Node's request for the proxy's event handlers. */
export interface Exchange {
  deps: Deps
  method: string
  /** Path and query as they travel (`/api/v1/machines`, `?page=2`). */
  path: string
  query: string
  /** Body already read by the pipeline (or to be recorded): sent from here instead of the stream. */
  body: Buffer | null
  /** The upstream timeout, cancelled once the answer starts. */
  timeout?: { cancel(): void }
  timedOut: boolean
  /** The request to the upstream, once http-proxy has a socket for it. */
  proxyReq?: ClientRequest
  /** An error answer was given (timeout before a socket, upstream error): late events are ignored. */
  settled?: boolean
  /** Buffered mode: the upstream answer as a Response for the faults wrapped around us. */
  answer?: (res: Response) => void
  /** Buffered mode: the 502/504 instead of an answer. */
  fail?: (err: ApiError) => void
  /** The client's response. */
  out: ServerResponse
  /** Streamed: the status the answer went out with. */
  status?: number
  /** How drift detection checks the answer (planned at its status). */
  plan?: DriftPlan | null
  /** Kinds of drift found in the answer (when checked). */
  drift?: string[]
  /** The upstream answer's Retry-After, seconds. */
  retryAfter?: number
}
/**
 * A new exchange with every field present from the start, so that all exchanges share one shape
 * whichever fields a request ends up setting.
 */
function exchange(deps: Deps, method: string, path: string, query: string, body: Buffer | null, out: ServerResponse): Exchange {
  return {
    deps, method, path, query, body, timeout: undefined, timedOut: false, proxyReq: undefined, settled: false,
    answer: undefined, fail: undefined, out, status: undefined, plan: undefined, drift: undefined, retryAfter: undefined,
  }
}

const exchangeKey = Symbol('haltless-mock.exchange')
type Tagged = IncomingMessage & { [exchangeKey]?: Exchange }

/**
 * The proxy backend: forwards `/api/v1` requests to the upstream with http-proxy-middleware over a
 * keep-alive agent. A request nothing acts on streams straight through (status, headers and body
 * untouched, body never buffered); one that a fault wraps, or that a browser sends (CORS), is
 * answered as a buffered Response so the faults and CORS act on the upstream's real answer. Either
 * way the answer is checked for drift and recorded when asked, and an unreachable or silent
 * upstream is the API's 502/504.
 */
export function createForwarder(options: ForwardOptions) {
  // Loaded here, not at import: mock mode never pays for it at start-up.
  const { createProxyMiddleware } = createRequire(import.meta.url)('http-proxy-middleware') as typeof import('http-proxy-middleware')
  const upstream = new URL(options.upstream)
  const agent = upstream.protocol === 'https:' ? new HttpsAgent({ keepAlive: true, maxSockets: 256 }) : new HttpAgent({ keepAlive: true, maxSockets: 256 })
  /** How much of an answer is kept for a recording or a drift check. */
  const keptBytes = options.recorder ? recordBodyCap : driftBodyCap
  const events: Plugin = (proxy) => {
    // A body the pipeline already read goes through http-proxy's own `buffer` option (piped in
    // place of the drained socket), whenever the agent finds a socket for the request.
    const web = proxy.web.bind(proxy)
    proxy.web = ((req: Tagged, res: ServerResponse, opts: object, ...rest: unknown[]) => {
      const body = req[exchangeKey]?.body
      return (web as (...a: unknown[]) => void)(req, res, body ? { ...opts, buffer: Readable.from([body]) } : opts, ...rest)
    }) as typeof proxy.web
    proxy.on('proxyReq', (proxyReq: ClientRequest, req: Tagged) => {
      const x = req[exchangeKey]!
      if (x.settled) return void proxyReq.destroy()
      x.proxyReq = proxyReq
    })
    proxy.on('proxyRes', (proxyRes: IncomingMessage, req: Tagged) => {
      const x = req[exchangeKey]!
      x.timeout?.cancel()
      x.retryAfter = retryAfterSeconds(proxyRes.headers['retry-after'])
      rewriteSetCookie(proxyRes, false)
      const chunks: Buffer[] = []
      let size = 0
      if (options.drift) {
        x.plan = options.drift.plan(x.method, x.path, proxyRes.statusCode ?? 0)
        // an answer whose body is not sampled is checked now, from its status and headers: nothing waits for its end
        if (x.plan && !x.plan.body) checkDrift(x, proxyRes, null)
      }
      const bodyWanted = x.answer !== undefined || options.recorder !== null || x.plan?.body === true
      // bytes are kept only for someone who reads them: a buffered answer, a recording, a sampled drift check
      if (bodyWanted) {
        proxyRes.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (x.answer || size <= keptBytes) chunks.push(chunk)
        })
      }
      proxyRes.once('end', () => {
        const body = x.answer || size <= keptBytes ? (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)) : null
        if (options.recorder || x.plan?.body) observe(x, req, proxyRes, body)
        if (x.answer) x.answer(toResponse(proxyRes, body!))
      })
      // the upstream died mid-answer: a buffered answer is the 502; a streamed one can only be cut
      proxyRes.once('error', () => (x.answer ? settle(x, 'upstream_unavailable') : x.out.destroy()))
    })
    const failed = (_err: Error, req: Tagged, res: ServerResponse | Duplex) => {
      const x = req[exchangeKey]
      // a WebSocket upgrade has no exchange: its socket just closes
      if (!x) return void res.destroy()
      settle(x, x.timedOut ? 'upstream_timeout' : 'upstream_unavailable')
    }
    proxy.on('error', failed)
    proxy.on('econnreset', failed)
  }

  /** Answers an exchange with the API's 502/504 once (or cuts a stream already under way). */
  function settle(x: Exchange, key: 'upstream_unavailable' | 'upstream_timeout'): void {
    if (x.settled) return
    x.settled = true
    x.timeout?.cancel()
    x.proxyReq?.destroy()
    const err = new ApiError(key)
    if (x.fail) return x.fail(err)
    x.status = err.status
    if (x.out.headersSent) return void x.out.destroy()
    x.out.writeHead(err.status, { 'content-type': 'application/json', ...errorHeaders(err) })
    x.out.end(JSON.stringify(err.body))
  }

  /**
   * Before http-proxy sees the request: scrubbed headers (they are what it copies), the length of a
   * body sent from memory, the timeout on the server's clock, and a client that goes away taking
   * the upstream request with it.
   */
  function begin(x: Exchange, req: Tagged, res: ServerResponse): void {
    scrubHeaders(req.headers)
    // Node answered any `Expect: 100-continue` already; http-proxy would skip its events for it
    delete req.headers.expect
    if (x.body) {
      delete req.headers['transfer-encoding']
      req.headers['content-length'] = String(x.body.length)
    }
    req[exchangeKey] = x
    x.timeout = x.deps.clock.timer(options.timeoutMs, () => {
      x.timedOut = true
      if (x.proxyReq) x.proxyReq.destroy()
      else settle(x, 'upstream_timeout')
    })
    res.once('close', () => {
      x.timeout?.cancel()
      if (!res.writableFinished) x.proxyReq?.destroy()
    })
  }
  const base = { target: options.upstream, changeOrigin: true, agent, xfwd: false, ws: false, ejectPlugins: true, plugins: [events] }
  /** Client sockets of WebSockets carried to the upstream (the HTTP server does not track them). */
  const upgraded = new Set<Duplex>()
  const streaming = createProxyMiddleware<IncomingMessage, ServerResponse>(base)
  const buffered = createProxyMiddleware<IncomingMessage, ServerResponse>({ ...base, selfHandleResponse: true })

  /** The sampled drift check and the recording of an answer, once its body is in (never alter it, never throw). */
  function observe(x: Exchange, req: IncomingMessage, proxyRes: IncomingMessage, raw: Buffer | null): void {
    let body: Buffer | null = null
    try {
      body = raw === null ? null : decoded(raw, proxyRes.headers['content-encoding'])
    } catch (err) {
      x.deps.logger.error({ err, method: x.method, path: x.path }, 'answer body could not be decoded')
    }
    if (x.plan?.body) checkDrift(x, proxyRes, body)
    if (!options.recorder) return
    try {
      options.recorder.write({
        time: isoSeconds(x.deps.clock.now()), method: x.method, path: x.path, query: x.query, requestHeaders: req.headers,
        requestBody: x.body, status: proxyRes.statusCode ?? 0, responseHeaders: proxyRes.headers, responseBody: body,
      })
    } catch (err) {
      x.deps.logger.error({ err, method: x.method, path: x.path }, 'recording failed')
    }
  }

  /** Checks an answer for drift against its plan; the findings go to the journal entry and the log. */
  function checkDrift(x: Exchange, proxyRes: IncomingMessage, body: Buffer | null): void {
    try {
      const findings = options.drift!.check(x.plan!, proxyRes.headers['content-type'], body, isoSeconds(x.deps.clock.now()))
      // one shared empty list for the usual answer: the journal keeps it for its whole ring, and a
      // fresh array a request would be promoted to the old generation with it
      x.drift = findings.length === 0 ? noDrift : findings.map((f) => f.kind)
      for (const f of findings) x.deps.logger.warn({ drift: f }, 'upstream drift')
    } catch (err) {
      x.deps.logger.error({ err, method: x.method, path: x.path }, 'drift check failed')
    }
  }

  /** Streams one exchange through; resolves once the answer has gone out (or the socket closed). */
  function stream(incoming: IncomingMessage, outgoing: ServerResponse, x: Exchange): Promise<Exchange> {
    return new Promise((resolve) => {
      begin(x, incoming, outgoing)
      outgoing.once('finish', () => void (x.status ??= outgoing.statusCode))
      outgoing.once('close', () => resolve(x))
      void streaming(incoming, outgoing, () => void outgoing.destroy())
    })
  }

  return {
    /**
     * The backend in the Hono pipeline: resolves with the answer (buffered, when a fault wraps the
     * request or a browser sent it) or, streamed, once it has gone out.
     */
    async forward(c: Context<AppEnv>): Promise<Response> {
      const deps = c.get('deps')
      const { incoming, outgoing } = c.env
      // Only the parsed path and query travel: an absolute-form target (`GET http://other/x`),
      // a `Host` header or `..` segments cannot point the request anywhere but the upstream.
      const url = new URL(c.req.url)
      incoming.url = `${url.pathname}${url.search}`
      const buffer = c.get('fault') !== undefined || header(c, 'origin') !== undefined
      const body = await requestBody(c, options.recorder !== null)
      const note = (x: Exchange) => {
        if (x.drift) c.set('drift', x.drift)
        if (x.retryAfter !== undefined) c.set('retryAfter', x.retryAfter)
        if (x.status !== undefined) c.set('upstreamStatus', x.status)
        else if (!outgoing.writableFinished) c.set('noResponse', true)
      }
      return new Promise<Response>((resolve, reject) => {
        const x = exchange(deps, c.req.method, url.pathname, url.search, body, outgoing)
        if (buffer) {
          begin(x, incoming, outgoing)
          x.fail = reject
          x.answer = (res) => (note(x), resolve(res))
          void buffered(incoming, outgoing, (err?: unknown) => reject(err))
          return
        }
        void stream(incoming, outgoing, x).then((done) => (note(done), resolve(RESPONSE_ALREADY_SENT)))
      })
    },
    /**
     * Before Hono, for a request nothing acts on (see server.ts): `req.url` is already an
     * origin-form `/api/v1/...` path without dot segments, and the body streams from the socket.
     */
    direct(req: IncomingMessage, res: ServerResponse, deps: Deps, path: string, query: string): Promise<Exchange> {
      const x = exchange(deps, req.method!, path, query, null, res)
      return stream(req, res, x)
    },
    /**
     * A WebSocket upgrade (the dashboard socket) goes to the upstream too, by its parsed path
     * only; anything outside /api/v1 is a 404 here.
     */
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      const path = new URL(req.url ?? '/', 'http://upgrade.invalid')
      if (!path.pathname.startsWith('/api/v1/')) {
        const body = '{"detail":"Not Found"}'
        return void socket.end(`HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`)
      }
      req.url = `${path.pathname}${path.search}`
      scrubHeaders(req.headers)
      upgraded.add(socket)
      socket.once('close', () => upgraded.delete(socket))
      void streaming.upgrade(req, socket as never, head)
    },
    /** Drops every WebSocket carried to the upstream (the HTTP server does not track them). */
    dropUpgrades(): void {
      for (const socket of upgraded) socket.destroy()
    },
    /** Drops the keep-alive connections to the upstream. */
    close(): void {
      agent.destroy()
    },
  }
}

/**
 * The request body when it cannot be streamed from the socket: already read by the pipeline (a
 * scenario matched on it), sent chunked (the size limit reads it), or to be recorded. Else null:
 * the proxy pipes the socket.
 */
async function requestBody(c: Context<AppEnv>, record: boolean): Promise<Buffer | null> {
  const hasBody = header(c, 'content-length') !== undefined || header(c, 'transfer-encoding') !== undefined
  if (!hasBody) return null
  const cache = (c.req as unknown as { bodyCache: Record<string, unknown> }).bodyCache
  const touched = Object.keys(cache).length > 0
  if (!touched && !record && header(c, 'transfer-encoding') === undefined) return null
  return Buffer.from(await c.req.arrayBuffer())
}

/** The upstream's answer as a Response (hop-by-hop headers dropped, cookies kept one per line). */
function toResponse(proxyRes: IncomingMessage, body: Buffer): Response {
  const headers = new Headers()
  for (const [name, value] of Object.entries(proxyRes.headers)) {
    if (value === undefined || hopByHop.has(name) || name === 'content-length') continue
    if (Array.isArray(value)) for (const v of value) headers.append(name, v)
    else headers.set(name, value)
  }
  const status = proxyRes.statusCode ?? 502
  return new Response(nullBodyStatuses.has(status) ? null : new Uint8Array(body), { status, headers })
}

/** An answer body as its bytes before Content-Encoding (drift and recordings read JSON, not gzip). */
function decoded(body: Buffer, encoding: string | undefined): Buffer | null {
  switch ((encoding ?? 'identity').trim().toLowerCase()) {
    case 'identity':
    case '':
      return body
    case 'gzip':
    case 'x-gzip':
      return gunzipSync(body)
    case 'deflate':
      return inflateSync(body)
    case 'br':
      return brotliDecompressSync(body)
    default:
      return null // an encoding we do not decode: status checks only
  }
}
