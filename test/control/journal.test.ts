import { describe, expect, it } from 'vitest'
import { demoApiKey, demoPassword, useServer } from '../helpers.js'
import { defaultRateLimits } from '../../src/api/rate-limits.js'

const t = useServer({ journalSize: 5, rateLimitTable: defaultRateLimits })
const control = (path: string, init: RequestInit = {}) => fetch(`${t.url}/__mock${path}`, init)
const post = (path: string, body: unknown) => control(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
const journal = async (query = '') => (await control(`/journal${query}`)).json()
const get = (session: string) => t.api('/machines', { headers: { 'X-API-Key': demoApiKey, 'X-Mock-Session': session } })

describe('the journal', () => {
  it('records each API request of a session as one flat entry', async () => {
    await get('a')
    expect(await journal('?session=a')).toEqual([
      {
        id: expect.any(Number), time: '2026-04-04T10:30:00.000Z', session: 'a', method: 'GET', path: '/api/v1/machines',
        status: 200, duration_ms: 0, rule: null, fault: null, seed: 42, rate_limit_remaining: 299, drift: null, retry_after: null,
        credential: expect.stringMatching(/^key:[0-9a-f]{12}$/), error: null,
      },
    ])
  })

  it('links an injected fault to its rule, times delays on the clock, and has no status for a reset', async () => {
    await post('/sessions/b/faults', { fault: { kind: 'latency', ms: 250 }, times: 1 })
    const slow = get('b')
    for (let i = 0; i < 20; i++) await new Promise(setImmediate)
    t.clock.advance(250)
    await slow
    const { id: resetId } = await (await post('/sessions/b/faults', { fault: { kind: 'reset' } })).json()
    await expect(get('b')).rejects.toThrow()
    const entries = await journal('?session=b')
    expect(entries.map((e: Record<string, unknown>) => [e.status, e.duration_ms, e.fault, e.rule])).toEqual([
      [200, 250, 'latency', expect.stringMatching(/^oneoff\/\d+$/)],
      [null, 0, 'reset', resetId],
    ])
  })

  it('keeps the catalog detail of every error answer: thrown, a fault\'s, and no route\'s', async () => {
    await post('/sessions/e/faults', { fault: { kind: 'service_unavailable' }, times: 1 })
    await get('e')
    await t.api('/machines', { headers: { 'X-Mock-Session': 'e' } })
    await t.api('/nowhere', { headers: { 'X-Mock-Session': 'e' } })
    await t.api('/nowhere', { headers: { 'X-Mock-Session': 'e2', Origin: 'http://localhost:3000' } })
    await t.api('/machines', { method: 'DELETE', headers: { 'X-Mock-Session': 'e' } })
    await post('/sessions/e/faults', { fault: { kind: 'hang', max_ms: 100 }, times: 1 })
    const hung = get('e')
    for (let i = 0; i < 20; i++) await new Promise(setImmediate)
    t.clock.advance(100)
    await expect(hung).rejects.toThrow()
    expect((await journal('?session=e')).map((e: Record<string, unknown>) => [e.status, e.fault, e.error])).toEqual([
      [503, 'service_unavailable', 'Service temporarily unavailable.'],
      [401, null, 'Not authenticated'],
      [404, null, 'Not Found'],
      [405, null, 'Method Not Allowed'],
      [null, 'hang', null],
    ])
    // a browser's request: CORS copies the answer, the detail is kept all the same
    expect((await journal('?session=e2')).map((e: Record<string, unknown>) => [e.status, e.error])).toEqual([[404, 'Not Found']])
  })

  it('keeps the newest entries per session (a ring), pages with since and limit, and clears', async () => {
    for (let i = 0; i < 7; i++) await get('ring')
    const all = await journal('?session=ring')
    expect(all).toHaveLength(5)
    expect(await journal(`?session=ring&since=${all[2].id}`)).toEqual(all.slice(3))
    expect(await journal('?session=ring&limit=2')).toEqual(all.slice(3))
    expect((await control('/journal?session=ring', { method: 'DELETE' })).status).toBe(204)
    expect(await journal('?session=ring')).toEqual([])
    expect((await journal('?session=a')).length).toBe(1)
  })

  it('a session reset clears that session\'s journal only', async () => {
    await get('c')
    await post('/sessions/c/reset', {})
    expect(await journal('?session=c')).toEqual([])
    expect((await journal('?session=a')).length).toBe(1)
  })

  it('never holds a secret: no tokens, keys, cookies or passwords', async () => {
    const login = await t.api('/auth/login', { method: 'POST', headers: { 'X-Mock-Session': 'secret' }, json: { email: 'admin@acme.example', password: demoPassword } })
    const { access_token } = await login.json()
    await t.api('/settings/api-keys', { method: 'POST', headers: { Authorization: `Bearer ${access_token}`, 'X-Mock-Session': 'secret' }, json: { name: 'k' } })
    const text = JSON.stringify(await journal('?session=secret'))
    for (const secret of [demoPassword, access_token, 'refresh_token', 'hk_']) expect(text).not.toContain(secret)
    expect(text).toContain('/api/v1/auth/login')
  })

  it('answers 422 for a bad query', async () => {
    const res = await control('/journal?limit=0')
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail: [{ loc: ['query', 'limit'], msg: 'Input should be greater than or equal to 1', type: 'greater_than_equal' }] })
  })

  it('streams new entries as server-sent events', async () => {
    const abort = new AbortController()
    const res = await control('/events?session=live', { signal: abort.signal })
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    const reader = res.body!.getReader()
    await get('elsewhere')
    await get('live')
    let text = ''
    while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value)
    abort.abort()
    const fields = Object.fromEntries(text.trim().split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]))
    expect(fields.event).toBe('request')
    const entry = JSON.parse(fields.data!)
    expect(fields.id).toBe(String(entry.id))
    expect(entry).toMatchObject({ session: 'live', method: 'GET', path: '/api/v1/machines', status: 200 })
  })
})
