import { afterAll, beforeAll, beforeEach } from 'vitest'
import { isoSeconds, ManualClock } from '../src/clock.js'
import { createMockServer, type MockServer, type MockServerOptions } from '../src/server.js'
import { demoApiKey, demoPassword } from '../src/store/demo.js'

export { demoApiKey, demoPassword }

/** A running emulator on 127.0.0.1 with an ephemeral port and a manual clock. */
export interface TestServer {
  server: MockServer
  clock: ManualClock
  /** `http://127.0.0.1:<port>` */
  url: string
  /** fetch against `<url>/api/v1<path>`, never following redirects. */
  api(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>
  /** Logs a demo user in; returns the access token and the refresh cookie value. */
  login(email: string, password?: string): Promise<{ token: string; refresh: string }>
  /** `{ Authorization: 'Bearer <token>' }` of a fresh login. */
  bearer(email: string): Promise<Record<string, string>>
}

/** Starts a server before the file's tests and closes it after; rate limits off unless given. */
export function useServer(options: MockServerOptions = {}): TestServer {
  const clock = new ManualClock()
  const t = { clock } as TestServer
  beforeAll(async () => {
    const limits = 'rateLimits' in options || 'rateLimitTable' in options ? {} : { rateLimitTable: null }
    t.server = createMockServer({ seed: 42, logLevel: 'silent', ...limits, clock, ...options })
    t.url = await t.server.listen(0, '127.0.0.1')
  })
  afterAll(() => t.server.close())
  t.api = (path, init = {}) => {
    const { json, ...rest } = init
    const headers = new Headers(rest.headers)
    if (json !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json')
    return fetch(`${t.url}/api/v1${path}`, { redirect: 'manual', ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body })
  }
  t.login = async (email, password = demoPassword) => {
    const res = await t.api('/auth/login', { method: 'POST', json: { email, password } })
    if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${await res.text()}`)
    const body = (await res.json()) as { access_token: string }
    return { token: body.access_token, refresh: cookieValue(res, 'refresh_token') ?? '' }
  }
  t.bearer = async (email) => ({ Authorization: `Bearer ${(await t.login(email)).token}` })
  return t
}

/** The value of cookie `name` set by `res`, if any. */
export function cookieValue(res: Response, name: string): string | undefined {
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';')
    const [k, ...v] = pair!.split('=')
    if (k === name) return v.join('=')
  }
  return undefined
}

/** The claims of a JWT, unverified. */
export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>
}

/**
 * Restores the demo state before each test. Demo records sit relative to the clock at that reset:
 * the returned `at(ms)` is that instant plus `ms`, as the API prints a timestamp.
 */
export function resetBeforeEach(t: TestServer): (ms?: number) => string {
  let resetAt = 0
  beforeEach(() => {
    t.server.reset()
    resetAt = t.clock.now()
  })
  return (ms = 0) => isoSeconds(resetAt + ms)
}
