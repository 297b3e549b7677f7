import { describe, expect, it } from 'vitest'
import { useServer } from '../helpers.js'
import { demoId } from '../../src/store/demo.js'

const t = useServer()
const cnc1 = demoId('machine:acme:CNC-001')
const uuid = expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)

describe('GET /oee/records', () => {
  it('lists the demo days of CNC-001, oldest first, with the computed OEE', async () => {
    const res = await t.api(`/oee/records?machine_id=${cnc1}`, { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body).toHaveLength(14)
    expect(body[0]).toEqual({
      id: demoId('oee:acme:1'), machine_id: cnc1, date: '2026-03-21', availability: 87, performance: 93, quality: 98, oee: 79.29,
      planned_production_time_minutes: 480, actual_run_time_minutes: 418, total_pieces: 388, good_pieces: 380, created_at: '2026-04-04T10:30:00Z',
    })
    expect(body[13]).toMatchObject({ id: demoId('oee:acme:14'), date: '2026-04-03', oee: 75.12 })
  })

  it('filters by from_date and to_date (inclusive)', async () => {
    const body = await (await t.api(`/oee/records?machine_id=${cnc1}&from_date=2026-04-01&to_date=2026-04-02`, { headers: await t.bearer('viewer@acme.example') })).json()
    expect(body.map((r: { id: string }) => r.id)).toEqual([demoId('oee:acme:12'), demoId('oee:acme:13')])
  })

  it.each(['/oee/records', '/oee/summary'])('answers 422 when %s has no machine_id', async (path) => {
    const res = await t.api(path, { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail: [{ loc: ['query', 'machine_id'], msg: 'Field required', type: 'missing' }] })
  })

  it.each([
    ['2026/04/01', 'invalid date separator, expected `-`'],
    ['2026-13-01', 'month value is outside expected range of 1-12'],
    ['2026-02-30', 'day value is outside expected range'],
    ['04-01', 'input is too short'],
  ])('answers 422 for from_date=%s', async (date, reason) => {
    const res = await t.api(`/oee/records?machine_id=${cnc1}&from_date=${date}`, { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail: [{ loc: ['query', 'from_date'], msg: `Input should be a valid date or datetime, ${reason}`, type: 'date_from_datetime_parsing' }] })
  })

  it('answers 404 for another tenant\'s machine', async () => {
    const res = await t.api(`/oee/records?machine_id=${cnc1}`, { headers: await t.bearer('admin@globex.example') })
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ detail: 'Machine not found.' })
  })
})

describe('GET /oee/summary', () => {
  it('averages the records of the last 30 days by default', async () => {
    const res = await t.api(`/oee/summary?machine_id=${cnc1}`, { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      machine_id: cnc1, period_days: 30, average_oee: 76.84, average_availability: 87.5, average_performance: 90.5, average_quality: 97.14, records_count: 14,
    })
  })

  it('counts `days` calendar days back, today included', async () => {
    // days=8: 2026-03-28 .. 2026-04-04 holds records 8..14.
    const body = await (await t.api(`/oee/summary?machine_id=${cnc1}&days=8`, { headers: await t.bearer('viewer@acme.example') })).json()
    expect(body).toEqual({
      machine_id: cnc1, period_days: 8, average_oee: 75.57, average_availability: 86.29, average_performance: 90.14, average_quality: 97.29, records_count: 7,
    })
  })

  it('answers null averages for a machine without records', async () => {
    const body = await (await t.api(`/oee/summary?machine_id=${demoId('machine:acme:PRESS-01')}`, { headers: await t.bearer('viewer@acme.example') })).json()
    expect(body).toEqual({
      machine_id: demoId('machine:acme:PRESS-01'), period_days: 30, average_oee: null, average_availability: null, average_performance: null, average_quality: null, records_count: 0,
    })
  })

  it.each([['0', 'greater_than_equal', 'Input should be greater than or equal to 1'], ['366', 'less_than_equal', 'Input should be less than or equal to 365']])(
    'answers 422 for days=%s', async (days, type, msg) => {
      const res = await t.api(`/oee/summary?machine_id=${cnc1}&days=${days}`, { headers: await t.bearer('viewer@acme.example') })
      expect(res.status).toBe(422)
      expect(await res.json()).toEqual({ detail: [{ loc: ['query', 'days'], msg, type }] })
    })
})

describe('POST /oee/records', () => {
  it('stores a day with oee = A × P × Q / 10 000, and it shows in list and summary', async () => {
    const headers = await t.bearer('operator@acme.example')
    const press = demoId('machine:acme:PRESS-01')
    const res = await t.api('/oee/records', { method: 'POST', headers, json: { machine_id: press, date: '2026-04-04', availability: 90, performance: 95, quality: 98, total_pieces: 500, good_pieces: 490 } })
    expect(res.status).toBe(201)
    const record = await res.json()
    expect(record).toEqual({
      id: uuid, machine_id: press, date: '2026-04-04', availability: 90, performance: 95, quality: 98, oee: 83.79,
      planned_production_time_minutes: null, actual_run_time_minutes: null, total_pieces: 500, good_pieces: 490, created_at: '2026-04-04T10:30:00Z',
    })
    expect(await (await t.api(`/oee/records?machine_id=${press}`, { headers })).json()).toEqual([record])
    expect(await (await t.api(`/oee/summary?machine_id=${press}&days=1`, { headers })).json()).toEqual({
      machine_id: press, period_days: 1, average_oee: 83.79, average_availability: 90, average_performance: 95, average_quality: 98, records_count: 1,
    })
  })

  it('answers 422 naming every missing field', async () => {
    const res = await t.api('/oee/records', { method: 'POST', headers: await t.bearer('operator@acme.example'), json: {} })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({
      detail: ['machine_id', 'date', 'availability', 'performance', 'quality'].map((f) => ({ loc: ['body', f], msg: 'Field required', type: 'missing' })),
    })
  })

  it.each([
    [{ availability: 101 }, { loc: ['body', 'availability'], msg: 'Input should be less than or equal to 100', type: 'less_than_equal' }],
    [{ quality: -1 }, { loc: ['body', 'quality'], msg: 'Input should be greater than or equal to 0', type: 'greater_than_equal' }],
    [{ date: '2026-04-04T10:00:00Z' }, { loc: ['body', 'date'], msg: 'Input should be a valid date or datetime, unexpected extra characters at the end of the input', type: 'date_from_datetime_parsing' }],
    [{ total_pieces: 1.5 }, { loc: ['body', 'total_pieces'], msg: 'Input should be a valid integer, got a number with a fractional part', type: 'int_from_float' }],
  ])('answers 422 for %j', async (patch, item) => {
    const json = { machine_id: cnc1, date: '2026-04-04', availability: 90, performance: 90, quality: 90, ...patch }
    const res = await t.api('/oee/records', { method: 'POST', headers: await t.bearer('operator@acme.example'), json })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail: [item] })
  })

  it('answers 404 for an unknown machine and 403 for a viewer', async () => {
    const json = { machine_id: demoId('machine:acme:NONE'), date: '2026-04-04', availability: 90, performance: 90, quality: 90 }
    const missing = await t.api('/oee/records', { method: 'POST', headers: await t.bearer('operator@acme.example'), json })
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({ detail: 'Machine not found.' })
    const viewer = await t.api('/oee/records', { method: 'POST', headers: await t.bearer('viewer@acme.example'), json })
    expect(viewer.status).toBe(403)
    expect(await viewer.json()).toEqual({ detail: 'Insufficient permissions.' })
  })
})
