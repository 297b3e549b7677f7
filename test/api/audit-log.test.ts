import { describe, expect, it } from 'vitest'
import { useServer } from '../helpers.js'
import { demoId } from '../../src/store/demo.js'

const t = useServer()
const acme = demoId('tenant:acme')
const admin = demoId('user:admin@acme.example')
const entryId = expect.stringMatching(/^[0-9a-f-]{36}$/)

describe('GET /audit', () => {
  it('starts with the demo history, newest first, in the pagination envelope', async () => {
    const res = await t.api('/audit?resource_type=machine', { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body).toMatchObject({ total: 4, page: 1, page_size: 20, total_pages: 1 })
    expect(body.items.map((e: { details: { machine_identifier: string } }) => e.details.machine_identifier)).toEqual(['ROBOT-07', 'PRESS-01', 'CNC-002', 'CNC-001'])
    expect(body.items[3]).toEqual({
      id: demoId('audit:acme:2'), tenant_id: acme, user_id: admin, action: 'create_machine', resource_type: 'machine',
      resource_id: demoId('machine:acme:CNC-001'), details: { name: 'CNC Mill #1', machine_identifier: 'CNC-001' }, created_at: '2026-01-05T08:00:00Z',
    })
  })

  it('shows a machine created through the API first, then its update and deletion', async () => {
    const headers = await t.bearer('admin@acme.example')
    const created = await (await t.api('/machines', { method: 'POST', headers, json: { name: 'Audit Lathe', machine_identifier: 'AUD-1', protocol: 'json' } })).json()
    t.clock.advance(1000)
    await t.api(`/machines/${created.id}`, { method: 'PATCH', headers, json: { location: 'Hall 9' } })
    t.clock.advance(1000)
    await t.api(`/machines/${created.id}`, { method: 'DELETE', headers })
    const body = await (await t.api('/audit?resource_type=machine&page_size=3', { headers })).json()
    expect(body).toMatchObject({ total: 7, page: 1, page_size: 3, total_pages: 3 })
    expect(body.items).toEqual([
      { id: entryId, tenant_id: acme, user_id: admin, action: 'delete_machine', resource_type: 'machine', resource_id: created.id, details: { machine_identifier: 'AUD-1' }, created_at: '2026-04-04T10:30:02Z' },
      { id: entryId, tenant_id: acme, user_id: admin, action: 'update_machine', resource_type: 'machine', resource_id: created.id, details: { location: 'Hall 9' }, created_at: '2026-04-04T10:30:01Z' },
      { id: entryId, tenant_id: acme, user_id: admin, action: 'create_machine', resource_type: 'machine', resource_id: created.id, details: { name: 'Audit Lathe', machine_identifier: 'AUD-1' }, created_at: '2026-04-04T10:30:00Z' },
    ])
  })

  it('records logins, failed logins and API keys created and revoked', async () => {
    await t.api('/auth/login', { method: 'POST', json: { email: 'operator@acme.example', password: 'not-it' } })
    const headers = await t.bearer('admin@acme.example')
    const key = await (await t.api('/settings/api-keys', { method: 'POST', headers, json: { name: 'audited key' } })).json()
    await t.api(`/settings/api-keys/${key.id}`, { method: 'DELETE', headers })

    const failures = await (await t.api('/audit?action=login_failure', { headers })).json()
    expect(failures.items[0]).toEqual({
      id: entryId, tenant_id: acme, user_id: demoId('user:operator@acme.example'), action: 'login_failure', resource_type: 'user',
      resource_id: demoId('user:operator@acme.example'), details: { email: 'operator@acme.example' }, created_at: expect.any(String),
    })
    const successes = await (await t.api('/audit?action=login_success', { headers })).json()
    expect(successes.items[0]).toMatchObject({ user_id: admin, resource_type: 'user', resource_id: admin, details: { email: 'admin@acme.example' } })

    const keys = await (await t.api('/audit?resource_type=api_key', { headers })).json()
    expect(keys.items.slice(0, 2).map((e: { action: string; resource_id: string }) => [e.action, e.resource_id])).toEqual([['revoke_api_key', key.id], ['create_api_key', key.id]])
    expect(keys.items[1].details).toEqual({ name: 'audited key', scopes: ['ingest', 'agent'] })
  })

  it('records mfa_enabled when MFA setup is confirmed', async () => {
    const headers = await t.bearer('operator@acme.example')
    await t.api('/auth/mfa/setup', { method: 'POST', headers })
    expect((await t.api('/auth/mfa/verify-setup', { method: 'POST', headers, json: { code: '000000' } })).status).toBe(200)
    const body = await (await t.api('/audit?action=mfa_enabled', { headers })).json()
    expect(body.items).toEqual([{
      id: entryId, tenant_id: acme, user_id: demoId('user:operator@acme.example'), action: 'mfa_enabled', resource_type: 'user',
      resource_id: demoId('user:operator@acme.example'), details: {}, created_at: expect.any(String),
    }])
  })

  it('shows only the caller\'s tenant', async () => {
    const body = await (await t.api('/audit?resource_type=machine', { headers: await t.bearer('admin@globex.example') })).json()
    expect(body.items).toEqual([{
      id: demoId('audit:globex:2'), tenant_id: demoId('tenant:globex'), user_id: demoId('user:admin@globex.example'), action: 'create_machine',
      resource_type: 'machine', resource_id: demoId('machine:globex:GLX-001'), details: { name: 'Globex Lathe', machine_identifier: 'GLX-001' }, created_at: '2026-01-05T08:00:00Z',
    }])
  })

  it('answers an unknown action with no items, and a page past the end empty', async () => {
    const headers = await t.bearer('viewer@acme.example')
    expect(await (await t.api('/audit?action=nothing_like_it', { headers })).json()).toEqual({ items: [], total: 0, page: 1, page_size: 20, total_pages: 0 })
    expect((await (await t.api('/audit?page=999', { headers })).json()).items).toEqual([])
  })

  it.each([
    [`action=${'a'.repeat(101)}`, { loc: ['query', 'action'], msg: 'String should have at most 100 characters', type: 'string_too_long' }],
    [`resource_type=${'r'.repeat(101)}`, { loc: ['query', 'resource_type'], msg: 'String should have at most 100 characters', type: 'string_too_long' }],
    ['page_size=101', { loc: ['query', 'page_size'], msg: 'Input should be less than or equal to 100', type: 'less_than_equal' }],
  ])('answers 422 for %s', async (query, item) => {
    const res = await t.api(`/audit?${query}`, { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail: [item] })
  })

  it('needs a JWT', async () => {
    const res = await t.api('/audit')
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ detail: 'Not authenticated' })
  })
})
