import { describe, expect, it } from 'vitest'
import { useServer } from '../helpers.js'
import { demoId } from '../../src/store/demo.js'
import { defaultRateLimits } from '../../src/api/rate-limits.js'

const t = useServer({ rateLimitTable: { ...defaultRateLimits, unauthenticated: { limit: 1, window_s: 60 } } })
const control = (path: string, init: RequestInit = {}) => fetch(`${t.url}/__mock${path}`, init)

describe('/__mock', () => {
  it('GET /health answers 200 and is never rate limited', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await control('/health')
      expect(res.status).toBe(200)
      expect(res.headers.get('x-ratelimit-limit')).toBeNull()
      expect(await res.json()).toEqual({ status: 'ok', mode: 'mock', version: expect.stringMatching(/^\d+\.\d+\.\d+/), uptime_s: 0, demo: true })
    }
  })

  it('POST /reset restores the demo state and forgets counters', async () => {
    const headers = await t.bearer('admin@acme.example')
    const created = await t.api('/machines', { method: 'POST', headers, json: { name: 'Temp', machine_identifier: 'TMP-1', protocol: 'json' } })
    expect(created.status).toBe(201)
    const limited = await t.api('/auth/login', { method: 'POST', json: { email: 'admin@acme.example', password: 'x' } })
    expect(limited.status).toBe(429)

    const reset = await control('/reset', { method: 'POST' })
    expect(reset.status).toBe(200)
    expect(await reset.json()).toEqual({ status: 'reset', demo: true })
    const after = await t.api('/machines', { headers: await t.bearer('admin@acme.example') })
    expect((await after.json()).total).toBe(4)
  })

  it('reset replays the same ids for the same seed', async () => {
    const make = async () => {
      await control('/reset', { method: 'POST' })
      const headers = await t.bearer('admin@acme.example')
      return (await (await t.api('/machines', { method: 'POST', headers, json: { name: 'S', machine_identifier: 'SEED-1', protocol: 'json' } })).json()).id
    }
    expect(await make()).toBe(await make())
  })

  it('GET /tenants lists the demo tenants; PATCH changes a subscription; bad input is 422 or 404', async () => {
    const list = await (await control('/tenants')).json()
    expect(list).toEqual([
      { id: demoId('tenant:acme'), name: 'Acme Manufacturing', subscription_tier: 'pro', subscription_status: 'active', past_due_since: null },
      { id: demoId('tenant:globex'), name: 'Globex Corporation', subscription_tier: 'free', subscription_status: 'active', past_due_since: null },
      { id: demoId('tenant:initech'), name: 'Initech', subscription_tier: 'pro', subscription_status: 'canceled', past_due_since: null },
    ])
    const patch = (id: string, body: unknown) => control(`/tenants/${id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    const ok = await patch(demoId('tenant:globex'), { subscription_tier: 'enterprise', subscription_status: 'past_due' })
    expect(await ok.json()).toEqual({ id: demoId('tenant:globex'), name: 'Globex Corporation', subscription_tier: 'enterprise', subscription_status: 'past_due', past_due_since: '2026-04-04T10:30:00Z' })
    const bad = await patch(demoId('tenant:globex'), { subscription_status: 'gold' })
    expect(bad.status).toBe(422)
    expect(await bad.json()).toEqual({ detail: [{ loc: ['body', 'subscription_status'], msg: "Input should be 'active', 'trialing', 'past_due' or 'canceled'", type: 'enum' }] })
    const missing = await patch(demoId('tenant:nobody'), {})
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({ detail: 'Tenant not found.' })
  })

  it('GET /rate-limits shows each tenant\'s window and the per-IP windows of the auth endpoints, without counting', async () => {
    await control('/reset', { method: 'POST' })
    const headers = await t.bearer('admin@acme.example')
    for (let i = 0; i < 2; i++) await (await t.api('/machines', { headers })).text()
    const window = { window_s: 60, resets_at: '2026-04-04T10:31:00Z' }
    const expected = {
      enabled: true,
      tenants: [
        { tenant_id: demoId('tenant:acme'), name: 'Acme Manufacturing', bucket: 'pro', limit: 300, used: 2, remaining: 298, ...window },
        { tenant_id: demoId('tenant:globex'), name: 'Globex Corporation', bucket: 'free', limit: 60, used: 0, remaining: 60, ...window },
        { tenant_id: demoId('tenant:initech'), name: 'Initech', bucket: 'pro', limit: 300, used: 0, remaining: 300, ...window },
      ],
      clients: [{ ip: '127.0.0.1', bucket: 'unauthenticated', limit: 1, used: 1, remaining: 0, ...window }],
    }
    expect(await (await control('/rate-limits')).json()).toEqual(expected)
    expect(await (await control('/rate-limits')).json()).toEqual(expected)
    t.clock.advance(60_000)
    const later = (await (await control('/rate-limits')).json()) as { tenants: { used: number; resets_at: string }[] }
    expect(later.tenants[0]).toMatchObject({ used: 0, resets_at: '2026-04-04T10:32:00Z' })
  })
})

describe('browsers', () => {
  it('answers a CORS preflight for any origin, with credentials, and sends no CORS headers without an Origin', async () => {
    const pre = await t.api('/machines', { method: 'OPTIONS', headers: { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'POST' } })
    expect(pre.status).toBe(204)
    expect(pre.headers.get('access-control-allow-origin')).toBe('http://localhost:3000')
    expect(pre.headers.get('access-control-allow-credentials')).toBe('true')
    await control('/reset', { method: 'POST' }) // this file allows one login a minute
    const headers = await t.bearer('viewer@acme.example')
    const plain = await t.api('/machines', { headers })
    expect(plain.headers.get('access-control-allow-credentials')).toBeNull()
    const browser = await t.api('/machines', { headers: { ...headers, Origin: 'http://localhost:3000' } })
    expect(browser.headers.get('access-control-expose-headers')).toBe('X-RateLimit-Limit,X-RateLimit-Remaining,X-RateLimit-Reset,Retry-After')
  })
})

describe('a token whose tenant is gone', () => {
  it('answers 404 Tenant not found. after a reset removed the registered tenant', async () => {
    await control('/reset', { method: 'POST' })
    const reg = await t.api('/auth/register', { method: 'POST', json: { email: 'gone@tenant.example', password: 'Str0ng!pass', full_name: 'G', tenant_name: 'Gone' } })
    const headers = { Authorization: `Bearer ${(await reg.json()).access_token}` }
    await control('/reset', { method: 'POST' })
    const res = await t.api('/auth/me', { headers })
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ detail: 'Tenant not found.' })
  })
})
