import { describe, expect, it } from 'vitest'
import { useServer } from '../helpers.js'
import { demoId } from '../../src/store/demo.js'

const t = useServer()
const acme = demoId('tenant:acme')
const sap = demoId('erp-connection:acme:1')
const globexConn = demoId('erp-connection:globex:1')
const uuid = expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
const sapBody = {
  id: sap, tenant_id: acme, name: 'SAP S/4HANA Production', provider: 'sap', base_url: 'https://sap.acme.example/sap/opu/odata/sap',
  sync_interval_minutes: 60, is_active: true, field_mappings: { work_order: { title: 'ShortText', priority: 'Priority' }, machine: { machine_identifier: 'Equipment' } },
  created_at: '2026-03-05T10:30:00Z', updated_at: '2026-03-05T10:30:00Z',
}
const demoLogs = [
  { id: demoId('erp-sync-log:acme:2'), connection_id: sap, direction: 'inbound', entity_type: 'machine', entity_id: null, status: 'success', records_processed: 4, error_message: null, started_at: '2026-04-04T09:30:00Z', completed_at: '2026-04-04T09:30:02Z' },
  { id: demoId('erp-sync-log:acme:1'), connection_id: sap, direction: 'outbound', entity_type: 'work_order', entity_id: null, status: 'success', records_processed: 7, error_message: null, started_at: '2026-04-04T08:30:00Z', completed_at: '2026-04-04T08:30:02Z' },
]

const admin = () => t.bearer('admin@acme.example')
const createConn = async (json: Record<string, unknown>) => {
  const res = await t.api('/erp/connections', { method: 'POST', headers: await admin(), json })
  expect(res.status).toBe(201)
  return res.json()
}

describe('/erp/connections', () => {
  it('lists the tenant\'s connections without auth_config', async () => {
    const res = await t.api('/erp/connections', { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual([sapBody])
    expect(await (await t.api(`/erp/connections/${sap}`, { headers: await t.bearer('viewer@acme.example') })).json()).toEqual(sapBody)
  })

  it('creates a connection with defaults, never echoing auth_config', async () => {
    const body = await createConn({ name: 'Oracle EBS', provider: 'oracle', base_url: 'https://ebs.acme.example', auth_config: { password: 's3cret' } })
    expect(body).toEqual({
      id: uuid, tenant_id: acme, name: 'Oracle EBS', provider: 'oracle', base_url: 'https://ebs.acme.example', sync_interval_minutes: 60,
      is_active: true, field_mappings: {}, created_at: '2026-04-04T10:30:00Z', updated_at: '2026-04-04T10:30:00Z',
    })
  })

  it('patches and deletes a connection (its logs go with it)', async () => {
    const conn = await createConn({ name: 'Dyn', provider: 'dynamics', base_url: 'https://d.example', sync_interval_minutes: 5 })
    t.clock.advance(60_000)
    const headers = await admin()
    const patched = await t.api(`/erp/connections/${conn.id}`, { method: 'PATCH', headers, json: { sync_interval_minutes: 1440, is_active: false, auth_config: { k: 1 } } })
    expect(patched.status).toBe(200)
    expect(await patched.json()).toEqual({ ...conn, sync_interval_minutes: 1440, is_active: false, updated_at: '2026-04-04T10:31:00Z' })
    await t.api(`/erp/connections/${conn.id}/sync`, { method: 'POST', headers, json: { direction: 'outbound', entity_type: 'downtime' } })
    const deleted = await t.api(`/erp/connections/${conn.id}`, { method: 'DELETE', headers })
    expect(deleted.status).toBe(204)
    expect(await deleted.text()).toBe('')
    const gone = await t.api(`/erp/connections/${conn.id}`, { headers })
    expect(gone.status).toBe(404)
    expect(await gone.json()).toEqual({ detail: 'ERP connection not found.' })
    const all = await (await t.api('/erp/logs?page_size=100', { headers })).json()
    expect(all.items.filter((l: { connection_id: string }) => l.connection_id === conn.id)).toEqual([])
  })

  it('refuses the 11th connection of a tenant with 400', async () => {
    const reg = await t.api('/auth/register', { method: 'POST', json: { email: 'erp@limit.example', password: 'Limit-Pass-1', full_name: 'L', tenant_name: 'Limit Co' } })
    const headers = { Authorization: `Bearer ${(await reg.json()).access_token}` }
    for (let i = 0; i < 10; i++) {
      const ok = await t.api('/erp/connections', { method: 'POST', headers, json: { name: `c${i}`, provider: 'sap', base_url: 'https://x.example' } })
      expect(ok.status).toBe(201)
    }
    const res = await t.api('/erp/connections', { method: 'POST', headers, json: { name: 'c10', provider: 'sap', base_url: 'https://x.example' } })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ detail: 'Maximum of 10 ERP connections per tenant reached.' })
  })

  it.each([
    ['a bad provider', { provider: 'netsuite' }, { loc: ['body', 'provider'], msg: "Input should be 'sap', 'dynamics' or 'oracle'", type: 'enum' }],
    ['an interval under 5', { sync_interval_minutes: 4 }, { loc: ['body', 'sync_interval_minutes'], msg: 'Input should be greater than or equal to 5', type: 'greater_than_equal' }],
    ['an interval over 1440', { sync_interval_minutes: 1441 }, { loc: ['body', 'sync_interval_minutes'], msg: 'Input should be less than or equal to 1440', type: 'less_than_equal' }],
    ['auth_config not an object', { auth_config: ['x'] }, { loc: ['body', 'auth_config'], msg: 'Input should be a valid dictionary', type: 'dict_type' }],
  ])('answers 422 for %s', async (_, patch, item) => {
    const res = await t.api('/erp/connections', { method: 'POST', headers: await admin(), json: { name: 'n', provider: 'sap', base_url: 'https://x.example', ...patch } })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail: [item] })
  })

  it('answers 422 for missing fields', async () => {
    const res = await t.api('/erp/connections', { method: 'POST', headers: await admin(), json: {} })
    expect(await res.json()).toEqual({ detail: ['name', 'provider', 'base_url'].map((f) => ({ loc: ['body', f], msg: 'Field required', type: 'missing' })) })
  })

  it.each([
    ['operator', 'POST', '/erp/connections', { name: 'n', provider: 'sap', base_url: 'https://x.example' }],
    ['operator', 'PATCH', `/erp/connections/${sap}`, {}],
    ['operator', 'DELETE', `/erp/connections/${sap}`, undefined],
    ['operator', 'POST', `/erp/connections/${sap}/test`, undefined],
    ['viewer', 'POST', `/erp/connections/${sap}/sync`, { direction: 'inbound', entity_type: 'machine' }],
  ])('refuses %s on %s %s with 403', async (role, method, path, json) => {
    const res = await t.api(path, { method, headers: await t.bearer(`${role}@acme.example`), json })
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({ detail: 'Insufficient permissions.' })
  })

  it.each([
    ['GET', `/erp/connections/${globexConn}`, undefined],
    ['PATCH', `/erp/connections/${globexConn}`, { name: 'mine' }],
    ['DELETE', `/erp/connections/${globexConn}`, undefined],
    ['POST', `/erp/connections/${globexConn}/test`, undefined],
    ['POST', `/erp/connections/${globexConn}/sync`, { direction: 'inbound', entity_type: 'machine' }],
    ['GET', `/erp/connections/${globexConn}/logs`, undefined],
  ])('answers 404 for another tenant\'s connection: %s %s', async (method, path, json) => {
    const res = await t.api(path, { method, headers: await admin(), json })
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ detail: 'ERP connection not found.' })
  })
})

describe('POST /erp/connections/{id}/test', () => {
  it('reports success with the provider\'s name', async () => {
    const headers = await admin()
    const res = await t.api(`/erp/connections/${sap}/test`, { method: 'POST', headers })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ success: true, latency_ms: 120, message: 'Successfully connected to SAP' })
    const dyn = await createConn({ name: 'D', provider: 'dynamics', base_url: 'https://d.example' })
    expect(await (await t.api(`/erp/connections/${dyn.id}/test`, { method: 'POST', headers })).json()).toEqual({ success: true, latency_ms: 120, message: 'Successfully connected to Microsoft Dynamics' })
  })

  it('reports failure for a host under .invalid', async () => {
    const conn = await createConn({ name: 'Down', provider: 'oracle', base_url: 'https://erp.down.invalid/api' })
    const res = await t.api(`/erp/connections/${conn.id}/test`, { method: 'POST', headers: await admin() })
    expect(await res.json()).toEqual({ success: false, latency_ms: null, message: 'Failed to connect to Oracle' })
  })
})

describe('ERP syncs', () => {
  it('lists the demo logs newest first', async () => {
    const headers = await t.bearer('viewer@acme.example')
    const res = await t.api(`/erp/connections/${sap}/logs`, { headers })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ items: demoLogs, total: 2, page: 1, page_size: 20, total_pages: 1 })
    const second = await (await t.api(`/erp/connections/${sap}/logs?page=2&page_size=1`, { headers })).json()
    expect(second).toEqual({ items: [demoLogs[1]], total: 2, page: 2, page_size: 1, total_pages: 2 })
  })

  it('starts a sync that is pending, then in progress, then successful as the clock moves', async () => {
    const headers = await t.bearer('operator@acme.example')
    const res = await t.api(`/erp/connections/${sap}/sync`, { method: 'POST', headers, json: { direction: 'inbound', entity_type: 'machine' } })
    expect(res.status).toBe(202)
    const log = await res.json()
    const started = new Date(t.clock.now() - (t.clock.now() % 1000)).toISOString().replace('.000Z', 'Z')
    expect(log).toEqual({ id: uuid, connection_id: sap, direction: 'inbound', entity_type: 'machine', entity_id: null, status: 'pending', records_processed: 0, error_message: null, started_at: started, completed_at: null })
    const first = async () => (await (await t.api(`/erp/connections/${sap}/logs`, { headers })).json()).items[0]
    expect(await first()).toEqual(log)
    t.clock.advance(1000)
    expect(await first()).toEqual({ ...log, status: 'in_progress' })
    t.clock.advance(1000)
    const done = await first()
    expect(done).toEqual({ ...log, status: 'success', records_processed: 4, completed_at: new Date(Date.parse(started) + 2000).toISOString().replace('.000Z', 'Z') })
    expect((await (await t.api('/erp/logs', { headers })).json()).items[0]).toEqual(done)
  })

  it('counts one record for a named entity', async () => {
    const headers = await t.bearer('operator@acme.example')
    const log = await (await t.api(`/erp/connections/${sap}/sync`, { method: 'POST', headers, json: { direction: 'outbound', entity_type: 'work_order', entity_id: 'WO-1001' } })).json()
    t.clock.advance(2000)
    const items = (await (await t.api(`/erp/connections/${sap}/logs`, { headers })).json()).items
    expect(items[0]).toEqual({ ...log, status: 'success', records_processed: 1, completed_at: expect.any(String) })
  })

  it('skips a sync on an inactive connection and fails one on an unreachable host', async () => {
    const headers = await admin()
    const inactive = await createConn({ name: 'Off', provider: 'sap', base_url: 'https://off.example', is_active: false })
    const skipped = await (await t.api(`/erp/connections/${inactive.id}/sync`, { method: 'POST', headers, json: { direction: 'outbound', entity_type: 'production_data' } })).json()
    expect(skipped).toMatchObject({ status: 'skipped', records_processed: 0, error_message: 'Connection is inactive', completed_at: skipped.started_at })
    const down = await createConn({ name: 'Down', provider: 'dynamics', base_url: 'https://x.invalid' })
    const failing = await (await t.api(`/erp/connections/${down.id}/sync`, { method: 'POST', headers, json: { direction: 'outbound', entity_type: 'downtime' } })).json()
    expect(failing).toMatchObject({ status: 'pending', error_message: null })
    t.clock.advance(2000)
    const [failed] = (await (await t.api(`/erp/connections/${down.id}/logs`, { headers })).json()).items
    expect(failed).toMatchObject({ id: failing.id, status: 'failed', records_processed: 0, error_message: 'Failed to connect to Microsoft Dynamics' })
  })

  it.each([
    ['downtime inbound', { direction: 'inbound', entity_type: 'downtime' }, { loc: ['body', 'entity_type'], msg: 'Value error, downtime can only be synced outbound', type: 'value_error' }],
    ['machine outbound', { direction: 'outbound', entity_type: 'machine' }, { loc: ['body', 'entity_type'], msg: 'Value error, machine can only be synced inbound', type: 'value_error' }],
    ['a bad direction', { direction: 'sideways', entity_type: 'machine' }, { loc: ['body', 'direction'], msg: "Input should be 'inbound' or 'outbound'", type: 'enum' }],
    ['a bad entity', { direction: 'inbound', entity_type: 'invoice' }, { loc: ['body', 'entity_type'], msg: "Input should be 'work_order', 'production_data', 'downtime' or 'machine'", type: 'enum' }],
  ])('answers 422 for %s', async (_, json, item) => {
    const res = await t.api(`/erp/connections/${sap}/sync`, { method: 'POST', headers: await admin(), json })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail: [item] })
  })

  it('shows only the caller\'s tenant in /erp/logs', async () => {
    const body = await (await t.api('/erp/logs', { headers: await t.bearer('admin@globex.example') })).json()
    expect(body).toEqual({ items: [], total: 0, page: 1, page_size: 20, total_pages: 0 })
  })
})
