import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { demoApiKey, demoPassword, useServer } from '../helpers.js'
import { defaultRateLimits } from '../../src/api/rate-limits.js'
import { demoId } from '../../src/store/demo.js'

describe('rate limits (built-in table)', () => {
  const t = useServer({ rateLimitTable: defaultRateLimits })

  it('sends X-RateLimit-Limit and -Remaining on every response, per tier', async () => {
    const acme = await t.bearer('viewer@acme.example')
    const first = await t.api('/machines', { headers: acme })
    expect([first.headers.get('x-ratelimit-limit'), first.headers.get('x-ratelimit-remaining')]).toEqual(['300', '299'])
    expect(first.headers.get('x-ratelimit-reset')).toBeNull()
    const globex = await t.api('/machines', { headers: await t.bearer('admin@globex.example') })
    expect([globex.headers.get('x-ratelimit-limit'), globex.headers.get('x-ratelimit-remaining')]).toEqual(['60', '59'])
  })

  it('answers 429 with a Retry-After and X-RateLimit-Reset that are true for the window, then recovers', async () => {
    const headers = await t.bearer('admin@globex.example')
    t.clock.set(Date.parse('2026-04-04T10:32:00Z'))
    for (let i = 0; i < 60; i++) expect((await t.api('/machines', { headers })).status).toBe(200)
    t.clock.advance(15_000)
    const limited = await t.api('/machines', { headers })
    expect(limited.status).toBe(429)
    expect(await limited.json()).toEqual({ detail: 'Rate limit exceeded.' })
    expect({
      limit: limited.headers.get('x-ratelimit-limit'),
      remaining: limited.headers.get('x-ratelimit-remaining'),
      retryAfter: limited.headers.get('retry-after'),
      reset: limited.headers.get('x-ratelimit-reset'),
    }).toEqual({ limit: '60', remaining: '0', retryAfter: '45', reset: String(Date.parse('2026-04-04T10:33:00Z') / 1000) })
    t.clock.advance(44_000)
    expect((await t.api('/machines', { headers })).status).toBe(429)
    t.clock.advance(1_000)
    const after = await t.api('/machines', { headers })
    expect(after.status).toBe(200)
    expect(after.headers.get('x-ratelimit-remaining')).toBe('59')
  })

  it('counts JWT and API-key traffic of one tenant together', async () => {
    t.clock.set(Date.parse('2026-04-04T10:40:00Z'))
    const jwt = await t.api('/machines', { headers: await t.bearer('viewer@acme.example') })
    const key = await t.api('/machines', { headers: { 'X-API-Key': demoApiKey } })
    expect(Number(jwt.headers.get('x-ratelimit-remaining')) - Number(key.headers.get('x-ratelimit-remaining'))).toBe(1)
  })

  it('limits login to 20 per minute per client IP', async () => {
    t.clock.set(Date.parse('2026-04-04T10:50:00Z'))
    const login = () => t.api('/auth/login', { method: 'POST', json: { email: 'viewer@acme.example', password: demoPassword } })
    for (let i = 0; i < 20; i++) expect((await login()).status).toBe(200)
    const res = await login()
    expect(res.status).toBe(429)
    expect(res.headers.get('x-ratelimit-limit')).toBe('20')
    expect(res.headers.get('retry-after')).toBe('60')
  })
})

describe('rate limits off', () => {
  const t = useServer({ rateLimitTable: null })
  it('sends no rate-limit headers and never answers 429', async () => {
    const headers = await t.bearer('admin@globex.example')
    for (let i = 0; i < 70; i++) {
      const res = await t.api('/machines', { headers })
      expect(res.status).toBe(200)
      expect(res.headers.get('x-ratelimit-limit')).toBeNull()
    }
  })
})

describe('subscriptions', () => {
  const t = useServer()
  const payment = { detail: 'Subscription inactive. Please update your billing information.' }
  const setTenant = (slug: string, json: object) =>
    fetch(`${t.url}/__mock/tenants/${demoId(`tenant:${slug}`)}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) })

  it('lets Initech (canceled) log in and read /auth/me, and answers 402 everywhere else', async () => {
    const headers = await t.bearer('admin@initech.example')
    const me = await t.api('/auth/me', { headers })
    expect(me.status).toBe(200)
    expect(await me.json()).toMatchObject({ subscription_status: 'canceled', subscription_tier: 'pro' })
    for (const [path, method] of [['/machines', 'GET'], ['/users', 'GET'], ['/settings/api-keys', 'GET']] as const) {
      const res = await t.api(path, { method, headers })
      expect(res.status).toBe(402)
      expect(await res.json()).toEqual(payment)
    }
    expect((await t.api('/auth/logout', { method: 'POST', headers })).status).toBe(204)
  })

  it('keeps a past_due tenant working through the 7-day grace period, then answers 402', async () => {
    expect((await setTenant('globex', { subscription_status: 'past_due' })).status).toBe(200)
    const key = { 'X-API-Key': 'hk_demoglobex0000000000000000000000' }
    t.clock.advance(7 * 86_400_000 - 1_000)
    expect((await t.api('/machines', { headers: key })).status).toBe(200)
    t.clock.advance(1_000)
    const res = await t.api('/machines', { headers: key })
    expect(res.status).toBe(402)
    expect(await res.json()).toEqual(payment)
    expect((await setTenant('globex', { subscription_status: 'trialing' })).status).toBe(200)
    expect((await t.api('/machines', { headers: key })).status).toBe(200)
  })
})

describe('order of checks: 401 → 429 → 402 → 403 → 422 → 404', () => {
  const t = useServer({ rateLimitTable: { ...defaultRateLimits, pro: { limit: 2, window_s: 60 } } })
  const setAcme = (json: object) =>
    fetch(`${t.url}/__mock/tenants/${demoId('tenant:acme')}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) })

  it('401 before anything else, and an unauthenticated request is not counted', async () => {
    const res = await t.api('/machines', { method: 'POST', json: { bad: true } })
    expect(res.status).toBe(401)
    expect(res.headers.get('x-ratelimit-limit')).toBeNull()
  })

  it('403 before 422, 422 before 404', async () => {
    t.clock.set(Date.parse('2026-04-04T11:00:00Z'))
    const viewer = await t.bearer('viewer@acme.example')
    const forbidden = await t.api('/machines', { method: 'POST', headers: viewer, json: { bad: true } })
    expect(forbidden.status).toBe(403)
    expect(await forbidden.json()).toEqual({ detail: 'Insufficient permissions.' })
    const operator = await t.bearer('operator@acme.example')
    const invalid = await t.api(`/machines/${demoId('machine:acme:NOPE')}`, { method: 'PATCH', headers: operator, json: { protocol: 'ftp' } })
    expect(invalid.status).toBe(422)
  })

  it('402 before 403, and 429 before 402', async () => {
    t.clock.set(Date.parse('2026-04-04T11:10:00Z'))
    await setAcme({ subscription_status: 'canceled' })
    const viewer = await t.bearer('viewer@acme.example')
    const lapsed = await t.api('/machines', { method: 'POST', headers: viewer, json: {} })
    expect(lapsed.status).toBe(402)
    await t.api('/machines', { headers: viewer })
    const limited = await t.api('/machines', { method: 'POST', headers: viewer, json: {} })
    expect(limited.status).toBe(429)
    await setAcme({ subscription_status: 'active' })
  })
})

describe('a rate-limit table file', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'haltless-limits-')), 'limits.yaml')
  writeFileSync(file, 'pro: { limit: 2, window_s: 10 }\n')
  const t = useServer({ rateLimits: file })

  it('replaces the named tiers and keeps the defaults of the others', async () => {
    t.clock.set(Date.parse('2026-04-04T12:00:00Z'))
    const acme = await t.bearer('viewer@acme.example')
    expect((await t.api('/machines', { headers: acme })).headers.get('x-ratelimit-limit')).toBe('2')
    await t.api('/machines', { headers: acme })
    t.clock.advance(3_000)
    const limited = await t.api('/machines', { headers: acme })
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('7')
    const globex = await t.api('/machines', { headers: await t.bearer('admin@globex.example') })
    expect(globex.headers.get('x-ratelimit-limit')).toBe('60')
  })
})
