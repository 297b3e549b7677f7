import type { HttpBindings } from '@hono/node-server'
import type { Logger } from 'pino'
import type { Clock } from '../clock.js'
import type { Config } from '../config.js'
import type { Rng } from '../rng.js'
import type { Store } from '../store/store.js'
import type { ApiKey, Tenant, User } from '../store/records.js'
import type { RateLimiter } from './rate-limits.js'
import type { Engine } from '../faults/engine.js'
import type { Journal } from '../control/journal.js'
import type { TokenService, AccessClaims } from './tokens.js'
import type { EventBus } from './events.js'
import type { DriftDetector } from '../proxy/drift.js'

/** What every request may reach: built once by createMockServer. `store` is swapped on reset. */
export interface Deps {
  config: Config
  clock: Clock
  rng: Rng
  store: Store
  tokens: TokenService
  limiter: RateLimiter
  logger: Logger
  engine: Engine
  journal: Journal
  /** Live events of every tenant, for the dashboard WebSocket (lives across resets). */
  events: EventBus
  /** Proxy and hybrid modes with drift detection on: the findings so far. */
  drift: DriftDetector | null
}

/** Who made the request, once `access()` has let it through. */
export type Caller =
  | { kind: 'jwt'; tenant: Tenant; user: User; claims: AccessClaims; token: string }
  | { kind: 'api_key'; tenant: Tenant; key: ApiKey }

/** The Hono environment of every API route. */
export interface AppEnv {
  /** Node's request and response, for faults that act on the connection. */
  Bindings: HttpBindings
  Variables: {
    deps: Deps
    caller: Caller
    /** The fault the engine injected into this request, for the journal. */
    fault?: { rule: string; kind: string }
    /** Set when a fault answered on the socket itself or not at all (reset, hang, truncate). */
    noResponse?: boolean
    /** The body limit has run (checkBodySize): a body read from here on is within it. */
    bodyChecked?: boolean
    /** X-RateLimit-Remaining of this request, for the journal. */
    rateLimitRemaining?: number
    /** Proxy mode, streamed answer: the status the upstream's answer went out with. */
    upstreamStatus?: number
    /** Retry-After (seconds) the answer carried (429 from the limiter, a fault's, the upstream's), for the journal. */
    retryAfter?: number
    /** The `detail` of the error answered (for the journal). */
    errorDetail?: string
    /** Proxy/hybrid: the backend a firing rule chose (`serve:`), over --mock-route. */
    serve?: 'mock' | 'upstream'
    /** Proxy mode: kinds of drift found in the upstream's answer. */
    drift?: string[]
  }
}
