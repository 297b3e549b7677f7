import { describe, expect, it } from 'vitest'
import { cookieValue, demoApiKey, useServer, type TestServer } from '../helpers.js'

const control = (t: TestServer, path: string, body?: unknown) =>
  fetch(`${t.url}/__mock${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) })

/**
 * The documented client loop: on 401 refresh and retry; on 429/503 wait Retry-After and retry.
 * Waiting moves the manual clock, so the test never sleeps.
 */
async function resilientGet(t: TestServer, session: string, auth: { token: string; refresh: string }, path: string) {
  const seen: number[] = []
  for (let attempt = 0; attempt < 20; attempt++) {
    const res = await t.api(path, { headers: { Authorization: `Bearer ${auth.token}`, 'X-Mock-Session': session } })
    seen.push(res.status)
    if (res.status === 401) {
      const refreshed = await t.api('/auth/refresh', { method: 'POST', headers: { Cookie: `refresh_token=${auth.refresh}`, 'X-Mock-Session': session } })
      if (refreshed.status !== 200) throw new Error(`refresh failed: ${refreshed.status}`)
      auth.token = (await refreshed.json()).access_token
      auth.refresh = cookieValue(refreshed, 'refresh_token')!
      continue
    }
    if (res.status === 429 || res.status === 503) {
      t.clock.advance(Number(res.headers.get('retry-after')) * 1000)
      continue
    }
    return { res, seen }
  }
  throw new Error(`gave up after ${seen.join(', ')}`)
}

describe('built-in scenarios meet a well-behaved client', () => {
  const t = useServer()

  it('token-expiry-mid-session: the client refreshes and ends with the machine list', async () => {
    await control(t, '/sessions/expiry/scenarios', { name: 'token-expiry-mid-session' })
    const auth = await t.login('viewer@acme.example')
    const statuses: number[] = []
    for (let i = 0; i < 7; i++) {
      const { res, seen } = await resilientGet(t, 'expiry', auth, '/machines')
      expect(res.status).toBe(200)
      expect((await res.json()).total).toBe(4)
      statuses.push(...seen)
    }
    // 3 requests per token, then one 401 and a fresh token
    expect(statuses).toEqual([200, 200, 200, 401, 200, 200, 200, 401, 200])
  })

  it('rate-limit-burst: the client waits Retry-After and ends with the machine list', async () => {
    await control(t, '/sessions/burst/scenarios', { name: 'rate-limit-burst' })
    const auth = await t.login('viewer@acme.example')
    const first = await resilientGet(t, 'burst', auth, '/machines')
    const second = await resilientGet(t, 'burst', auth, '/machines')
    expect([first.seen, second.seen]).toEqual([[200], [429, 429, 429, 200]])
    expect((await second.res.json()).total).toBe(4)
  })

  it('outage-then-recover: 503 with Retry-After 2 for 5 s of the phase clock, then healthy', async () => {
    await control(t, '/sessions/outage/scenarios', { name: 'outage-then-recover' })
    const get = () => t.api('/machines', { headers: { 'X-API-Key': demoApiKey, 'X-Mock-Session': 'outage' } })
    const down = await get()
    expect([down.status, down.headers.get('retry-after'), down.headers.get('x-mock-rule')]).toEqual([503, '2', 'outage-then-recover/outage.down'])
    t.clock.advance(4_999)
    expect((await get()).status).toBe(503)
    t.clock.advance(1)
    expect((await get()).status).toBe(200)
  })

  it('subscription-lapsed: 402 on the API, /auth still answers', async () => {
    await control(t, '/sessions/lapsed/scenarios', { name: 'subscription-lapsed' })
    const { token } = await t.login('admin@acme.example')
    const headers = { Authorization: `Bearer ${token}`, 'X-Mock-Session': 'lapsed' }
    const res = await t.api('/machines', { headers })
    expect(res.status).toBe(402)
    expect(await res.json()).toEqual({ detail: 'Subscription inactive. Please update your billing information.' })
    expect((await t.api('/auth/me', { headers })).status).toBe(200)
  })

  it('refresh-token-reuse: the lost refresh response makes the retry reuse the old token, and the family dies', async () => {
    await control(t, '/sessions/reuse/scenarios', { name: 'refresh-token-reuse' })
    const { refresh } = await t.login('operator@acme.example')
    const headers = { Cookie: `refresh_token=${refresh}`, 'X-Mock-Session': 'reuse' }
    await expect(t.api('/auth/refresh', { method: 'POST', headers })).rejects.toThrow()
    const retry = await t.api('/auth/refresh', { method: 'POST', headers })
    expect(retry.status).toBe(401)
    expect(await retry.json()).toEqual({ detail: 'Invalid authentication token.' })
  })

  it('lost-response: the machine is created although the client saw a reset; a blind retry meets 409', async () => {
    await control(t, '/sessions/lost/scenarios', { name: 'lost-response' })
    const headers = { ...(await t.bearer('operator@acme.example')), 'X-Mock-Session': 'lost' }
    const json = { name: 'Lost', machine_identifier: 'LOST-1', protocol: 'json' }
    await expect(t.api('/machines', { method: 'POST', headers, json })).rejects.toThrow()
    const retry = await t.api('/machines', { method: 'POST', headers, json })
    expect(retry.status).toBe(409)
    expect(await retry.json()).toEqual({ detail: 'A machine with this identifier already exists for this tenant.' })
  })

  it('flaky-5xx: about 10 % of requests fail, the same ones after a session reset', async () => {
    await control(t, '/sessions/flaky/scenarios', { name: 'flaky-5xx', seed: 1234 })
    const run = async () => {
      const out: number[] = []
      for (let i = 0; i < 300; i++) out.push((await t.api('/machines', { headers: { 'X-API-Key': demoApiKey, 'X-Mock-Session': 'flaky' } })).status)
      return out
    }
    const first = await run()
    const failures = first.filter((s) => s !== 200)
    expect(failures.length).toBeGreaterThan(15)
    expect(failures.length).toBeLessThan(50)
    expect(new Set(failures)).toEqual(new Set([500, 503]))
    await control(t, '/sessions/flaky/reset')
    expect(await run()).toEqual(first)
  })
})

describe('--scenario at start-up', () => {
  const t = useServer({ scenarios: ['subscription-lapsed'] })
  it('affects the very first request of every session', async () => {
    const res = await t.api('/machines', { headers: { 'X-API-Key': demoApiKey, 'X-Mock-Session': 'fresh' } })
    expect(res.status).toBe(402)
    expect(res.headers.get('x-mock-rule')).toBe('subscription-lapsed/lapsed')
  })
})

describe('--no-fault-headers', () => {
  const t = useServer({ scenarios: ['subscription-lapsed'], faultHeaders: false })
  it('sends the fault byte-exact, without X-Mock-* labels', async () => {
    const res = await t.api('/machines', { headers: { 'X-API-Key': demoApiKey } })
    expect(res.status).toBe(402)
    expect(res.headers.get('x-mock-fault')).toBeNull()
    expect(res.headers.get('x-mock-rule')).toBeNull()
  })
})

describe('faults asked for by header', () => {
  const off = useServer()
  it('are ignored unless --allow-header-faults', async () => {
    expect((await off.api('/machines', { headers: { 'X-API-Key': demoApiKey, 'X-Mock-Fault': 'internal_error' } })).status).toBe(200)
  })

  const t = useServer({ allowHeaderFaults: true })
  it('X-Mock-Fault with options, and Prefer: code=429', async () => {
    const slow = t.api('/machines', { headers: { 'X-API-Key': demoApiKey, 'X-Mock-Fault': 'latency; ms=300' } })
    let done = false
    void slow.then(() => (done = true))
    for (let i = 0; i < 20; i++) await new Promise(setImmediate)
    expect(done).toBe(false)
    t.clock.advance(300)
    const res = await slow
    expect([res.status, res.headers.get('x-mock-fault'), res.headers.get('x-mock-rule')]).toEqual([200, 'latency', 'header/latency'])

    const prefer = await t.api('/machines', { headers: { 'X-API-Key': demoApiKey, Prefer: 'code=429' } })
    expect([prefer.status, prefer.headers.get('retry-after')]).toEqual([429, '1'])
    expect(await prefer.json()).toEqual({ detail: 'Rate limit exceeded.' })
  })

  it('a bad header fault answers 422 naming the header', async () => {
    const res = await t.api('/machines', { headers: { 'X-API-Key': demoApiKey, 'X-Mock-Fault': 'latency; ms=fast' } })
    expect(res.status).toBe(422)
    expect((await res.json()).detail[0].loc).toEqual(['header', 'x-mock-fault', 'ms'])
    const prefer = await t.api('/machines', { headers: { 'X-API-Key': demoApiKey, Prefer: 'code=418' } })
    expect(prefer.status).toBe(422)
  })
})
