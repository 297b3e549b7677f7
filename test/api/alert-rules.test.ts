import { describe, expect, it } from 'vitest'
import { demoApiKey, useServer } from '../helpers.js'
import { demoId } from '../../src/store/demo.js'

const t = useServer()
const acme = demoId('tenant:acme')
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const seededAt = '2026-03-05T10:30:00Z' // 30 days before start-up

const demoRule = (n: number) => ({
  1: { id: demoId('alert-rule:acme:1'), tenant_id: acme, name: 'High temperature', machine_id: null, metric_name: 'temperature', operator: 'gt', threshold: 85, severity: 'critical', duration_seconds: 0, is_active: true, created_at: seededAt, updated_at: seededAt },
  2: { id: demoId('alert-rule:acme:2'), tenant_id: acme, name: 'High vibration', machine_id: null, metric_name: 'vibration', operator: 'gt', threshold: 7, severity: 'warning', duration_seconds: 0, is_active: true, created_at: seededAt, updated_at: seededAt },
  3: { id: demoId('alert-rule:acme:3'), tenant_id: acme, name: 'Press hydraulic pressure low', machine_id: demoId('machine:acme:PRESS-01'), metric_name: 'pressure', operator: 'lt', threshold: 120, severity: 'warning', duration_seconds: 60, is_active: false, created_at: seededAt, updated_at: seededAt },
})[n]

describe('GET /alert-rules', () => {
  it('lists the tenant\'s rules oldest first in the pagination envelope, for any role', async () => {
    const res = await t.api('/alert-rules', { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ items: [demoRule(1), demoRule(2), demoRule(3)], total: 3, page: 1, page_size: 20, total_pages: 1 })
  })

  it('filters by machine_id, metric_name and is_active', async () => {
    const headers = await t.bearer('viewer@acme.example')
    const inactive = await (await t.api('/alert-rules?is_active=false', { headers })).json()
    expect(inactive.items).toEqual([demoRule(3)])
    const press = await (await t.api(`/alert-rules?machine_id=${demoId('machine:acme:PRESS-01')}`, { headers })).json()
    expect(press.items).toEqual([demoRule(3)])
    const vibration = await (await t.api('/alert-rules?metric_name=vibration&page_size=1', { headers })).json()
    expect(vibration).toEqual({ items: [demoRule(2)], total: 1, page: 1, page_size: 1, total_pages: 1 })
  })

  it('shows another tenant only its own rules', async () => {
    const body = await (await t.api('/alert-rules', { headers: await t.bearer('admin@globex.example') })).json()
    expect(body.items.map((r: { id: string }) => r.id)).toEqual([demoId('alert-rule:globex:1')])
  })

  it('takes no API key', async () => {
    const res = await t.api('/alert-rules', { headers: { 'X-API-Key': demoApiKey } })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ detail: 'Not authenticated' })
  })
})

describe('alert rule lifecycle', () => {
  it('creates (with defaults and an audit entry), reads, patches and deletes a rule', async () => {
    const headers = await t.bearer('operator@acme.example')
    const created = await t.api('/alert-rules', { method: 'POST', headers, json: { name: 'Cold spindle', metric_name: 'temperature', operator: 'lt', threshold: 5.5, severity: 'info', extra: 'ignored' } })
    expect(created.status).toBe(201)
    const rule = await created.json()
    expect(rule).toEqual({
      id: expect.stringMatching(uuidPattern), tenant_id: acme, name: 'Cold spindle', machine_id: null, metric_name: 'temperature',
      operator: 'lt', threshold: 5.5, severity: 'info', duration_seconds: 0, is_active: true,
      created_at: '2026-04-04T10:30:00Z', updated_at: '2026-04-04T10:30:00Z',
    })
    const entry = t.server.deps.store.audit.get(acme)!.at(-1)!
    expect(entry).toMatchObject({ action: 'create_alert_rule', resource_type: 'alert_rule', resource_id: rule.id, user_id: demoId('user:operator@acme.example') })
    expect(await (await t.api(`/alert-rules/${rule.id}`, { headers: await t.bearer('viewer@acme.example') })).json()).toEqual(rule)

    t.clock.advance(10_000)
    const cnc = demoId('machine:acme:CNC-001')
    const patched = await t.api(`/alert-rules/${rule.id}`, { method: 'PATCH', headers, json: { machine_id: cnc, threshold: 4, is_active: false } })
    expect(patched.status).toBe(200)
    expect(await patched.json()).toEqual({ ...rule, machine_id: cnc, threshold: 4, is_active: false, updated_at: '2026-04-04T10:30:10Z' })
    const unscoped = await (await t.api(`/alert-rules/${rule.id}`, { method: 'PATCH', headers, json: { machine_id: null } })).json()
    expect(unscoped.machine_id).toBeNull()

    const deleted = await t.api(`/alert-rules/${rule.id}`, { method: 'DELETE', headers })
    expect(deleted.status).toBe(204)
    expect(await deleted.text()).toBe('')
    const gone = await t.api(`/alert-rules/${rule.id}`, { headers })
    expect(gone.status).toBe(404)
    expect(await gone.json()).toEqual({ detail: 'Alert rule not found.' })
  })

  it('scopes a rule to a machine of the tenant, else 404 Machine not found.', async () => {
    const headers = await t.bearer('admin@acme.example')
    const body = { name: 'x', metric_name: 'm', operator: 'eq', threshold: 1, severity: 'warning' }
    for (const machine_id of [demoId('machine:globex:GLX-001'), '00000000-0000-4000-8000-000000000000']) {
      const res = await t.api('/alert-rules', { method: 'POST', headers, json: { ...body, machine_id } })
      expect(res.status).toBe(404)
      expect(await res.json()).toEqual({ detail: 'Machine not found.' })
    }
    const patch = await t.api(`/alert-rules/${demoId('alert-rule:acme:1')}`, { method: 'PATCH', headers, json: { machine_id: demoId('machine:globex:GLX-001') } })
    expect(patch.status).toBe(404)
    expect(await patch.json()).toEqual({ detail: 'Machine not found.' })
  })

  it('answers 403 Insufficient permissions. to a viewer writing', async () => {
    const headers = await t.bearer('viewer@acme.example')
    const id = demoId('alert-rule:acme:1')
    for (const [method, path, json] of [['POST', '/alert-rules', {}], ['PATCH', `/alert-rules/${id}`, {}], ['DELETE', `/alert-rules/${id}`, undefined]] as const) {
      const res = await t.api(path, { method, headers, json })
      expect(res.status).toBe(403)
      expect(await res.json()).toEqual({ detail: 'Insufficient permissions.' })
    }
  })

  it('hides another tenant\'s rule behind 404 Alert rule not found.', async () => {
    const headers = await t.bearer('admin@globex.example')
    const id = demoId('alert-rule:acme:1')
    for (const [method, json] of [['GET', undefined], ['PATCH', { threshold: 1 }], ['DELETE', undefined]] as const) {
      const res = await t.api(`/alert-rules/${id}`, { method, headers, json })
      expect(res.status).toBe(404)
      expect(await res.json()).toEqual({ detail: 'Alert rule not found.' })
    }
  })

  it('answers 422 with pydantic items for a bad body', async () => {
    const res = await t.api('/alert-rules', {
      method: 'POST', headers: await t.bearer('admin@acme.example'),
      json: { name: '', operator: 'above', threshold: '85x', severity: 'fatal', duration_seconds: -1, machine_id: 'nope' },
    })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({
      detail: [
        { loc: ['body', 'name'], msg: 'String should have at least 1 character', type: 'string_too_short' },
        { loc: ['body', 'machine_id'], msg: 'Input should be a valid UUID, invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `n` at 1', type: 'uuid_parsing' },
        { loc: ['body', 'metric_name'], msg: 'Field required', type: 'missing' },
        { loc: ['body', 'operator'], msg: "Input should be 'gt', 'gte', 'lt', 'lte' or 'eq'", type: 'enum' },
        { loc: ['body', 'threshold'], msg: 'Input should be a valid number', type: 'float_type' },
        { loc: ['body', 'severity'], msg: "Input should be 'info', 'warning' or 'critical'", type: 'enum' },
        { loc: ['body', 'duration_seconds'], msg: 'Input should be greater than or equal to 0', type: 'greater_than_equal' },
      ],
    })
  })

  it('answers 422 uuid_parsing for a malformed rule id', async () => {
    const res = await t.api('/alert-rules/123', { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail: [{ loc: ['path', 'rule_id'], msg: 'Input should be a valid UUID, invalid length: expected length 32 for simple format, found 3', type: 'uuid_parsing' }] })
  })
})

describe('rules on ingestion', () => {
  it('fires a rule created over the API for its machine only, and an inactive rule not at all', async () => {
    const headers = await t.bearer('operator@acme.example')
    const press = demoId('machine:acme:PRESS-01')
    const rule = await (await t.api('/alert-rules', { method: 'POST', headers, json: { name: 'Oil low', machine_id: press, metric_name: 'oil_level', operator: 'lte', threshold: 20, severity: 'warning' } })).json()
    const at = new Date(t.clock.now()).toISOString()
    const reading = (machine_identifier: string, metric_name: string, value: number) => ({ machine_identifier, timestamp: at, metric_name, value, unit: 'percent' })
    const ingest = await t.api('/ingest', {
      method: 'POST', headers: { 'X-API-Key': demoApiKey },
      json: { readings: [reading('PRESS-01', 'oil_level', 18), reading('CNC-001', 'oil_level', 10), reading('PRESS-01', 'pressure', 90)] },
    })
    expect(ingest.status).toBe(207)
    const list = await (await t.api('/alerts?is_acknowledged=false', { headers })).json()
    const fired = list.items.filter((a: { metric_name: string }) => a.metric_name === 'oil_level' || a.metric_name === 'pressure')
    expect(fired).toEqual([expect.objectContaining({ machine_id: press, severity: 'warning', message: 'Oil level fell to 20% threshold', metric_value: 18, threshold_value: 20 })])
    expect(rule.machine_id).toBe(press)
  })
})
