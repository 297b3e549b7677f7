import { getRequestListener, RequestError } from '@hono/node-server'
import { bearerIn, bearerToken, header } from './api/headers.js'
import type { AddressInfo } from 'node:net'
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerOptions, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { Hono, type Context, type Next } from 'hono'
import { cors } from 'hono/cors'
import { pino, type DestinationStream } from 'pino'
import { createRequire } from 'node:module'
import { systemClock, type Clock } from './clock.js'
import { resolveConfig, type Config } from './config.js'
import { Rng } from './rng.js'
import { api, resources } from './api/index.js'
import { EventBus } from './api/events.js'
import { attachDashboardSocket, dashboardSocketPath } from './api/dashboard-socket.js'
import { createForwarder } from './proxy/forward.js'
import { DriftDetector } from './proxy/drift.js'
import { Recorder } from './proxy/record.js'
import { driftControl } from './control/drift.js'
import { adminGuard } from './control/admin.js'
import { dashboardControl } from './control/dashboard.js'
import { docsControl } from './control/docs.js'
import { verifyControl } from './control/verify.js'
import { mockRouteMatcher } from './proxy/mock-routes.js'
import type { AppEnv, Deps } from './api/context.js'
import { ApiError, errorHeaders, errorOnSocket, errorResponse, errors } from './api/errors.js'
import { checkBodySize } from './api/body-limit.js'
import { unmatched } from './api/unmatched.js'
import { RateLimiter } from './api/rate-limits.js'
import { TokenService } from './api/tokens.js'
import { controlPlane } from './control/index.js'
import { scenarioControl } from './control/scenarios.js'
import { Engine, sessionHeader } from './faults/engine.js'
import { credentialSecret, Journal, journalControl } from './control/journal.js'
import { signoffControl } from './control/signoffs.js'
import { compileInline, loadLibrary, resolveScenario } from './faults/loader.js'
import { Store } from './store/store.js'
import { seedDemo } from './store/demo.js'
import { loadStateFile, StateFile } from './store/state-file.js'
import { snapshotOf } from './store/snapshot.js'

/** Options of createMockServer: any config setting, plus the clock (tests pass a ManualClock). */
export type MockServerOptions = Partial<Omit<Config, 'rateLimitTable'>> & {
  clock?: Clock
  /** A ready rate-limit table (or null for off); overrides `rateLimits`. */
  rateLimitTable?: Config['rateLimitTable']
  /** Scenario objects active everywhere, like `scenarios` (added to the library by name). */
  inlineScenarios?: unknown[]
}

/** A composed server: the Hono app, its state, and a Node HTTP listener. */
export interface MockServer {
  app: Hono<AppEnv>
  deps: Deps
  /** Listens on `port`/`host` (defaults from config; 0 = ephemeral); resolves the base URL. */
  listen(port?: number, host?: string): Promise<string>
  /**
   * Stops listening. Open connections are dropped at once, or with `drainMs` first given that long
   * to finish the requests in flight (idle keep-alive connections close at once). Then a
   * `stateFile` is saved.
   */
  close(opts?: { drainMs?: number }): Promise<void>
  /** Restores the demo data (none with `demo: false`), also when the server started from a `stateFile`; that file then holds it. */
  reset(): void
  /** Connections open right now (0 before listen()): tests check that a client leaving leaves none behind. */
  openConnections(): Promise<number>
}

/** Builds the emulator: the request pipeline, top to bottom, in one place. */
export function createMockServer(options: MockServerOptions = {}): MockServer {
  const { clock = systemClock, rateLimitTable, inlineScenarios = [], ...settings } = options
  // A ready table wins over `rateLimits`, and its file is then not read again.
  const config: Config =
    rateLimitTable === undefined
      ? resolveConfig({ flags: settings })
      : { ...resolveConfig({ flags: { ...settings, rateLimits: 'off' } }), rateLimits: settings.rateLimits ?? 'on', rateLimitTable }
  // --state-file: the state saved by an earlier run (its seed stays in effect unless --seed says otherwise)
  const saved = config.stateFile ? loadStateFile(config.stateFile, clock) : null
  const seed = config.seed ?? saved?.seed ?? Math.floor(Math.random() * 2 ** 32)
  const rng = new Rng(seed)
  const logger = pino({ level: config.logLevel, base: undefined }, logDestination(config.logFormat))
  const deps: Deps = {
    config: { ...config, seed },
    clock,
    rng,
    store: new Store(clock, rng),
    tokens: new TokenService(config, clock, rng),
    limiter: new RateLimiter(clock, config.rateLimitTable),
    logger,
    engine: undefined as unknown as Engine,
    journal: new Journal(config.journalSize),
    events: new EventBus(),
    drift: config.mode !== 'mock' && config.drift ? new DriftDetector(resources, config.driftSample) : null,
  }
  // the scenario engine: the built-in library, plus --scenario names or files active everywhere
  const library = loadLibrary()
  const globalScenarios = config.scenarios.map((ref) => resolveScenario(ref, library))
  for (const data of inlineScenarios) {
    const scenario = compileInline(data)
    library.set(scenario.name, scenario)
    globalScenarios.push(scenario)
  }
  const engine = (deps.engine = new Engine(() => deps, library, globalScenarios, { seed, faultHeaders: config.faultHeaders, allowHeaderFaults: config.allowHeaderFaults }))
  const stateFile = config.stateFile ? new StateFile(config.stateFile, clock, logger, () => snapshotOf(deps.store, deps.rng, seed, clock.now())) : null
  const startedAt = clock.now()
  const reset = () => {
    deps.rng = new Rng(seed)
    deps.store = new Store(clock, deps.rng)
    deps.tokens = new TokenService(config, clock, deps.rng)
    deps.limiter.reset()
    deps.engine.clear()
    deps.journal.clear()
    if (config.demo) {
      seedDemo(deps.store)
      for (const r of resources) r.seed?.(deps.store)
    }
    stateFile?.changed()
  }
  if (saved) [deps.store, deps.rng, deps.tokens] = [saved.store, saved.rng, new TokenService(config, clock, saved.rng)]
  else reset()

  const app = new Hono<AppEnv>({ strict: true })
  const corsForBrowsers = cors({ origin: (o) => o, credentials: true, exposeHeaders: ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'Retry-After'] })
  // 1-4, in one middleware (each middleware level costs on every request):
  app.use('*', (c, next) => {
    // 1. context: every handler reaches the server's state through c.get('deps')
    c.set('deps', deps)
    // (the session is read first: the proxy strips X-Mock-* headers before forwarding)
    const journaled = c.req.path.startsWith('/api/') && deps.journal.perSession > 0
    const session = journaled ? header(c, sessionHeader) || 'default' : ''
    // 2. browsers: a dev app on another localhost port may call the emulator (refresh cookie included)
    const served = header(c, 'origin') ? corsForBrowsers(c, async () => void (await faulted(c, next))) : faulted(c, next)
    // 3. journal: one entry per API request, once it is answered
    if (!journaled) return served
    const startMs = clock.now()
    return served.then((answer) => {
      journalize(c, session, startMs, answer instanceof Response ? answer : c.res)
      return answer
    })
  })
  // Reads context variables only: touching res.headers would make @hono/node-server build a
  // full Headers object for every response.
  const journalize = (c: Context<AppEnv>, session: string, startMs: number, res: Response) => {
    const fault = c.get('fault')
    record(session, c.req.method, c.req.path, startMs, {
      status: c.get('noResponse') ? null : (c.get('upstreamStatus') ?? res.status),
      rule: fault?.rule ?? null, fault: fault?.kind ?? null,
      rate_limit_remaining: c.get('rateLimitRemaining') ?? null, drift: c.get('drift') ?? null,
      retry_after: c.get('retryAfter') ?? null, secret: credentialSecret(bearerToken(c), header(c, 'x-api-key')), error: c.get('errorDetail') ?? null,
    })
  }
  /** One journal entry: what every request has (time, session, route, duration, seed) plus `answer`. */
  const record = (session: string, method: string, path: string, startMs: number, answer: Pick<Parameters<Journal['add']>[0], 'status' | 'rule' | 'fault' | 'rate_limit_remaining' | 'drift' | 'retry_after' | 'secret' | 'error'>) =>
    deps.journal.add({ timeMs: startMs, session, method, path, duration_ms: clock.now() - startMs, seed: engine.seedOf(session), ...answer })
  // 4. scenario engine: the first rule that fires wraps its fault around the backend; the control
  //    plane is never faulted, and with nothing active the step costs one boolean
  const faulted = (c: Context<AppEnv>, next: Next) =>
    engine.idle || c.req.path.startsWith('/__mock') ? checkBodySize(c, next) : engine.handle(c, () => checkBodySize(c, next))
  // 5. body size (413) before anything reads the body (checkBodySize); the rest of an oversized
  //    body is never read, so that connection closes. A fault that reads the body first (a rule on
  //    body fields, partial_batch) goes through the same check (bodyText).
  // (at --log-level debug or finer, one line per request: method, path, status, time; no headers or bodies)
  if (logger.isLevelEnabled('debug')) {
    app.use('*', async (c, next) => {
      const startMs = performance.now()
      await next()
      logger.debug({ method: c.req.method, path: c.req.path, status: c.res.status, duration_ms: Math.round((performance.now() - startMs) * 10) / 10 }, 'request')
    })
  }
  // (--state-file: any request but a read may have changed the state; a reset saves itself)
  if (stateFile) {
    app.use('*', async (c, next) => {
      await next()
      if (!/^(GET|HEAD|OPTIONS)$/.test(c.req.method)) stateFile.changed()
    })
  }
  // 6. control plane: answered here, never limited or faulted
  const guard = adminGuard(config.adminToken)
  app.use('/__mock', guard)
  app.use('/__mock/*', guard)
  app.route('/', dashboardControl)
  app.route('/__mock', controlPlane({ reset, startedAt }))
  app.route('/__mock', scenarioControl)
  app.route('/__mock', journalControl)
  app.route('/__mock', driftControl)
  app.route('/__mock', docsControl)
  app.route('/__mock', verifyControl)
  app.route('/__mock', signoffControl)
  // 7. the backend. Proxy: every /api/v1 request goes to the upstream. Hybrid: --mock-route routes
  //    (or a firing rule with `serve: mock`) reach the emulator, the rest the upstream. Mock (and
  //    the emulator's share of hybrid): each route runs access (401 → 429 → 402 → 403) → validate
  //    (422) → handler.
  const forwarder = config.mode === 'mock' ? null : createForwarder({
    upstream: config.upstream, timeoutMs: config.upstreamTimeoutMs, drift: deps.drift,
    recorder: config.record ? new Recorder(config.record) : null,
  })
  const emulated = mockRouteMatcher(config.mode === 'hybrid' ? config.mockRoutes : [])
  if (forwarder) {
    app.all('/api/v1/*', (c, next) => ((c.get('serve') ?? (emulated(c.req.method, c.req.path) ? 'mock' : 'upstream')) === 'mock' ? next() : forwarder.forward(c)))
  }
  app.route('/api/v1', api)
  // 8. no route: 405 / 307 / 404 as FastAPI answers
  app.notFound(unmatched(app, '/'))
  // 9. every error, ours or not, in the API's format
  app.onError((thrown, c) => {
    // the client went away before its body was complete: Node's parser has answered 400 (or the
    // connection is gone), the server did not fail, and the journal says what the client got:
    // that 400, or nothing when the connection went without a word written to it
    const err = isClientAbort(thrown) ? new ApiError('bad_request') : thrown
    if (err !== thrown && answeredNothing(c.env?.incoming?.socket)) c.set('noResponse', true)
    if (err instanceof ApiError) {
      if (typeof err.body.detail === 'string' && !c.get('noResponse')) c.set('errorDetail', err.body.detail)
      // c.json keeps headers set earlier in the request (X-RateLimit-*)
      for (const [k, v] of Object.entries(errorHeaders(err))) c.header(k, v)
      return c.json(err.body, err.status as 400)
    }
    logger.error({ err, method: c.req.method, path: c.req.path }, 'unhandled error')
    return c.json({ detail: errors.internal_error.detail }, 500)
  })

  /**
   * Proxy and hybrid modes: forwards a request straight from Node's listener when nothing in the
   * pipeline would act on it (the scenario engine is quiet for its session, no browser Origin, a
   * plain origin-form /api/v1 path, a body within the limit that streams, not an emulated route),
   * and journals it. Anything else (false) goes through Hono, as in mock mode.
   */
  const direct = (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url ?? ''
    const h = req.headers
    // dot segments, backslashes and any percent-encoding take the pipeline, which normalises them
    if (!forwarder || !url.startsWith('/api/v1/') || /\/\.|%|\\/.test(url) || h.origin !== undefined || h['transfer-encoding'] !== undefined) return false
    if (h['content-length'] !== undefined && !(Number(h['content-length']) <= config.maxBodyBytes)) return false
    const session = (typeof h[sessionHeader] === 'string' && h[sessionHeader]) || 'default'
    const method = req.method ?? 'GET'
    const q = url.indexOf('?')
    const path = q === -1 ? url : url.slice(0, q)
    if (emulated(method, path) || !engine.quietFor(session, method, path)) return false
    const startMs = clock.now()
    const secret = credentialSecret(bearerIn(h.authorization), typeof h['x-api-key'] === 'string' ? h['x-api-key'] : undefined)
    void forwarder.direct(req, res, deps, path, q === -1 ? '' : url.slice(q)).then((x) => {
      if (deps.journal.perSession === 0) return
      record(session, method, path, startMs, {
        status: x.status ?? null, rule: null, fault: null, rate_limit_remaining: null, drift: x.drift ?? null,
        retry_after: x.retryAfter ?? null, secret, error: null,
      })
    })
    return true
  }

  let server: Server | undefined
  let dropSockets = () => {}
  return {
    app,
    deps,
    reset,
    listen(port = config.port, host = config.host) {
      // proxy fast lane: a request nothing acts on streams to the upstream before Hono (see direct())
      const fastLane = forwarder && !config.record
        ? (hono: RequestListener): RequestListener => (req, res) => void (direct(req, res) || hono(req, res))
        : (hono: RequestListener) => hono
      // what node-server refuses to make a Request of (a backslash in the path, a bad or missing
      // Host, an `*` target) is a 400 in the API's format, not an empty one
      const hono = getRequestListener(app.fetch, {
        errorHandler: (err) => (err instanceof RequestError ? errorResponse('bad_request') : (logger.error({ err }, 'unhandled error'), errorResponse('internal_error'))),
      }) as RequestListener
      // (a missing Host is node-server's 400 above, not Node's empty one)
      const listener = fastLane(hono)
      server = createServer({ requireHostHeader: false } as ServerOptions, listener)
      server.on('clientError', answerClientError)
      // an Expect other than 100-continue is ignored, as uvicorn does (Node would answer an empty 417)
      server.on('checkExpectation', listener)
      // CONNECT takes no route of the API (Node would drop the connection without a word)
      server.on('connect', (_req: IncomingMessage, socket: Duplex) => errorOnSocket(socket, 'bad_request'))
      // the dashboard WebSocket: the emulator's, or the upstream's in proxy mode (and in hybrid
      // mode unless a --mock-route takes it)
      if (forwarder && !emulated('GET', dashboardSocketPath)) {
        server.on('upgrade', forwarder.upgrade)
        dropSockets = forwarder.dropUpgrades
      } else dropSockets = attachDashboardSocket(server, () => deps, listener)
      return new Promise((resolve, reject) => {
        server!.once('error', reject)
        server!.listen(port, host, () => {
          const { address, port: bound } = server!.address() as AddressInfo
          resolve(`http://${address.includes(':') ? `[${address}]` : address}:${bound}`)
        })
      })
    },
    openConnections() {
      return new Promise((resolve, reject) => (server ? server.getConnections((err, n) => (err ? reject(err) : resolve(n))) : resolve(0)))
    },
    close({ drainMs = 0 } = {}) {
      return new Promise((resolve) => {
        if (!server) {
          stateFile?.close()
          return resolve()
        }
        const s = server
        const timer = drainMs > 0 ? setTimeout(() => s.closeAllConnections(), drainMs) : undefined
        s.close(() => {
          clearTimeout(timer)
          forwarder?.close()
          // the final save, once the last request in flight has been answered
          stateFile?.close()
          resolve()
        })
        // WebSockets are not requests in flight: they go at once
        dropSockets()
        if (drainMs > 0) s.closeIdleConnections()
        else s.closeAllConnections()
      })
    },
  }
}

/**
 * Where log lines go (stderr): JSON lines, or pino-pretty's readable lines on a terminal (`auto`)
 * or when asked (`pretty`). pino-pretty is loaded only then, and writes synchronously (no worker).
 */
function logDestination(format: Config['logFormat']): DestinationStream {
  const pretty = format === 'pretty' || (format === 'auto' && process.stderr.isTTY === true)
  if (!pretty) return pino.destination(2)
  const build = createRequire(import.meta.url)('pino-pretty') as (opts: object) => DestinationStream
  return build({ destination: 2, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })
}

/** Reading the body failed because the connection ended mid-body (Node's `aborted`). */
const isClientAbort = (err: Error): boolean => (err as NodeJS.ErrnoException).code === 'ECONNRESET' && err.message === 'aborted'

/** The connection is gone and nothing was ended on it (no 400 from answerClientError). */
const answeredNothing = (socket: Duplex | undefined): boolean => socket !== undefined && socket.destroyed && !socket.writableEnded

/** Node's parser refused the request before Hono saw it: answer in the API's format, not an empty 400. */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy()
  errorOnSocket(socket, err.code === 'HPE_HEADER_OVERFLOW' ? 'headers_too_large' : 'bad_request')
}
