import { describe, expect, it } from 'vitest'
import { demoApiKey, useServer } from '../helpers.js'

const t = useServer()
const control = (path: string, body?: unknown) =>
  fetch(`${t.url}/__mock${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
const verify = async (session: string) => (await (await control(`/sessions/${session}/verify`)).json()) as { session: string; checked_entries: number; findings: { kind: string; detail: string; entries: number[] }[] }
const list = (session: string) => t.api('/machines', { headers: { 'X-API-Key': demoApiKey, 'X-Mock-Session': session } }).then((r) => r.status)
const ids = async (session: string) => ((await (await control(`/journal?session=${session}`)).json()) as { id: number }[]).map((e) => e.id)

describe('GET /__mock/sessions/{session}/verify', () => {
  it('finds nothing for a client that waits out Retry-After', async () => {
    expect((await control('/sessions/polite/scenarios', { name: 'rate-limit-burst' })).status).toBe(201)
    expect(await list('polite')).toBe(200)
    expect(await list('polite')).toBe(429)
    t.clock.advance(1000)
    expect(await list('polite')).toBe(429)
    t.clock.advance(1000)
    expect(await verify('polite')).toEqual({ session: 'polite', checked_entries: 3, findings: [] })
  })

  it('names a retry sooner than the Retry-After it was given, with both journal entries', async () => {
    await control('/sessions/eager/scenarios', { name: 'rate-limit-burst' })
    for (let i = 0; i < 3; i++) await list('eager')
    t.clock.advance(300)
    await list('eager')
    const [, second, third, fourth] = await ids('eager')
    expect((await verify('eager')).findings).toEqual([
      { kind: 'retried_before_retry_after', detail: 'GET /api/v1/machines 0.0 s after a 429 with Retry-After: 1', entries: [second, third] },
      { kind: 'retried_before_retry_after', detail: 'GET /api/v1/machines 0.3 s after a 429 with Retry-After: 1', entries: [third, fourth] },
    ])
  })

  it('names hammering during a 503 outage', async () => {
    await control('/sessions/outage/faults', { fault: { kind: 'service_unavailable' }, times: 4 })
    for (let i = 0; i < 4; i++) {
      expect(await list('outage')).toBe(503)
      t.clock.advance(100)
    }
    const all = await ids('outage')
    const findings = (await verify('outage')).findings
    expect(findings.find((f) => f.kind === 'hammered_during_outage')).toEqual({
      kind: 'hammered_during_outage', detail: '4 requests in 0.3 s while the API answered 503 (10.0/s)', entries: all,
    })
  })

  it('names a write sent again after a reset that may have applied it', async () => {
    await control('/sessions/writer/faults', { fault: { kind: 'reset_after_commit' }, match: { method: 'POST' } })
    const headers = { ...(await t.bearer('operator@acme.example')), 'X-Mock-Session': 'writer' }
    const body = { name: 'Lathe', machine_identifier: 'LATHE-7', protocol: 'json' }
    await t.api('/machines', { method: 'POST', headers, json: body }).catch(() => 'reset')
    const again = await t.api('/machines', { method: 'POST', headers, json: body })
    expect([again.status, await again.json()]).toEqual([409, { detail: 'A machine with this identifier already exists for this tenant.' }])
    const [first, second] = await ids('writer')
    expect((await verify('writer')).findings).toEqual([
      { kind: 'retried_write_after_reset', detail: 'POST /api/v1/machines sent again after reset_after_commit: the first may have been applied', entries: [first, second] },
    ])
  })

  it('names a token sent again after it expired, and a refresh storm after one expiry', async () => {
    const session = { 'X-Mock-Session': 'sleepy' }
    const login = await t.api('/auth/login', { method: 'POST', headers: session, json: { email: 'viewer@acme.example', password: 'Haltless-Demo-1' } })
    const { access_token: token } = (await login.json()) as { access_token: string }
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!
    t.clock.advance(901_000) // past the 15-minute access token
    const auth = { ...session, Authorization: `Bearer ${token}` }
    expect((await t.api('/auth/me', { headers: auth })).status).toBe(401)
    expect((await t.api('/machines', { headers: auth })).status).toBe(401)
    for (let i = 0; i < 2; i++) await t.api('/auth/refresh', { method: 'POST', headers: { ...session, Cookie: cookie } })
    const [, expired, reused, refresh1, refresh2] = await ids('sleepy')
    const findings = (await verify('sleepy')).findings
    expect(findings).toContainEqual({ kind: 'used_expired_token', detail: 'GET /api/v1/machines sent with a token already answered as expired', entries: [expired, reused] })
    expect(findings).toContainEqual({ kind: 'refreshed_more_than_once', detail: '2 refreshes in a row after one expiry', entries: [reused, refresh1, refresh2] })
    const journal = (await (await control('/journal?session=sleepy')).json()) as { credential: string | null; error: string | null }[]
    expect(journal[1]).toMatchObject({ credential: expect.stringMatching(/^jwt:[0-9a-f]{12}$/), error: 'Authentication token has expired.' })
    expect(JSON.stringify(journal)).not.toContain(token)
  })
})
