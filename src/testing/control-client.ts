import type { JournalEntry } from '../control/journal.js'
import type { Finding } from '../control/verify.js'
import type { DriftFinding, DriftStats } from '../proxy/drift.js'
import type { RateState } from '../api/rate-limits.js'

export type { DriftFinding, Finding, JournalEntry }

/** `GET /__mock/health` */
export interface Health {
  status: 'ok'
  mode: 'mock' | 'proxy' | 'hybrid'
  version: string
  uptime_s: number
  demo: boolean
}

export interface TenantInfo {
  id: string
  name: string
  subscription_tier: 'free' | 'pro' | 'enterprise'
  subscription_status: 'active' | 'trialing' | 'past_due' | 'canceled'
  past_due_since: string | null
}

export interface TenantPatch {
  subscription_status?: TenantInfo['subscription_status']
  subscription_tier?: TenantInfo['subscription_tier']
  past_due_since?: string | null
}

export interface RateLimits {
  enabled: boolean
  tenants: ({ tenant_id: string; name: string } & Partial<RateState>)[]
  clients: ({ ip: string } & Partial<RateState>)[]
}

export interface ScenarioInfo {
  name: string
  description?: string
  source: string
  global: boolean
}

export interface FaultKindInfo {
  kind: string
  description: string
  options: Record<string, unknown>
}

export interface SessionInfo {
  session: string
  seed: number
  scenarios: { name: string; elapsed_ms: number; phase: string | null }[]
  one_off_faults: { id: string; kind: string; remaining: number }[]
  counters: Record<string, unknown>
}

/** A one-off fault: `fault` is any fault kind with its options, `match` narrows which requests get it. */
export interface OneOffFault {
  fault: { kind: string } & Record<string, unknown>
  match?: Record<string, unknown>
  times?: number
}

export interface VerifyReport {
  session: string
  checked_entries: number
  findings: Finding[]
}

export interface DriftReport extends Omit<DriftStats, 'sample_every'> {
  enabled: boolean
  sample_every: number | null
  findings: DriftFinding[]
}

/** A control-plane call that did not answer 2xx: the status and the API-format body. */
export class MockControlError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    super(`${what} answered ${status}: ${JSON.stringify(body)}`)
    this.name = 'MockControlError'
  }
}

/**
 * A typed client for every `/__mock` endpoint of a running server (`baseUrl` is the server's
 * origin, `http://127.0.0.1:4010`). Non-2xx answers throw a MockControlError.
 */
export class ControlClient {
  constructor(
    readonly baseUrl: string,
    private readonly adminToken?: string,
  ) {}

  health = () => this.call<Health>('GET', '/health')
  /** Restores the start-up state (demo data), forgets rate-limit counters. */
  reset = () => this.call<{ status: 'reset'; demo: boolean }>('POST', '/reset')
  openapi = () => this.call<Record<string, unknown>>('GET', '/openapi.json')
  tenants = () => this.call<TenantInfo[]>('GET', '/tenants')
  updateTenant = (id: string, patch: TenantPatch) => this.call<TenantInfo>('PATCH', `/tenants/${enc(id)}`, patch)
  rateLimits = () => this.call<RateLimits>('GET', '/rate-limits')
  scenarios = () => this.call<ScenarioInfo[]>('GET', '/scenarios')
  /** Every fault kind with its description and its options as JSON Schema. */
  faultKinds = () => this.call<FaultKindInfo[]>('GET', '/fault-kinds')
  sessions = () => this.call<SessionInfo[]>('GET', '/sessions')
  session = (name: string) => this.call<SessionInfo>('GET', `/sessions/${enc(name)}`)
  /** Activates a library scenario by name, or an inline scenario object, for one session. */
  activate = (session: string, scenario: string | Record<string, unknown>, opts: { seed?: number } = {}) =>
    this.call<SessionInfo>('POST', `/sessions/${enc(session)}/scenarios`, { ...(typeof scenario === 'string' ? { name: scenario } : { scenario }), ...opts })
  /** Deactivates one scenario of the session, or all of them. */
  deactivate = (session: string, name?: string) =>
    this.call<null>('DELETE', `/sessions/${enc(session)}/scenarios${name === undefined ? '' : `?name=${enc(name)}`}`)
  /** Clears the session's counters, phase clocks, expired tokens and journal; keeps its scenarios. */
  resetSession = (session: string) => this.call<SessionInfo>('POST', `/sessions/${enc(session)}/reset`)
  injectFault = (session: string, fault: OneOffFault) =>
    this.call<{ id: string; session: string; kind: string; times: number }>('POST', `/sessions/${enc(session)}/faults`, fault)
  journal = (q: { session?: string; since?: number; limit?: number } = {}) => this.call<JournalEntry[]>('GET', `/journal${query(q)}`)
  clearJournal = (session?: string) => this.call<null>('DELETE', `/journal${query({ session })}`)
  verify = (session: string) => this.call<VerifyReport>('GET', `/sessions/${enc(session)}/verify`)
  drift = () => this.call<DriftReport>('GET', '/drift')
  clearDrift = () => this.call<null>('DELETE', '/drift')
  /** Alters a stored sign-off without re-signing it, so its verify answers `is_valid: false`. */
  tamperSignoff = (id: string) => this.call<Record<string, unknown>>('POST', `/signoffs/${enc(id)}/tamper`)

  /**
   * The live journal (`GET /__mock/events`, server-sent events) as an async iterable of entries;
   * stops when the loop breaks or `signal` aborts.
   */
  async *events(q: { session?: string; signal?: AbortSignal } = {}): AsyncGenerator<JournalEntry> {
    const abort = new AbortController()
    const stop = () => abort.abort()
    q.signal?.addEventListener('abort', stop, { once: true })
    try {
      const res = await fetch(`${this.baseUrl}/__mock/events${query({ session: q.session })}`, { headers: this.headers(), signal: abort.signal })
      if (!res.ok || !res.body) throw new MockControlError(res.status, await res.text(), 'GET /__mock/events')
      const decoder = new TextDecoder()
      let buffered = ''
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffered += decoder.decode(chunk, { stream: true })
        let end: number
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const message = buffered.slice(0, end)
          buffered = buffered.slice(end + 2)
          const data = message.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n')
          if (data) yield JSON.parse(data) as JournalEntry
        }
      }
    } catch (err) {
      if (!abort.signal.aborted) throw err
    } finally {
      q.signal?.removeEventListener('abort', stop)
      abort.abort()
    }
  }

  private headers(): Record<string, string> {
    return this.adminToken ? { 'X-Mock-Admin-Token': this.adminToken } : {}
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers = this.headers()
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    const res = await fetch(`${this.baseUrl}/__mock${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
    const text = await res.text()
    const value: unknown = text === '' ? null : JSON.parse(text)
    if (!res.ok) throw new MockControlError(res.status, value, `${method} /__mock${path}`)
    return value as T
  }
}

const enc = encodeURIComponent

function query(q: Record<string, string | number | undefined>): string {
  const pairs = Object.entries(q).filter((e): e is [string, string | number] => e[1] !== undefined)
  return pairs.length ? `?${pairs.map(([k, v]) => `${k}=${enc(String(v))}`).join('&')}` : ''
}
