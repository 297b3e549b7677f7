import { describe, expect, it } from 'vitest'
import { useServer } from '../helpers.js'
import { demoId } from '../../src/store/demo.js'

const t = useServer()
const hour = 3_600_000
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z')
const cnc1 = demoId('machine:acme:CNC-001')
const cnc2 = demoId('machine:acme:CNC-002')
const code = (c: string) => demoId(`reason-code:acme:${c}`)
const uuid = expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)

async function freshMachine(identifier: string): Promise<string> {
  const res = await t.api('/machines', { method: 'POST', headers: await t.bearer('operator@acme.example'), json: { name: identifier, machine_identifier: identifier, protocol: 'json' } })
  return ((await res.json()) as { id: string }).id
}

describe('GET /reason-codes', () => {
  it('lists the tenant\'s reason-code tree by code', async () => {
    const res = await t.api('/reason-codes', { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual([
      { id: code('CHG'), code: 'CHG', name: 'Changeover', parent_id: null },
      { id: code('ELEC'), code: 'ELEC', name: 'Electrical fault', parent_id: null },
      { id: code('ELEC-DRV'), code: 'ELEC-DRV', name: 'Drive fault', parent_id: code('ELEC') },
      { id: code('MAT'), code: 'MAT', name: 'Material shortage', parent_id: null },
      { id: code('MECH'), code: 'MECH', name: 'Mechanical failure', parent_id: null },
      { id: code('MECH-BRG'), code: 'MECH-BRG', name: 'Bearing failure', parent_id: code('MECH') },
      { id: code('MECH-HYD'), code: 'MECH-HYD', name: 'Hydraulic leak', parent_id: code('MECH') },
      { id: code('PM'), code: 'PM', name: 'Planned maintenance', parent_id: null },
    ])
  })

  it('gives each tenant its own ids', async () => {
    const body = await (await t.api('/reason-codes', { headers: await t.bearer('admin@globex.example') })).json()
    expect(body.find((r: { code: string }) => r.code === 'MECH').id).toBe(demoId('reason-code:globex:MECH'))
  })
})

describe('demo downtime', () => {
  it('lists CNC-001\'s records newest first, the ongoing one without duration', async () => {
    const res = await t.api(`/machines/${cnc1}/downtime`, { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual([
      { id: demoId('downtime:acme:ongoing'), machine_id: cnc1, reason: 'Tool breakage', category: 'unplanned', reason_code_id: code('MECH'), started_at: '2026-04-04T09:45:00Z', ended_at: null, duration_minutes: null },
      { id: demoId('downtime:acme:5'), machine_id: cnc1, reason: 'Coolant line leak', category: 'unplanned', reason_code_id: code('MECH-HYD'), started_at: '2026-04-01T10:30:00Z', ended_at: '2026-04-01T12:30:00Z', duration_minutes: 120 },
      { id: demoId('downtime:acme:2'), machine_id: cnc1, reason: 'Quarterly preventive maintenance', category: 'maintenance', reason_code_id: code('PM'), started_at: '2026-03-22T10:30:00Z', ended_at: '2026-03-22T14:30:00Z', duration_minutes: 240 },
      { id: demoId('downtime:acme:1'), machine_id: cnc1, reason: 'Spindle bearing failure', category: 'unplanned', reason_code_id: code('MECH-BRG'), started_at: '2026-03-15T10:30:00Z', ended_at: '2026-03-15T13:30:00Z', duration_minutes: 180 },
    ])
  })

  it('filters by window: records overlapping [start, end]', async () => {
    const body = await (await t.api(`/machines/${cnc2}/downtime?start=2026-03-26T11:59:00Z&end=2026-03-27T00:00:00Z`, { headers: await t.bearer('viewer@acme.example') })).json()
    expect(body).toEqual([
      { id: demoId('downtime:acme:3'), machine_id: cnc2, reason: 'Servo drive fault', category: 'unplanned', reason_code_id: code('ELEC-DRV'), started_at: '2026-03-26T10:30:00Z', ended_at: '2026-03-26T12:00:00Z', duration_minutes: 90 },
    ])
  })

  it('filters by category', async () => {
    const body = await (await t.api(`/machines/${cnc1}/downtime?category=maintenance`, { headers: await t.bearer('viewer@acme.example') })).json()
    expect(body.map((r: { id: string }) => r.id)).toEqual([demoId('downtime:acme:2')])
  })
})

describe('GET /fleet/downtime', () => {
  it('pages every machine\'s records, newest start first, with the machine name', async () => {
    const res = await t.api('/fleet/downtime?page_size=2', { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body).toMatchObject({ total: 7, page: 1, page_size: 2, total_pages: 4 })
    expect(body.items[0]).toEqual({
      id: demoId('downtime:acme:ongoing'), machine_id: cnc1, machine_name: 'CNC Mill #1', reason: 'Tool breakage', category: 'unplanned',
      reason_code_id: code('MECH'), started_at: '2026-04-04T09:45:00Z', ended_at: null, duration_minutes: null,
    })
    expect(body.items[1].id).toBe(demoId('downtime:acme:6'))
  })

  it('filters by machine and sorts by duration (an ongoing record by its duration so far)', async () => {
    const body = await (await t.api(`/fleet/downtime?machine_id=${cnc1}&sort_by=duration_minutes&sort_dir=asc`, { headers: await t.bearer('viewer@acme.example') })).json()
    expect(body.items.map((r: { id: string }) => r.id)).toEqual(['ongoing', '5', '1', '2'].map((n) => demoId(`downtime:acme:${n}`)))
    const longest = await (await t.api('/fleet/downtime?sort_by=duration_minutes&page_size=1', { headers: await t.bearer('viewer@acme.example') })).json()
    expect(longest.items[0].id).toBe(demoId('downtime:acme:2'))
  })

  it('answers 422 for an unknown sort_by', async () => {
    const res = await t.api('/fleet/downtime?sort_by=reason', { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail: [{ loc: ['query', 'sort_by'], msg: "Input should be 'started_at', 'duration_minutes' or 'machine_id'", type: 'enum' }] })
  })

  it('shows another tenant nothing of Acme', async () => {
    const body = await (await t.api('/fleet/downtime', { headers: await t.bearer('admin@globex.example') })).json()
    expect(body.items.map((r: { id: string }) => r.id)).toEqual([demoId('downtime:globex:1')])
  })
})

describe('GET /fleet/mttr-mtbf', () => {
  it('aggregates the tenant\'s machines and lists each', async () => {
    const res = await t.api('/fleet/mttr-mtbf', { headers: await t.bearer('admin@globex.example') })
    expect(res.status).toBe(200)
    // One 2 h unplanned failure in 90 days: MTTR 2, MTBF (2160 − 2) / 1.
    const figures = { mttr_hours: 2, mtbf_hours: 2158, total_failures: 1, total_repairs: 1 }
    expect(await res.json()).toEqual({ ...figures, machine_count: 1, machines: [{ machine_id: demoId('machine:globex:GLX-001'), machine_name: 'Globex Lathe', ...figures }] })
  })
})

describe('downtime lifecycle and reliability figures', () => {
  it('records, ends and sums downtime on a fresh machine (uptime and MTTR/MTBF exact)', async () => {
    let headers = await t.bearer('operator@acme.example')
    const machine = await freshMachine('DT-FRESH')
    const before = await t.api(`/machines/${machine}/mttr-mtbf`, { headers })
    expect(before.status).toBe(200)
    expect(await before.json()).toEqual({ mttr_hours: null, mtbf_hours: null, total_failures: 0, total_repairs: 0 })
    const n0 = t.clock.now()
    const emptyUptime = await (await t.api(`/machines/${machine}/uptime-summary`, { headers })).json()
    expect(emptyUptime).toEqual({
      machine_id: machine, start: iso(n0 - 7 * 24 * hour), end: iso(n0), planned_minutes: 10080, downtime_minutes: 0, uptime_minutes: 10080,
      uptime_percent: 100, downtime_events: 0, by_category: { planned: 0, unplanned: 0, changeover: 0, maintenance: 0 },
    })

    // A: unplanned, 2 h, ended now.
    const created = await t.api(`/machines/${machine}/downtime`, { method: 'POST', headers, json: { reason: 'Bearing seized', category: 'unplanned', reason_code_id: code('MECH-BRG'), started_at: iso(n0 - 2 * hour) } })
    expect(created.status).toBe(201)
    const a = await created.json()
    expect(a).toEqual({ id: uuid, machine_id: machine, reason: 'Bearing seized', category: 'unplanned', reason_code_id: code('MECH-BRG'), started_at: iso(n0 - 2 * hour), ended_at: null, duration_minutes: null })
    const ended = await t.api(`/machines/${machine}/downtime/${a.id}/end`, { method: 'POST', headers })
    expect(ended.status).toBe(200)
    expect(await ended.json()).toEqual({ ...a, ended_at: iso(n0), duration_minutes: 120 })
    const again = await t.api(`/machines/${machine}/downtime/${a.id}/end`, { method: 'POST', headers })
    expect(again.status).toBe(400)
    expect(await again.json()).toEqual({ detail: 'Downtime event already ended.' })

    // B: maintenance, 1 h ending 10 h later; C: unplanned, ongoing for the last 30 min (inside B).
    t.clock.advance(10 * hour)
    const n1 = t.clock.now()
    headers = await t.bearer('operator@acme.example') // the earlier token has expired
    const b = await (await t.api(`/machines/${machine}/downtime`, { method: 'POST', headers, json: { category: 'maintenance', started_at: iso(n1 - hour) } })).json()
    expect((await (await t.api(`/machines/${machine}/downtime/${b.id}/end`, { method: 'POST', headers })).json()).duration_minutes).toBe(60)
    const c = await t.api(`/machines/${machine}/downtime`, { method: 'POST', headers, json: { reason: 'Jam', started_at: iso(n1 - 30 * 60_000) } })
    expect(await c.json()).toMatchObject({ category: 'unplanned', reason: 'Jam', reason_code_id: null, ended_at: null })

    // Window 7 d: downtime = union(A 120, B 60 ⊃ C 30) = 180 min; uptime 100 × 9900 / 10080.
    const uptime = await (await t.api(`/machines/${machine}/uptime-summary`, { headers })).json()
    expect(uptime).toEqual({
      machine_id: machine, start: iso(n1 - 7 * 24 * hour), end: iso(n1), planned_minutes: 10080, downtime_minutes: 180, uptime_minutes: 9900,
      uptime_percent: 98.21, downtime_events: 3, by_category: { planned: 0, unplanned: 150, changeover: 0, maintenance: 60 },
    })
    // An explicit window cuts records: [n1 − 11 h, n1 − 10.5 h) holds the last half hour of A.
    const cut = await (await t.api(`/machines/${machine}/uptime-summary?start=${iso(n1 - 11 * hour)}&end=${iso(n1 - 10.5 * hour)}`, { headers })).json()
    expect(cut).toMatchObject({ planned_minutes: 30, downtime_minutes: 30, uptime_minutes: 0, uptime_percent: 0, downtime_events: 1 })

    // Failures A and C (2.5 h), repairs A and B (3 h): MTTR 1.5; MTBF (2160 − 2.5) / 2.
    expect(await (await t.api(`/machines/${machine}/mttr-mtbf`, { headers })).json()).toEqual({ mttr_hours: 1.5, mtbf_hours: 1078.75, total_failures: 2, total_repairs: 2 })
    expect(await (await t.api(`/machines/${machine}/mttr-mtbf?days=1`, { headers })).json()).toEqual({ mttr_hours: 1.5, mtbf_hours: 10.75, total_failures: 2, total_repairs: 2 })
  })

  it('updates a record with PUT, leaving out fields unchanged', async () => {
    const headers = await t.bearer('operator@acme.example')
    const machine = await freshMachine('DT-PUT')
    const r = await (await t.api(`/machines/${machine}/downtime`, { method: 'POST', headers, json: { reason: 'Stop' } })).json()
    const res = await t.api(`/machines/${machine}/downtime/${r.id}`, { method: 'PUT', headers, json: { category: 'changeover', reason_code_id: code('CHG') } })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ ...r, category: 'changeover', reason_code_id: code('CHG') })
  })

  it('answers 404 for a reason code, record or machine that is unknown or another tenant\'s', async () => {
    const headers = await t.bearer('operator@acme.example')
    const foreignCode = await t.api(`/machines/${cnc1}/downtime`, { method: 'POST', headers, json: { reason_code_id: demoId('reason-code:globex:MECH') } })
    expect(foreignCode.status).toBe(404)
    expect(await foreignCode.json()).toEqual({ detail: 'Reason code not found.' })
    const otherMachine = await t.api(`/machines/${cnc1}/downtime/${demoId('downtime:acme:3')}/end`, { method: 'POST', headers })
    expect(otherMachine.status).toBe(404)
    expect(await otherMachine.json()).toEqual({ detail: 'Downtime record not found.' })
    const globex = await t.bearer('admin@globex.example')
    for (const path of [`/machines/${cnc1}/downtime`, `/machines/${cnc1}/uptime-summary`, `/machines/${cnc1}/mttr-mtbf`]) {
      const res = await t.api(path, { headers: globex })
      expect(res.status).toBe(404)
      expect(await res.json()).toEqual({ detail: 'Machine not found.' })
    }
    const put = await t.api(`/machines/${demoId('machine:globex:GLX-001')}/downtime/${demoId('downtime:acme:1')}`, { method: 'PUT', headers: globex, json: {} })
    expect(await put.json()).toEqual({ detail: 'Downtime record not found.' })
  })

  it('refuses a viewer\'s writes with 403', async () => {
    const headers = await t.bearer('viewer@acme.example')
    for (const [method, path] of [['POST', `/machines/${cnc1}/downtime`], ['PUT', `/machines/${cnc1}/downtime/${demoId('downtime:acme:1')}`], ['POST', `/machines/${cnc1}/downtime/${demoId('downtime:acme:ongoing')}/end`]] as const) {
      const res = await t.api(path, { method, headers, json: {} })
      expect(res.status).toBe(403)
      expect(await res.json()).toEqual({ detail: 'Insufficient permissions.' })
    }
  })

  it.each([
    [{ category: 'broken' }, { loc: ['body', 'category'], msg: "Input should be 'planned', 'unplanned', 'changeover' or 'maintenance'", type: 'enum' }],
    [{ reason_code_id: 'nope' }, { loc: ['body', 'reason_code_id'], msg: 'Input should be a valid UUID, invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `n` at 1', type: 'uuid_parsing' }],
    [{ started_at: 'yesterday' }, { loc: ['body', 'started_at'], msg: 'Input should be a valid datetime or date, invalid character in year', type: 'datetime_from_date_parsing' }],
    [{ reason: '' }, { loc: ['body', 'reason'], msg: 'String should have at least 1 character', type: 'string_too_short' }],
  ])('answers 422 for %j', async (json, item) => {
    const res = await t.api(`/machines/${cnc1}/downtime`, { method: 'POST', headers: await t.bearer('operator@acme.example'), json })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail: [item] })
  })

  it('answers 422 for days outside 1-365', async () => {
    const res = await t.api(`/machines/${cnc1}/mttr-mtbf?days=366`, { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail: [{ loc: ['query', 'days'], msg: 'Input should be less than or equal to 365', type: 'less_than_equal' }] })
  })
})
