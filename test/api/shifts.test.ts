import { describe, expect, it } from 'vitest'
import { useServer } from '../helpers.js'
import { demoId } from '../../src/store/demo.js'
import { alerts, maintenanceEvents } from '../../src/store/tables.js'
import type { Severity } from '../../src/store/records.js'

const t = useServer()
const hour = 3_600_000
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z')
const uuid = expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
const acme = demoId('tenant:acme')
const early = demoId('shift-definition:acme:1')
const late = demoId('shift-definition:acme:2')
const night = demoId('shift-definition:acme:3')
const cnc1 = demoId('machine:acme:CNC-001')
const demoCreated = '2026-01-05T08:00:00Z'
const earlyOut = { id: early, name: 'Early', start_time: '06:00', end_time: '14:00', color: '#3B82F6', is_active: true, created_at: demoCreated, updated_at: demoCreated }
const lateOut = { id: late, name: 'Late', start_time: '14:00', end_time: '22:00', color: '#F59E0B', is_active: true, created_at: demoCreated, updated_at: demoCreated }
const nightOut = { id: night, name: 'Night', start_time: '22:00', end_time: '06:00', color: '#6366F1', is_active: true, created_at: demoCreated, updated_at: demoCreated }
const activeLog = {
  id: demoId('shift-log:acme:2'), shift_definition_id: early, shift_name: 'Early', machine_id: cnc1, supervisor_name: 'Sam Supervisor', notes: null,
  status: 'active', date: '2026-04-04', started_at: '2026-04-04T06:00:00Z', ended_at: null,
}

async function freshMachine(identifier: string): Promise<string> {
  const res = await t.api('/machines', { method: 'POST', headers: await t.bearer('operator@acme.example'), json: { name: identifier, machine_identifier: identifier, protocol: 'json' } })
  return ((await res.json()) as { id: string }).id
}

function addAlert(machineId: string, createdAt: number, severity: Severity = 'critical') {
  const store = t.server.deps.store
  return alerts(store).add({
    id: store.id(), tenant_id: acme, machine_id: machineId, rule_id: null, severity, message: 'Temperature exceeded 90 threshold',
    metric_name: 'temperature', metric_value: 95, threshold_value: 90, is_acknowledged: false, acknowledged_by: null, acknowledged_at: null,
    snoozed_until: null, created_at: createdAt,
  })
}

describe('shift definitions', () => {
  it('lists the active definitions by start time', async () => {
    const res = await t.api('/shifts/definitions', { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual([earlyOut, lateOut, nightOut])
  })

  it('lets an admin create, update and delete a definition; inactive ones need active_only=false', async () => {
    const headers = await t.bearer('admin@acme.example')
    const created = await t.api('/shifts/definitions', { method: 'POST', headers, json: { name: 'Weekend', start_time: '08:00', end_time: '20:00', is_active: false } })
    expect(created.status).toBe(201)
    const d = await created.json()
    expect(d).toEqual({ id: uuid, name: 'Weekend', start_time: '08:00', end_time: '20:00', color: '#3B82F6', is_active: false, created_at: '2026-04-04T10:30:00Z', updated_at: '2026-04-04T10:30:00Z' })
    expect((await (await t.api('/shifts/definitions', { headers })).json()).map((x: { id: string }) => x.id)).toEqual([early, late, night])
    expect((await (await t.api('/shifts/definitions?active_only=false', { headers })).json()).map((x: { id: string }) => x.id)).toEqual([early, d.id, late, night])

    const put = await t.api(`/shifts/definitions/${d.id}`, { method: 'PUT', headers, json: { color: '#ff0000', end_time: '18:30' } })
    expect(put.status).toBe(200)
    expect(await put.json()).toEqual({ ...d, color: '#ff0000', end_time: '18:30' })
    const del = await t.api(`/shifts/definitions/${d.id}`, { method: 'DELETE', headers })
    expect(del.status).toBe(204)
    const gone = await t.api(`/shifts/definitions/${d.id}`, { method: 'DELETE', headers })
    expect(gone.status).toBe(404)
    expect(await gone.json()).toEqual({ detail: 'Shift definition not found.' })
  })

  it('keeps writes to admins', async () => {
    const headers = await t.bearer('operator@acme.example')
    for (const [method, path] of [['POST', '/shifts/definitions'], ['PUT', `/shifts/definitions/${early}`], ['DELETE', `/shifts/definitions/${early}`]] as const) {
      const res = await t.api(path, { method, headers, json: { name: 'X', start_time: '01:00', end_time: '02:00' } })
      expect(res.status).toBe(403)
      expect(await res.json()).toEqual({ detail: 'Insufficient permissions.' })
    }
  })

  it('answers 404 for another tenant\'s definition', async () => {
    const res = await t.api(`/shifts/definitions/${demoId('shift-definition:globex:1')}`, { method: 'PUT', headers: await t.bearer('admin@acme.example'), json: {} })
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ detail: 'Shift definition not found.' })
  })

  it.each([
    [{ start_time: '24:00' }, { loc: ['body', 'start_time'], msg: "String should match pattern '^([01]\\d|2[0-3]):[0-5]\\d$'", type: 'string_pattern_mismatch' }],
    [{ end_time: '6:00' }, { loc: ['body', 'end_time'], msg: "String should match pattern '^([01]\\d|2[0-3]):[0-5]\\d$'", type: 'string_pattern_mismatch' }],
    [{ color: 'blue' }, { loc: ['body', 'color'], msg: "String should match pattern '^#[0-9A-Fa-f]{6}$'", type: 'string_pattern_mismatch' }],
    [{ name: undefined }, { loc: ['body', 'name'], msg: 'Field required', type: 'missing' }],
  ])('answers 422 for %j', async (patch, item) => {
    const json = { name: 'Bad', start_time: '06:00', end_time: '14:00', ...patch }
    const res = await t.api('/shifts/definitions', { method: 'POST', headers: await t.bearer('admin@acme.example'), json })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail: [item] })
  })
})

describe('GET /shifts/active', () => {
  it('names the shift running now and the active logs', async () => {
    const res = await t.api('/shifts/active', { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ current_time: '2026-04-04T10:30:00Z', definitions: [earlyOut], logs: [activeLog] })
  })
})

describe('GET /shifts/comparison', () => {
  it('sums downtime, alerts and OEE per shift window on each date of the range', async () => {
    const headers = await t.bearer('operator@acme.example')
    const machine = await freshMachine('SHIFT-CMP')
    // Downtime 2026-04-03 21:00 → now (04-04 10:30): Late 60 min, Night 480, Early 270; it started in Late.
    const down = await (await t.api(`/machines/${machine}/downtime`, { method: 'POST', headers, json: { started_at: '2026-04-03T21:00:00Z' } })).json()
    await t.api(`/machines/${machine}/downtime/${down.id}/end`, { method: 'POST', headers })
    addAlert(machine, Date.parse('2026-04-04T03:00:00Z'))
    await t.api('/shifts/logs', { method: 'POST', headers, json: { shift_definition_id: early, machine_id: machine } })
    await t.api('/oee/records', { method: 'POST', headers, json: { machine_id: machine, date: '2026-04-04', availability: 90, performance: 95, quality: 98 } })

    const res = await t.api(`/shifts/comparison?from_date=2026-04-03&to_date=2026-04-04&machine_id=${machine}`, { headers })
    expect(res.status).toBe(200)
    const row = (d: typeof earlyOut) => ({ shift_definition_id: d.id, name: d.name, start_time: d.start_time, end_time: d.end_time, color: d.color })
    expect(await res.json()).toEqual({
      from_date: '2026-04-03', to_date: '2026-04-04', machine_id: machine,
      shifts: [
        { ...row(earlyOut), scheduled_minutes: 750, log_count: 1, downtime_minutes: 270, downtime_events: 0, alert_count: 0, average_oee: 83.79 },
        { ...row(lateOut), scheduled_minutes: 480, log_count: 0, downtime_minutes: 60, downtime_events: 1, alert_count: 0, average_oee: null },
        { ...row(nightOut), scheduled_minutes: 480, log_count: 0, downtime_minutes: 480, downtime_events: 0, alert_count: 1, average_oee: null },
      ],
    })
  })

  it('answers 404 for another tenant\'s machine', async () => {
    const res = await t.api(`/shifts/comparison?machine_id=${cnc1}`, { headers: await t.bearer('admin@globex.example') })
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ detail: 'Machine not found.' })
  })
})

describe('shift logs', () => {
  it('starts a log as active, lists it with filters, completes it once', async () => {
    const headers = await t.bearer('operator@acme.example')
    const created = await t.api('/shifts/logs', { method: 'POST', headers, json: { shift_definition_id: late, machine_id: cnc1, supervisor_name: 'Lee', notes: 'Handover at 14:00' } })
    expect(created.status).toBe(201)
    const log = await created.json()
    expect(log).toEqual({
      id: uuid, shift_definition_id: late, shift_name: 'Late', machine_id: cnc1, supervisor_name: 'Lee', notes: 'Handover at 14:00',
      status: 'active', date: '2026-04-04', started_at: '2026-04-04T10:30:00Z', ended_at: null,
    })
    const completed = await (await t.api(`/shifts/logs?machine_id=${cnc1}&status=completed`, { headers })).json()
    expect(completed.map((l: { id: string }) => l.id)).toEqual([demoId('shift-log:acme:1')])
    const onDate = await (await t.api(`/shifts/logs?machine_id=${cnc1}&from_date=2026-04-04&to_date=2026-04-04`, { headers })).json()
    expect(onDate).toEqual([log, activeLog])

    const done = await t.api(`/shifts/logs/${log.id}`, { method: 'PATCH', headers, json: { status: 'completed', notes: 'All good' } })
    expect(done.status).toBe(200)
    expect(await done.json()).toEqual({ ...log, status: 'completed', notes: 'All good', ended_at: '2026-04-04T10:30:00Z' })
    const again = await t.api(`/shifts/logs/${log.id}`, { method: 'PATCH', headers, json: { status: 'cancelled' } })
    expect(again.status).toBe(400)
    expect(await again.json()).toEqual({ detail: 'Invalid status transition.' })

    expect((await t.api(`/shifts/logs/${log.id}`, { method: 'DELETE', headers })).status).toBe(204)
    const gone = await t.api(`/shifts/logs/${log.id}`, { method: 'PATCH', headers, json: {} })
    expect(gone.status).toBe(404)
    expect(await gone.json()).toEqual({ detail: 'Shift log not found.' })
  })

  it('answers 404 for an unknown definition or machine, 403 for a viewer, 422 for a bad status', async () => {
    const headers = await t.bearer('operator@acme.example')
    const noDef = await t.api('/shifts/logs', { method: 'POST', headers, json: { shift_definition_id: demoId('shift-definition:globex:1') } })
    expect(noDef.status).toBe(404)
    expect(await noDef.json()).toEqual({ detail: 'Shift definition not found.' })
    const noMachine = await t.api('/shifts/logs', { method: 'POST', headers, json: { shift_definition_id: early, machine_id: demoId('machine:globex:GLX-001') } })
    expect(noMachine.status).toBe(404)
    expect(await noMachine.json()).toEqual({ detail: 'Machine not found.' })
    const viewer = await t.api('/shifts/logs', { method: 'POST', headers: await t.bearer('viewer@acme.example'), json: { shift_definition_id: early } })
    expect(viewer.status).toBe(403)
    expect(await viewer.json()).toEqual({ detail: 'Insufficient permissions.' })
    const bad = await t.api('/shifts/logs?status=open', { headers })
    expect(bad.status).toBe(422)
    expect(await bad.json()).toEqual({ detail: [{ loc: ['query', 'status'], msg: "Input should be 'active', 'completed' or 'cancelled'", type: 'enum' }] })
  })

  it('hides another tenant\'s logs', async () => {
    const globex = await t.bearer('admin@globex.example')
    expect((await (await t.api('/shifts/logs', { headers: globex })).json()).map((l: { id: string }) => l.id)).toEqual([demoId('shift-log:globex:1')])
    const res = await t.api(`/shifts/logs/${demoId('shift-log:acme:1')}/handover`, { headers: globex })
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ detail: 'Shift log not found.' })
  })
})

describe('GET /shifts/logs/{log_id}/handover', () => {
  it('reports the machine\'s alerts, downtime and maintenance of the 24 h before the log ends (or now)', async () => {
    let headers = await t.bearer('operator@acme.example')
    const machine = await freshMachine('SHIFT-HO')
    const now = t.clock.now()
    const store = t.server.deps.store
    const alert = addAlert(machine, now - 2 * hour)
    addAlert(machine, now - 30 * hour) // before the window
    addAlert(cnc1, now - hour) // another machine
    const maint = maintenanceEvents(store).add({
      id: store.id(), tenant_id: acme, machine_id: machine, title: 'Belt check', description: null, type: 'inspection', status: 'completed',
      scheduled_start: now - 5 * hour, scheduled_end: now - 3 * hour, created_at: now, updated_at: now,
    })
    const down = await (await t.api(`/machines/${machine}/downtime`, { method: 'POST', headers, json: { started_at: iso(now - 90 * 60_000) } })).json()
    const log = await (await t.api('/shifts/logs', { method: 'POST', headers, json: { shift_definition_id: early, machine_id: machine } })).json()

    const res = await t.api(`/shifts/logs/${log.id}/handover`, { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(200)
    const report = {
      log_id: log.id, shift_definition_id: early, machine_id: machine, period_start: iso(now - 24 * hour), period_end: iso(now),
      summary: { alert_count: 1, critical_alert_count: 1, unacknowledged_alert_count: 1, downtime_count: 1, ongoing_downtime_count: 1, downtime_minutes: 90, maintenance_count: 1 },
      alerts: [{ id: alert.id, machine_id: machine, severity: 'critical', message: 'Temperature exceeded 90 threshold', is_acknowledged: false, created_at: iso(now - 2 * hour) }],
      downtime: [down],
      maintenance: [{ id: maint.id, machine_id: machine, title: 'Belt check', type: 'inspection', status: 'completed', scheduled_start: iso(now - 5 * hour), scheduled_end: iso(now - 3 * hour) }],
    }
    expect(await res.json()).toEqual(report)

    // Completed an hour later: the window ends with the log; the ongoing downtime now spans 150 min of it.
    t.clock.advance(hour)
    headers = await t.bearer('operator@acme.example')
    await t.api(`/shifts/logs/${log.id}`, { method: 'PATCH', headers, json: { status: 'completed' } })
    t.clock.advance(hour)
    const later = await (await t.api(`/shifts/logs/${log.id}/handover`, { headers: await t.bearer('viewer@acme.example') })).json()
    expect(later).toEqual({ ...report, period_start: iso(now - 23 * hour), period_end: iso(now + hour), summary: { ...report.summary, downtime_minutes: 150 } })
  })
})

describe('shift windows across midnight', () => {
  it('names Night at 23:00 and 05:59, Early at 06:00', async () => {
    t.clock.set(Date.parse('2026-04-04T23:00:00Z'))
    const at = async () => (await (await t.api('/shifts/active', { headers: await t.bearer('viewer@acme.example') })).json()).definitions.map((d: { name: string }) => d.name)
    expect(await at()).toEqual(['Night'])
    t.clock.set(Date.parse('2026-04-05T05:59:00Z'))
    expect(await at()).toEqual(['Night'])
    t.clock.set(Date.parse('2026-04-05T06:00:00Z'))
    expect(await at()).toEqual(['Early'])
  })
})
