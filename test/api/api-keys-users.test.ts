import { describe, expect, it } from 'vitest'
import { demoApiKey, useServer } from '../helpers.js'
import { demoId } from '../../src/store/demo.js'

const t = useServer()

describe('/settings/api-keys', () => {
  it('creates a key (shown once, in full), lists it by prefix, and revokes it', async () => {
    const headers = await t.bearer('admin@acme.example')
    const res = await t.api('/settings/api-keys', { method: 'POST', headers, json: { name: 'line-3 agent' } })
    expect(res.status).toBe(201)
    const created = await res.json()
    expect(created).toEqual({
      id: expect.any(String), name: 'line-3 agent', key: expect.stringMatching(/^hk_[A-Za-z0-9]{32}$/), plaintext_key: created.key,
      key_prefix: created.key.slice(0, 8), scopes: ['ingest', 'agent'], tenant_id: demoId('tenant:acme'), expires_at: null, created_at: '2026-04-04T10:30:00Z',
    })

    const list = await (await t.api('/settings/api-keys', { headers: await t.bearer('viewer@acme.example') })).json()
    expect(list).toContainEqual({ id: created.id, name: 'line-3 agent', key_prefix: created.key_prefix, scopes: ['ingest', 'agent'], expires_at: null, created_at: '2026-04-04T10:30:00Z', last_used_at: null })
    expect(JSON.stringify(list)).not.toContain(created.key)

    const revoked = await t.api(`/settings/api-keys/${created.id}`, { method: 'DELETE', headers })
    expect(revoked.status).toBe(204)
    const use = await t.api('/machines', { headers: { 'X-API-Key': created.key } })
    expect(use.status).toBe(401)
    expect(await use.json()).toEqual({ detail: 'Invalid API key.' })
    const again = await t.api(`/settings/api-keys/${created.id}`, { method: 'DELETE', headers })
    expect(again.status).toBe(404)
    expect(await again.json()).toEqual({ detail: 'API key not found.' })
  })

  it.each([
    ['the preset edge_agent as a string', 'edge_agent', ['ingest', 'agent']],
    ['the preset read_only as a one-element list', ['read_only'], ['read:machines', 'read:sensors']],
    ['a scope list', ['read:machines'], ['read:machines']],
  ])('accepts %s', async (_, scopes, expected) => {
    const res = await t.api('/settings/api-keys', { method: 'POST', headers: await t.bearer('admin@acme.example'), json: { name: 'k', scopes } })
    expect(res.status).toBe(201)
    expect((await res.json()).scopes).toEqual(expected)
  })

  it('answers 422 for an unknown scope', async () => {
    const res = await t.api('/settings/api-keys', { method: 'POST', headers: await t.bearer('admin@acme.example'), json: { name: 'k', scopes: ['write:everything'] } })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({
      detail: [{ loc: ['body', 'scopes', 0], msg: "Input should be 'ingest', 'agent', 'read:machines', 'read:sensors', 'edge_agent' or 'read_only'", type: 'enum' }],
    })
  })

  it('an expired key answers 401 Invalid API key.', async () => {
    const created = await (await t.api('/settings/api-keys', { method: 'POST', headers: await t.bearer('admin@acme.example'), json: { name: 'short', scopes: 'read_only', expires_at: '2026-04-04T11:00:00Z' } })).json()
    expect((await t.api('/machines', { headers: { 'X-API-Key': created.key } })).status).toBe(200)
    t.clock.set(Date.parse('2026-04-04T11:00:00Z'))
    const res = await t.api('/machines', { headers: { 'X-API-Key': created.key } })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ detail: 'Invalid API key.' })
  })

  it('records last_used_at for the key', async () => {
    await t.api('/machines', { headers: { 'X-API-Key': demoApiKey } })
    const list = await (await t.api('/settings/api-keys', { headers: await t.bearer('admin@acme.example') })).json()
    expect(list.find((k: { key_prefix: string }) => k.key_prefix === 'hk_demoa').last_used_at).toMatch(/^2026-04-04T\d\d:\d\d:\d\dZ$/)
  })
})

describe('/users', () => {
  it('lists the tenant\'s users in the pagination envelope (admin only)', async () => {
    const res = await t.api('/users', { headers: await t.bearer('admin@acme.example') })
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body).toMatchObject({ total: 4, page: 1, page_size: 20, total_pages: 1 })
    expect(body.items.map((u: { email: string }) => u.email)).toEqual(['admin@acme.example', 'inactive@acme.example', 'operator@acme.example', 'viewer@acme.example'])
  })

  it('creates a user (role default viewer) who can then log in; a taken email is 409', async () => {
    const headers = await t.bearer('admin@acme.example')
    const res = await t.api('/users', { method: 'POST', headers, json: { email: 'new.hire@acme.example', full_name: 'New Hire', password: 'Welcome-2026' } })
    expect(res.status).toBe(201)
    expect(await res.json()).toEqual({
      id: expect.any(String), email: 'new.hire@acme.example', full_name: 'New Hire', tenant_id: demoId('tenant:acme'), role: 'viewer',
      is_active: true, mfa_enabled: false, onboarding_completed: false, subscription_status: 'active', subscription_tier: 'pro',
    })
    expect((await t.login('new.hire@acme.example', 'Welcome-2026')).token).toBeTruthy()
    const dup = await t.api('/users', { method: 'POST', headers, json: { email: 'new.hire@acme.example', full_name: 'X', password: 'Welcome-2026' } })
    expect(dup.status).toBe(409)
    expect(await dup.json()).toEqual({ detail: 'A user with this email already exists.' })
  })
})
