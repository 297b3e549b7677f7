import { describe, expect, it } from 'vitest'
import { demoApiKey, useServer } from '../helpers.js'
import { demoId } from '../../src/store/demo.js'

const t = useServer()
const acme = demoId('tenant:acme')
const cnc1 = demoId('machine:acme:CNC-001')
const cnc2 = demoId('machine:acme:CNC-002')
const operator = demoId('user:operator@acme.example')
const viewer = demoId('user:viewer@acme.example')

const demoAlert = {
  1: {
    id: demoId('alert:acme:1'), machine_id: cnc2, severity: 'warning', message: 'Vibration exceeded 7 mm/s threshold', metric_name: 'vibration',
    metric_value: 7.42, threshold_value: 7, is_acknowledged: false, acknowledged_by: null, acknowledged_at: null, snoozed_until: null,
    created_at: '2026-04-04T08:30:00Z',
  },
  2: {
    id: demoId('alert:acme:2'), machine_id: demoId('machine:acme:PRESS-01'), severity: 'critical', message: 'Temperature exceeded 85°C threshold',
    metric_name: 'temperature', metric_value: 91.3, threshold_value: 85, is_acknowledged: true, acknowledged_by: operator,
    acknowledged_at: '2026-04-01T10:50:00Z', snoozed_until: null, created_at: '2026-04-01T10:30:00Z',
  },
  3: {
    id: demoId('alert:acme:3'), machine_id: demoId('machine:acme:ROBOT-07'), severity: 'info', message: 'Weld current drifted above 210 A baseline',
    metric_name: 'weld_current', metric_value: 212.4, threshold_value: 210, is_acknowledged: false, acknowledged_by: null, acknowledged_at: null,
    snoozed_until: '2026-04-04T14:30:00Z', created_at: '2026-04-03T10:30:00Z',
  },
} as const

const ids = (body: { items: { id: string }[] }) => body.items.map((a) => a.id)
const machineStatus = async (id: string) => (await (await t.api(`/machines/${id}`, { headers: { 'X-API-Key': demoApiKey } })).json()).status
const ingest = (readings: object[]) => t.api('/ingest', { method: 'POST', headers: { 'X-API-Key': demoApiKey }, json: { readings } })
const reading = (value: number) => ({ machine_identifier: 'CNC-001', timestamp: new Date(t.clock.now()).toISOString(), metric_name: 'temperature', value, unit: 'celsius' })

describe('GET /alerts', () => {
  it('lists the tenant\'s alerts newest first with every documented field', async () => {
    const res = await t.api('/alerts', { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ items: [demoAlert[1], demoAlert[3], demoAlert[2]], total: 3, page: 1, page_size: 20, total_pages: 1 })
  })

  it.each([
    ['severity=critical', [2]],
    ['is_acknowledged=false', [1, 3]],
    ['is_acknowledged=true', [2]],
    [`machine_id=${cnc2}`, [1]],
    ['start_date=2026-04-02T00:00:00Z', [1, 3]],
    ['end_date=2026-04-03T10:30:00.000Z', [3, 2]],
    ['start_date=2026-04-02T00:00:00Z&end_date=2026-04-04T00:00:00Z', [3]],
    ['page_size=1&page=2', [3]],
  ] as const)('filters with %s', async (query, expected) => {
    const body = await (await t.api(`/alerts?${query}`, { headers: await t.bearer('viewer@acme.example') })).json()
    expect(ids(body)).toEqual(expected.map((n) => demoAlert[n].id))
  })

  it('shows another tenant only its own alerts', async () => {
    const body = await (await t.api('/alerts', { headers: await t.bearer('admin@globex.example') })).json()
    expect(ids(body)).toEqual([demoId('alert:globex:1')])
  })

  it.each([
    ['severity=fatal', { loc: ['query', 'severity'], msg: "Input should be 'info', 'warning' or 'critical'", type: 'enum' }],
    ['is_acknowledged=maybe', { loc: ['query', 'is_acknowledged'], msg: 'Input should be a valid boolean, unable to interpret input', type: 'bool_parsing' }],
    ['page_size=101', { loc: ['query', 'page_size'], msg: 'Input should be less than or equal to 100', type: 'less_than_equal' }],
    ['start_date=yesterday', { loc: ['query', 'start_date'], msg: 'Input should be a valid datetime or date, invalid character in year', type: 'datetime_from_date_parsing' }],
  ])('answers 422 for %s', async (query, item) => {
    const res = await t.api(`/alerts?${query}`, { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail: [item] })
  })
})

describe('GET /alerts/stats', () => {
  it('counts active (unacknowledged, not snoozed) alerts by severity, and every unacknowledged one', async () => {
    const headers = await t.bearer('viewer@acme.example')
    const res = await t.api('/alerts/stats', { headers })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ total_active: 1, critical_count: 0, warning_count: 1, info_count: 0, unacknowledged_count: 2 })
    t.clock.advance(4 * 3_600_000) // the demo info alert's snooze ends
    expect(await (await t.api('/alerts/stats', { headers: await t.bearer('viewer@acme.example') })).json()).toEqual({ total_active: 2, critical_count: 0, warning_count: 1, info_count: 1, unacknowledged_count: 2 })
  })
})

describe('GET /alerts/{alert_id}', () => {
  it('answers the alert, 404 for another tenant\'s, 422 for a malformed id', async () => {
    const headers = await t.bearer('viewer@acme.example')
    expect(await (await t.api(`/alerts/${demoAlert[2].id}`, { headers })).json()).toEqual(demoAlert[2])
    const foreign = await t.api(`/alerts/${demoId('alert:globex:1')}`, { headers })
    expect(foreign.status).toBe(404)
    expect(await foreign.json()).toEqual({ detail: 'Alert not found.' })
    const bad = await t.api('/alerts/xyz', { headers })
    expect(bad.status).toBe(422)
    expect((await bad.json()).detail[0]).toMatchObject({ loc: ['path', 'alert_id'], type: 'uuid_parsing' })
  })
})

describe('alerts from ingestion', () => {
  it('raises one alert per open condition, sets the machine critical and back to healthy once acknowledged', async () => {
    const headers = await t.bearer('viewer@acme.example')
    expect(await machineStatus(cnc1)).toBe('healthy')
    expect((await ingest([reading(92.5)])).status).toBe(207)
    const createdAt = new Date(t.clock.now()).toISOString().replace('.000Z', 'Z')
    const list = await (await t.api(`/alerts?machine_id=${cnc1}`, { headers })).json()
    const alert = {
      id: expect.any(String), machine_id: cnc1, severity: 'critical', message: 'Temperature exceeded 85°C threshold', metric_name: 'temperature',
      metric_value: 92.5, threshold_value: 85, is_acknowledged: false, acknowledged_by: null, acknowledged_at: null, snoozed_until: null, created_at: createdAt,
    }
    expect(list).toEqual({ items: [alert], total: 1, page: 1, page_size: 20, total_pages: 1 })
    expect(await machineStatus(cnc1)).toBe('critical')

    t.clock.advance(30_000)
    await ingest([reading(95)])
    expect((await (await t.api(`/alerts?machine_id=${cnc1}`, { headers })).json()).total).toBe(1)

    t.clock.advance(30_000)
    const id = list.items[0].id
    const acked = await t.api(`/alerts/${id}/acknowledge`, { method: 'POST', headers })
    expect(acked.status).toBe(200)
    const ackedBody = { ...alert, id, is_acknowledged: true, acknowledged_by: viewer, acknowledged_at: new Date(t.clock.now()).toISOString().replace('.000Z', 'Z') }
    expect(await acked.json()).toEqual(ackedBody)
    expect(await machineStatus(cnc1)).toBe('healthy')
    expect(t.server.deps.store.audit.get(acme)!.at(-1)).toMatchObject({ action: 'acknowledge_alert', resource_type: 'alert', resource_id: id, user_id: viewer })

    t.clock.advance(30_000)
    const again = await t.api(`/alerts/${id}/acknowledge`, { method: 'POST', headers: await t.bearer('operator@acme.example') })
    expect(again.status).toBe(200)
    expect(await again.json()).toEqual(ackedBody)

    // Once acknowledged, the next reading past the threshold opens a new alert.
    await ingest([reading(96)])
    expect((await (await t.api(`/alerts?machine_id=${cnc1}&is_acknowledged=false`, { headers })).json()).total).toBe(1)
    expect(await machineStatus(cnc1)).toBe('critical')
  })

  it('answers 404 Alert not found. when acknowledging another tenant\'s alert', async () => {
    const res = await t.api(`/alerts/${demoId('alert:globex:1')}/acknowledge`, { method: 'POST', headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ detail: 'Alert not found.' })
  })
})

describe('POST /alerts/bulk/acknowledge', () => {
  it('acknowledges the known ids, counts the already acknowledged, skips unknown and foreign ids', async () => {
    const headers = await t.bearer('viewer@acme.example')
    const open = await (await t.api(`/alerts?machine_id=${cnc1}&is_acknowledged=false`, { headers })).json()
    const alertIds = [demoAlert[1].id, demoAlert[2].id, demoAlert[1].id, open.items[0].id, demoId('alert:globex:1'), '00000000-0000-4000-8000-000000000000']
    const res = await t.api('/alerts/bulk/acknowledge', { method: 'POST', headers, json: { alert_ids: alertIds } })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ acknowledged_count: 2, already_acknowledged_count: 1 })
    expect(await machineStatus(cnc2)).toBe('healthy')
    expect(await machineStatus(cnc1)).toBe('healthy')
    const globex = await (await t.api(`/alerts/${demoId('alert:globex:1')}`, { headers: await t.bearer('admin@globex.example') })).json()
    expect(globex.is_acknowledged).toBe(false)
  })

  it.each([
    ['an empty list', { alert_ids: [] }, { loc: ['body', 'alert_ids'], msg: 'List should have at least 1 item after validation, not 0', type: 'too_short' }],
    ['101 ids', { alert_ids: Array.from({ length: 101 }, () => demoAlert[1].id) }, { loc: ['body', 'alert_ids'], msg: 'List should have at most 100 items after validation, not 101', type: 'too_long' }],
    ['no alert_ids', {}, { loc: ['body', 'alert_ids'], msg: 'Field required', type: 'missing' }],
    ['a malformed id', { alert_ids: ['abc'] }, { loc: ['body', 'alert_ids', 0], msg: 'Input should be a valid UUID, invalid length: expected length 32 for simple format, found 3', type: 'uuid_parsing' }],
  ])('answers 422 for %s', async (_, json, item) => {
    const res = await t.api('/alerts/bulk/acknowledge', { method: 'POST', headers: await t.bearer('viewer@acme.example'), json })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail: [item] })
  })
})

describe('POST /alerts/{alert_id}/snooze', () => {
  it('snoozes until a future time and leaves the alert out of total_active', async () => {
    const headers = await t.bearer('viewer@acme.example')
    const until = new Date(t.clock.now() + 3_600_000).toISOString()
    const res = await t.api(`/alerts/${demoAlert[3].id}/snooze`, { method: 'POST', headers, json: { snooze_until: until } })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ ...demoAlert[3], snoozed_until: until.replace('.000Z', 'Z') })
    expect(await (await t.api('/alerts/stats', { headers })).json()).toMatchObject({ total_active: 0, info_count: 0, unacknowledged_count: 1 })
  })

  it('answers 422 for a time not in the future (before looking the alert up)', async () => {
    const headers = await t.bearer('viewer@acme.example')
    for (const id of [demoAlert[3].id, demoId('alert:globex:1')]) {
      const res = await t.api(`/alerts/${id}/snooze`, { method: 'POST', headers, json: { snooze_until: new Date(t.clock.now()).toISOString() } })
      expect(res.status).toBe(422)
      expect(await res.json()).toEqual({ detail: [{ loc: ['body', 'snooze_until'], msg: 'Value error, snooze_until must be in the future', type: 'value_error' }] })
    }
  })

  it('answers 404 for another tenant\'s alert and 422 for a missing time', async () => {
    const headers = await t.bearer('viewer@acme.example')
    const foreign = await t.api(`/alerts/${demoId('alert:globex:1')}/snooze`, { method: 'POST', headers, json: { snooze_until: '2030-01-01T00:00:00Z' } })
    expect(foreign.status).toBe(404)
    expect(await foreign.json()).toEqual({ detail: 'Alert not found.' })
    const missing = await t.api(`/alerts/${demoAlert[3].id}/snooze`, { method: 'POST', headers, json: {} })
    expect(await missing.json()).toEqual({ detail: [{ loc: ['body', 'snooze_until'], msg: 'Field required', type: 'missing' }] })
  })
})

describe('alert comments', () => {
  it('lists comments oldest first and adds one for any role', async () => {
    const headers = await t.bearer('viewer@acme.example')
    const path = `/alerts/${demoAlert[1].id}/comments`
    const seeded = { id: demoId('alert-comment:acme:1'), alert_id: demoAlert[1].id, user_id: operator, body: 'Checked the spindle bearings; inspection scheduled for the next shift.', created_at: '2026-04-04T09:00:00Z' }
    expect(await (await t.api(path, { headers })).json()).toEqual([seeded])
    const res = await t.api(path, { method: 'POST', headers, json: { body: 'Bearing replaced.' } })
    expect(res.status).toBe(201)
    const added = await res.json()
    expect(added).toEqual({ id: expect.any(String), alert_id: demoAlert[1].id, user_id: viewer, body: 'Bearing replaced.', created_at: new Date(t.clock.now()).toISOString().replace('.000Z', 'Z') })
    expect(await (await t.api(path, { headers })).json()).toEqual([seeded, added])
  })

  it('answers 422 for an empty body and 404 for another tenant\'s alert', async () => {
    const headers = await t.bearer('viewer@acme.example')
    const empty = await t.api(`/alerts/${demoAlert[1].id}/comments`, { method: 'POST', headers, json: { body: '' } })
    expect(empty.status).toBe(422)
    expect(await empty.json()).toEqual({ detail: [{ loc: ['body', 'body'], msg: 'String should have at least 1 character', type: 'string_too_short' }] })
    for (const method of ['GET', 'POST'] as const) {
      const res = await t.api(`/alerts/${demoId('alert:globex:1')}/comments`, { method, headers, json: method === 'POST' ? { body: 'x' } : undefined })
      expect(res.status).toBe(404)
      expect(await res.json()).toEqual({ detail: 'Alert not found.' })
    }
  })
})
