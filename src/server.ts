import { getRequestListener, RequestError } from '@hono/node-server'
import { bearerIn } from './api/headers.js'
import type { AddressInfo } from 'node:net'
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerOptions, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { Hono, type Context } from 'hono'
import { createPipeline, journalEntry, renderError, type Backend } from './pipeline.js'
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
import { errorOnSocket, errorResponse } from './api/errors.js'
import { unmatched } from './api/unmatched.js'
import { RateLimiter } from './api/rate-limits.js'
import { TokenService } from './api/tokens.js'
import { controlPlane } from './control/index.js'
import { scenarioControl } from './control/scenarios.js'
import { Engine, sessionHeader } from './faults/engine.js'
import { credentialSecret, Journal, journalControl } from './control/journal.js'
import { signoffControl } from './control/signoffs.js'
import { compileInline, loadLibrary, resolveScenario } from './faults/loader.js'
import type { CompiledScenario } from './faults/compile.js'
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
  // the scenario engine: --scenario names or files and inline scenarios active everywhere; the
  // built-in library is read when first needed (a name to resolve, an activation, the control
  // plane's list), so start-up does not wait for its YAML
  const inline = inlineScenarios.map((data) => compileInline(data))
  const withInline = (lib: Map<string, CompiledScenario>) => (inline.forEach((s) => lib.set(s.name, s)), lib)
  let library = config.scenarios.length > 0 ? loadLibrary() : undefined
  const globalScenarios = [...config.scenarios.map((ref) => resolveScenario(ref, library!)), ...inline]
  if (library) withInline(library)
  const libraryNow = () => (library ??= withInline(loadLibrary()))
  const engine = (deps.engine = new Engine(() => deps, libraryNow, globalScenarios, { seed, faultHeaders: config.faultHeaders, allowHeaderFaults: config.allowHeaderFaults }))
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
  const debugLog = logger.isLevelEnabled('debug')
  // 1-5 and the journal: src/pipeline.ts
  const pipeline = createPipeline({
    deps,
    cors: cors({ origin: (o) => o, credentials: true, exposeHeaders: ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'Retry-After'] }),
    answered: debugLog || stateFile ? (c, res, elapsedMs) => {
      // (at --log-level debug or finer, one line per request: method, path, status, time; no headers or bodies)
      if (debugLog) logger.debug({ method: c.req.method, path: c.req.path, status: res.status, duration_ms: Math.round(elapsedMs * 10) / 10 }, 'request')
      // (--state-file: any request but a read may have changed the state; a reset saves itself)
      if (stateFile && !/^(GET|HEAD|OPTIONS)$/.test(c.req.method)) stateFile.changed()
    } : undefined,
  })
  // 6. control plane: answered here, never limited or faulted (the pipeline runs as its middleware)
  app.use('/__mock/*', async (c, next) => pipeline(c, async () => (await next(), c.res)), adminGuard(config.adminToken))
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
  //    (422) → handler, as the one handler Hono finds for the request, inside the pipeline.
  const forwarder = config.mode === 'mock' ? null : createForwarder({
    upstream: config.upstream, timeoutMs: config.upstreamTimeoutMs, drift: deps.drift,
    recorder: config.record ? new Recorder(config.record) : null,
  })
  const emulated = mockRouteMatcher(config.mode === 'hybrid' ? config.mockRoutes : [])
  const upstreamServes = (c: Context<AppEnv>) =>
    forwarder !== null && /^\/api\/v1(?:\/|$)/.test(c.req.path) && (c.get('serve') ?? (emulated(c.req.method, c.req.path) ? 'mock' : 'upstream')) === 'upstream'
  const backend = (emulator: Backend): Backend => (forwarder ? (c) => (upstreamServes(c) ? forwarder.forward(c) : emulator(c)) : emulator)
  for (const route of api.routes) {
    const serve = backend(route.handler as Backend)
    app.on(route.method, `/api/v1${route.path}`, ((c) => pipeline(c, serve)) as Backend)
  }
  // 8. no route: 405 / 307 / 404 as FastAPI answers (under /__mock the pipeline has already run)
  const noRoute = unmatched(app, '/')
  const noRouteBackend = backend(noRoute)
  app.notFound((c) => (c.req.path.startsWith('/__mock') ? noRoute(c) : pipeline(c, noRouteBackend)))
  // 9. every error, ours or not, in the API's format
  app.onError(renderError)

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
      journalEntry(deps, session, method, path, startMs, {
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

/** Node's parser refused the request before Hono saw it: answer in the API's format, not an empty 400. */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy()
  errorOnSocket(socket, err.code === 'HPE_HEADER_OVERFLOW' ? 'headers_too_large' : 'bad_request')
}
