import { describe, expect, it } from 'vitest'
import { demoApiKey, useServer } from '../helpers.js'
import { demoId } from '../../src/store/demo.js'

const t = useServer()
const key = { 'X-API-Key': demoApiKey }
const control = (path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST') =>
  fetch(`${t.url}/__mock${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
const get = (session: string, headers: Record<string, string> = key) => t.api('/machines', { headers: { ...headers, 'X-Mock-Session': session } })

describe('scenario control API', () => {
  it('lists the built-in library with descriptions', async () => {
    const list = await (await control('/scenarios')).json()
    expect(list.map((s: { name: string }) => s.name)).toEqual([
      'chaos-mix', 'flaky-5xx', 'inactive-user', 'lost-response', 'outage-then-recover', 'partial-ingest',
      'rate-limit-burst', 'refresh-token-reuse', 'slow-network', 'subscription-lapsed', 'token-expiry-mid-session',
    ])
    expect(list.find((s: { name: string }) => s.name === 'rate-limit-burst')).toEqual({
      name: 'rate-limit-burst', description: 'Requests 2 to 4 get 429 with Retry-After 1, then traffic recovers.', source: 'built-in: rate-limit-burst.yaml', global: false,
    })
  })

  it('activates a built-in by name for one session only, labels its faults, and deactivates it', async () => {
    const res = await control('/sessions/burst/scenarios', { name: 'rate-limit-burst' })
    expect(res.status).toBe(201)
    const statuses = []
    for (let i = 0; i < 5; i++) statuses.push((await get('burst')).status)
    expect(statuses).toEqual([200, 429, 429, 429, 200])
    expect((await get('bystander')).status).toBe(200)

    await control('/sessions/burst/reset', {})
    await get('burst')
    const limited = await get('burst')
    expect(limited.status).toBe(429)
    expect(await limited.json()).toEqual({ detail: 'Rate limit exceeded.' })
    expect(Object.fromEntries(['retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'x-mock-fault', 'x-mock-rule'].map((h) => [h, limited.headers.get(h)]))).toEqual({
      'retry-after': '1', 'x-ratelimit-limit': '300', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(t.clock.now() / 1000) + 1),
      'x-mock-fault': 'rate_limited', 'x-mock-rule': 'rate-limit-burst/burst',
    })

    expect((await control('/sessions/burst/scenarios', undefined, 'DELETE')).status).toBe(204)
    expect((await get('burst')).status).toBe(200)
  })

  it('activates an inline scenario with a seed', async () => {
    const res = await control('/sessions/inline/scenarios', {
      scenario: { name: 'slow-reads', rules: [{ match: { method: 'GET' }, fault: { kind: 'service_unavailable', retry_after_s: 3 } }] },
      seed: 42,
    })
    expect(res.status).toBe(201)
    expect(await res.json()).toMatchObject({ session: 'inline', seed: 42, scenarios: [{ name: 'slow-reads', elapsed_ms: 0, phase: null }] })
    const down = await get('inline')
    expect(down.status).toBe(503)
    expect(down.headers.get('retry-after')).toBe('3')
    expect(down.headers.get('x-mock-rule')).toBe('slow-reads/rule-0')
    expect(await down.json()).toEqual({ detail: 'Service temporarily unavailable.' })
  })

  it('answers 422 with the field path for a bad scenario, and 404 for an unknown name', async () => {
    const bad = await control('/sessions/x/scenarios', { scenario: { name: 'bad', rules: [{ when: { every: 0 }, fault: { kind: 'latency' } }] } })
    expect(bad.status).toBe(422)
    expect(await bad.json()).toEqual({
      detail: [
        { loc: ['body', 'scenario', 'rules', 0, 'when', 'every'], msg: 'Input should be greater than or equal to 1', type: 'greater_than_equal' },
        { loc: ['body', 'scenario', 'rules', 0, 'fault', 'ms'], msg: 'Field required', type: 'missing' },
      ],
    })
    const unknownKind = await control('/sessions/x/faults', { fault: { kind: 'explode' } })
    expect(unknownKind.status).toBe(422)
    expect((await unknownKind.json()).detail[0]).toMatchObject({ loc: ['body', 'fault', 'kind'], type: 'union_tag_invalid' })
    const missing = await control('/sessions/x/scenarios', { name: 'no-such-scenario' })
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({ detail: 'Scenario not found: no-such-scenario' })
  })

  it('injects a one-off fault that fires exactly `times` times and is labelled oneoff/<id>', async () => {
    const res = await control('/sessions/oneoff/faults', { fault: { kind: 'service_unavailable', retry_after_s: 1 }, match: { method: 'GET', path: '/api/v1/machines' }, times: 2 })
    expect(res.status).toBe(201)
    const { id } = await res.json()
    expect(id).toMatch(/^oneoff\/\d+$/)
    const first = await get('oneoff')
    expect([first.status, first.headers.get('x-mock-rule'), first.headers.get('x-mock-fault')]).toEqual([503, id, 'service_unavailable'])
    expect((await get('oneoff')).status).toBe(503)
    expect((await get('oneoff')).status).toBe(200)
  })

  it('matches JSON body fields, and the API still reads the body after the engine did', async () => {
    await control('/sessions/body/faults', { fault: { kind: 'conflict' }, match: { method: 'POST', body: { machine_identifier: 'DUP-1' } }, times: 5 })
    const headers = { ...(await t.bearer('operator@acme.example')), 'X-Mock-Session': 'body' }
    const other = await t.api('/machines', { method: 'POST', headers, json: { name: 'Fine', machine_identifier: 'FINE-1', protocol: 'json' } })
    expect(other.status).toBe(201)
    expect((await other.json()).machine_identifier).toBe('FINE-1')
    const dup = await t.api('/machines', { method: 'POST', headers, json: { name: 'Dup', machine_identifier: 'DUP-1', protocol: 'json' } })
    expect([dup.status, dup.headers.get('x-mock-fault')]).toEqual([409, 'conflict'])
  })

  it('a one-off fault honours its method and path', async () => {
    await control('/sessions/route/faults', { fault: { kind: 'internal_error' }, match: { method: 'POST', path: '/api/v1/machines' } })
    expect((await get('route')).status).toBe(200)
    const other = await t.api('/machines/00000000-0000-4000-8000-000000000000', { headers: { ...key, 'X-Mock-Session': 'route' } })
    expect(other.status).toBe(404)
    const post = await t.api('/machines', { method: 'POST', headers: { ...(await t.bearer('operator@acme.example')), 'X-Mock-Session': 'route' }, json: {} })
    expect([post.status, post.headers.get('x-mock-fault')]).toEqual([500, 'internal_error'])
  })

  it('counts exactly under 200 concurrent requests', async () => {
    await control('/sessions/crowd/faults', { fault: { kind: 'internal_error' }, times: 50 })
    const statuses = await Promise.all(Array.from({ length: 200 }, () => get('crowd').then((r) => r.status)))
    expect(statuses.filter((s) => s === 500)).toHaveLength(50)
    expect(statuses.filter((s) => s === 200)).toHaveLength(150)
  })

  it('never faults the control plane', async () => {
    await control('/sessions/default/scenarios', { scenario: { name: 'everything', rules: [{ fault: { kind: 'internal_error' } }] } })
    expect((await fetch(`${t.url}/__mock/health`)).status).toBe(200)
    expect((await t.api('/machines', { headers: key })).status).toBe(500)
    await control('/sessions/default/scenarios', undefined, 'DELETE')
    expect((await t.api('/machines', { headers: key })).status).toBe(200)
  })
})

describe('domain kinds render the catalog', () => {
  it.each([
    ['token_expired', {}, 401, { detail: 'Authentication token has expired.' }],
    ['token_invalid', {}, 401, { detail: 'Invalid authentication token.' }],
    ['token_revoked', {}, 401, { detail: 'Invalid authentication token.' }],
    ['user_inactive', {}, 403, { detail: 'User account is inactive.' }],
    ['api_key_revoked', {}, 401, { detail: 'Invalid API key.' }],
    ['forbidden', {}, 403, { detail: 'Insufficient permissions.' }],
    ['forbidden', { scope: 'read:sensors' }, 403, { detail: 'API key does not have the required scope: read:sensors' }],
    ['not_found', {}, 404, { detail: 'Machine not found.' }],
    ['not_found', { error: 'alert_not_found' }, 404, { detail: 'Alert not found.' }],
    ['conflict', {}, 409, { detail: 'A machine with this identifier already exists for this tenant.' }],
    ['validation_error', { loc: ['body', 'email'], msg: 'value is not a valid email address', type: 'value_error' }, 422, { detail: [{ loc: ['body', 'email'], msg: 'value is not a valid email address', type: 'value_error' }] }],
    ['payment_required', {}, 402, { detail: 'Subscription inactive. Please update your billing information.' }],
    ['internal_error', {}, 500, { detail: 'Internal server error.' }],
    ['signoff_password_failed', {}, 403, { detail: 'Password verification failed. Sign-off requires re-authentication.' }],
  ])('%s %j → %d', async (kind, options, status, body) => {
    const session = `kind-${kind}-${JSON.stringify(options)}`
    await control(`/sessions/${encodeURIComponent(session)}/faults`, { fault: { kind, ...options } })
    const res = await get(session)
    expect(res.status).toBe(status)
    expect(await res.json()).toEqual(body)
    expect(res.headers.get('x-mock-fault')).toBe(kind)
    if (status === 401) expect(res.headers.get('www-authenticate')).toBe('Bearer')
  })

  it('token_expired keeps the presented token expired in that session until the client refreshes', async () => {
    const { token } = await t.login('viewer@acme.example')
    const headers = { Authorization: `Bearer ${token}` }
    await control('/sessions/sticky/faults', { fault: { kind: 'token_expired' }, match: { credential: 'jwt' } })
    expect((await get('sticky', headers)).status).toBe(401)
    const again = await get('sticky', headers)
    expect(again.status).toBe(401)
    expect(await again.json()).toEqual({ detail: 'Authentication token has expired.' })
    expect((await get('elsewhere', headers)).status).toBe(200)
    const fresh = await t.login('viewer@acme.example')
    expect((await get('sticky', { Authorization: `Bearer ${fresh.token}` })).status).toBe(200)
  })

  it('partial_batch rejects every 3rd reading and stores the others', async () => {
    await control('/sessions/partial/scenarios', { name: 'partial-ingest' })
    const readings = Array.from({ length: 6 }, (_, i) => ({ machine_identifier: 'CNC-002', timestamp: new Date(t.clock.now() - i * 1000).toISOString(), metric_name: `m${i}`, value: i, unit: 'u' }))
    const res = await t.api('/ingest', { method: 'POST', headers: { ...key, 'X-Mock-Session': 'partial' }, json: { readings } })
    expect(res.status).toBe(207)
    expect(await res.json()).toEqual({
      accepted_count: 4,
      rejected_count: 2,
      errors: [
        { index: 2, machine_identifier: 'CNC-002', error: 'Value must be finite' },
        { index: 5, machine_identifier: 'CNC-002', error: 'Value must be finite' },
      ],
    })
    const latest = await (await t.api(`/machines/${demoId('machine:acme:CNC-002')}/readings/latest`, { headers: key })).json()
    expect(latest.readings.map((r: { metric_name: string }) => r.metric_name).filter((m: string) => /^m\d$/.test(m))).toEqual(['m0', 'm1', 'm3', 'm4'])
  })
})
