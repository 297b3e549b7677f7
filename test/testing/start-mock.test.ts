import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock, MockControlError, startMock, type RunningMock } from 'haltless-mock'
import { demoId } from '../../src/store/demo.js'

const clock = new ManualClock()
let mock: RunningMock
const burst = { name: 'first-is-503', rules: [{ name: 'down', match: { path: '/api/v1/machines' }, when: { times: 1 }, fault: { kind: 'service_unavailable' } }] }
beforeAll(async () => void (mock = await startMock({ clock, seed: 42, scenario: burst })))
afterAll(() => mock.close())

describe('startMock', () => {
  it('serves on an ephemeral loopback port with the demo data and an inline scenario active everywhere', async () => {
    expect(mock.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(mock.apiUrl).toBe(`${mock.url}/api/v1`)
    const headers = { 'X-API-Key': mock.credentials.apiKey }
    const first = await fetch(`${mock.apiUrl}/machines`, { headers })
    expect([first.status, await first.json()]).toEqual([503, { detail: 'Service temporarily unavailable.' }])
    const second = await mock.session('other').fetch('/machines', { headers })
    expect(second.status).toBe(503) // a global scenario counts per session
    const again = await mock.session('other').fetch('/machines', { headers })
    expect(((await again.json()) as { total: number }).total).toBe(4)
    expect((await mock.control.scenarios()).find((s) => s.name === 'first-is-503')).toEqual({ name: 'first-is-503', description: '', source: 'inline', global: true })
  })

  it('refuses an inline scenario that does not validate, naming the field', async () => {
    await expect(startMock({ scenario: { name: 'bad', rules: [{ fault: { kind: 'nope' } }] } })).rejects.toThrow(
      /^startMock: scenario "bad": rules\[0\]\.fault\.kind must be one of .*\(got "nope"\)$/,
    )
  })

  it('a session: activate, one-off fault, journal, reset, verify', async () => {
    const s = mock.session('t1')
    expect(s.headers).toEqual({ 'X-Mock-Session': 't1' })
    const info = await s.activate('rate-limit-burst', { seed: 9 })
    // the server-wide scenario comes first, then the session's own
    expect(info).toMatchObject({ session: 't1', seed: 9, scenarios: [{ name: 'first-is-503' }, { name: 'rate-limit-burst', elapsed_ms: 0, phase: null }] })
    const fault = await s.injectFault({ fault: { kind: 'internal_error' }, match: { method: 'GET' }, times: 1 })
    expect(fault.id).toMatch(/^oneoff\/\d+$/)
    const res = await s.fetch('/machines', { headers: { 'X-API-Key': mock.credentials.apiKey } })
    expect(res.status).toBe(500)
    expect((await s.journal()).map((e) => [e.session, e.status, e.fault])).toEqual([['t1', 500, 'internal_error']])
    expect(await s.verify()).toEqual([])
    await s.assertWellBehaved()
    await s.deactivate('rate-limit-burst')
    expect((await s.info()).scenarios.map((x) => x.name)).toEqual(['first-is-503'])
    expect((await s.reset()).session).toBe('t1')
    expect(await s.journal()).toEqual([])
    expect((await s.verifyReport()).checked_entries).toBe(0)
  })

  it('assertWellBehaved lists the findings', async () => {
    const s = mock.session('t2')
    await s.activate('rate-limit-burst')
    const headers = { 'X-API-Key': mock.credentials.apiKey }
    for (let i = 0; i < 3; i++) await (await s.fetch('/machines', { headers })).text()
    await expect(s.assertWellBehaved()).rejects.toThrow(/^session t2: the client misbehaved:\n {2}- retried_before_retry_after: .* \(journal \d+, \d+\)$/)
  })
})

describe('ControlClient', () => {
  it('covers the rest of the control plane', async () => {
    const c = mock.control
    expect(await c.health()).toMatchObject({ status: 'ok', mode: 'mock', demo: true })
    expect((await c.openapi()).openapi).toBe('3.1.0')
    expect((await c.tenants()).map((t) => t.name)).toEqual(['Acme Manufacturing', 'Globex Corporation', 'Initech'])
    expect(await c.updateTenant(demoId('tenant:globex'), { subscription_tier: 'enterprise' })).toMatchObject({ subscription_tier: 'enterprise' })
    expect((await c.rateLimits()).enabled).toBe(true)
    expect((await c.faultKinds()).find((k) => k.kind === 'rate_limited')?.options).toMatchObject({ properties: { retry_after_s: { type: 'integer' } } })
    expect((await c.sessions()).map((s) => s.session)).toContain('t1')
    expect(await c.drift()).toEqual({ enabled: false, answers: 0, bodies_checked: 0, sample_every: null, findings: [] })
    expect(await c.clearDrift()).toBeNull()
    expect(await c.clearJournal('t2')).toBeNull()
    expect(await c.journal({ session: 't2' })).toEqual([])
    expect(await c.reset()).toEqual({ status: 'reset', demo: true })
    expect((await c.tenants())[1]!.subscription_tier).toBe('free')
  })

  it('throws a MockControlError with the API-format body on a non-2xx answer', async () => {
    const err = await mock.control.updateTenant(demoId('tenant:nobody'), {}).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(MockControlError)
    expect(err).toMatchObject({ status: 404, body: { detail: 'Tenant not found.' } })
    await expect(mock.control.tamperSignoff('not-a-uuid')).rejects.toMatchObject({ status: 422 })
  })

  it('events(): the live journal as an async iterable, filtered by session', async () => {
    const seen: string[] = []
    const abort = new AbortController()
    const reading = (async () => {
      for await (const e of mock.control.events({ session: 'live', signal: abort.signal })) {
        seen.push(`${e.method} ${e.path} ${e.status}`)
        if (seen.length === 2) abort.abort()
      }
    })()
    // the stream is open once the server has a listener for it
    while (mock.server.deps.journal.listenerCount() === 0) await new Promise((r) => setImmediate(r))
    await (await mock.session('elsewhere').fetch('/machines')).text()
    await (await mock.session('live').fetch('/machines')).text()
    await (await mock.session('live').fetch('/nowhere')).text()
    await reading
    expect(seen).toEqual(['GET /api/v1/machines 503', 'GET /api/v1/nowhere 404']) // the session's first request meets first-is-503
  })
})
