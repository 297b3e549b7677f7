import { describe, expect, it } from 'vitest'
import { demoApiKey, useServer } from '../helpers.js'
import { demoId } from '../../src/store/demo.js'

const t = useServer()
const key = { 'X-API-Key': demoApiKey }
const iso = (ms: number) => new Date(ms).toISOString()
const reading = (over: Record<string, unknown> = {}) => ({ machine_identifier: 'CNC-001', timestamp: iso(t.clock.now()), metric_name: 'temperature', value: 71.5, unit: 'celsius', ...over })
const ingest = (body: string | object, headers: Record<string, string> = key) =>
  t.api('/ingest', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) })

describe('POST /ingest', () => {
  it('answers 207 with per-item errors exactly as documented, NaN and Infinity included', async () => {
    const now = t.clock.now()
    const readings = [
      reading(),
      reading({ metric_name: 'vibration', value: 2.5, unit: 'mm/s' }),
      reading({ machine_identifier: 'UNKNOWN-001' }),
      reading({ timestamp: iso(now + 6 * 60_000) }),
      reading({ metric_name: 'm'.repeat(256) }),
      reading({ machine_identifier: 'GLX-001' }), // another tenant's machine is unknown here
    ]
    const text = JSON.stringify({ readings }).replace(/\]\}$/, `,${JSON.stringify(reading()).replace('71.5', 'NaN')},${JSON.stringify(reading()).replace('71.5', '-Infinity')}]}`)
    const res = await ingest(text)
    expect(res.status).toBe(207)
    expect(await res.json()).toEqual({
      accepted_count: 2,
      rejected_count: 6,
      errors: [
        { index: 2, machine_identifier: 'UNKNOWN-001', error: 'Machine not found' },
        { index: 3, machine_identifier: 'CNC-001', error: 'Timestamp out of allowed range' },
        { index: 4, machine_identifier: 'CNC-001', error: 'metric_name exceeds 255 characters' },
        { index: 5, machine_identifier: 'GLX-001', error: 'Machine not found' },
        { index: 6, machine_identifier: 'CNC-001', error: 'Value must be finite' },
        { index: 7, machine_identifier: 'CNC-001', error: 'Value must be finite' },
      ],
    })
  })

  it('answers 207 also when everything is accepted, and the readings become the latest', async () => {
    t.clock.advance(60_000)
    const res = await ingest({ readings: [reading({ value: 80.25, timestamp: '2026-04-04T10:31:00.123Z' })] })
    expect(res.status).toBe(207)
    expect(await res.json()).toEqual({ accepted_count: 1, rejected_count: 0, errors: [] })
    const latest = await t.api(`/machines/${demoId('machine:acme:CNC-001')}/readings/latest`, { headers: key })
    expect(latest.status).toBe(200)
    expect(await latest.json()).toEqual({
      machine_id: demoId('machine:acme:CNC-001'),
      readings: [
        { metric_name: 'temperature', value: 80.25, unit: 'celsius', timestamp: '2026-04-04T10:31:00Z' },
        { metric_name: 'vibration', value: 2.5, unit: 'mm/s', timestamp: '2026-04-04T10:30:00Z' },
      ],
    })
  })

  it('brings an offline machine online with its first accepted reading', async () => {
    const headers = await t.bearer('operator@acme.example')
    const machine = await (await t.api('/machines', { method: 'POST', headers, json: { name: 'New', machine_identifier: 'NEW-1', protocol: 'json' } })).json()
    expect(machine.status).toBe('offline')
    await ingest({ readings: [reading({ machine_identifier: 'NEW-1' })] })
    expect((await (await t.api(`/machines/${machine.id}`, { headers })).json()).status).toBe('healthy')
  })

  it.each([
    ['an empty list', { readings: [] }, [{ loc: ['body', 'readings'], msg: 'List should have at least 1 item after validation, not 0', type: 'too_short' }]],
    ['1,001 readings', { readings: Array.from({ length: 1001 }, () => ({ machine_identifier: 'CNC-001', timestamp: '2026-04-04T10:30:00Z', metric_name: 't', value: 1, unit: 'c' })) },
      [{ loc: ['body', 'readings'], msg: 'List should have at most 1000 items after validation, not 1001', type: 'too_long' }]],
    ['a missing field and a string value', { readings: [{ machine_identifier: 'CNC-001', timestamp: '2026-04-04T10:30:00Z', metric_name: 't', value: 'hot' }] },
      [{ loc: ['body', 'readings', 0, 'value'], msg: 'Input should be a valid number', type: 'float_type' }, { loc: ['body', 'readings', 0, 'unit'], msg: 'Field required', type: 'missing' }]],
    ['a bad timestamp', { readings: [{ machine_identifier: 'CNC-001', timestamp: 'yesterday', metric_name: 't', value: 1, unit: 'c' }] },
      [{ loc: ['body', 'readings', 0, 'timestamp'], msg: 'Input should be a valid datetime or date, invalid character in year', type: 'datetime_from_date_parsing' }]],
  ])('answers 422 for %s', async (_, body, detail) => {
    const res = await ingest(body)
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail })
  })

  it('answers 401 Not authenticated for a JWT instead of a key', async () => {
    const res = await ingest({ readings: [reading()] }, await t.bearer('admin@acme.example'))
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ detail: 'Not authenticated' })
  })

  it('answers 401 Invalid API key. for an unknown key', async () => {
    const res = await ingest({ readings: [reading()] }, { 'X-API-Key': 'hk_nope' })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ detail: 'Invalid API key.' })
  })

  it('answers 403 with the scope named for a key without ingest', async () => {
    const admin = await t.bearer('admin@acme.example')
    const created = await (await t.api('/settings/api-keys', { method: 'POST', headers: admin, json: { name: 'reader', scopes: 'read_only' } })).json()
    const res = await ingest({ readings: [reading()] }, { 'X-API-Key': created.key })
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({ detail: 'API key does not have the required scope: ingest' })
  })

  it('answers 413 Request body too large. over 10 MB, before authentication', async () => {
    const res = await ingest('x'.repeat(10 * 1024 * 1024 + 1), {})
    expect(res.status).toBe(413)
    expect(await res.json()).toEqual({ detail: 'Request body too large.' })
  })
})

describe('GET /machines/{id}/readings', () => {
  it('answers the time series in ascending time within [start, end], filtered by metric', async () => {
    const id = demoId('machine:acme:PRESS-01')
    const res = await t.api(`/machines/${id}/readings?metric_name=temperature&start=2026-04-04T10:27:00Z&end=2026-04-04T10:29:00Z`, { headers: key })
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body.machine_id).toBe(id)
    expect(body.readings.map((r: { timestamp: string }) => r.timestamp)).toEqual(['2026-04-04T10:27:00Z', '2026-04-04T10:28:00Z', '2026-04-04T10:29:00Z'])
    expect(body.readings.every((r: { metric_name: string; unit: string }) => r.metric_name === 'temperature' && r.unit === 'celsius')).toBe(true)
  })

  it('defaults to the last 24 hours and honours limit', async () => {
    const res = await t.api(`/machines/${demoId('machine:acme:ROBOT-07')}/readings?limit=5`, { headers: await t.bearer('viewer@acme.example') })
    const body = await res.json()
    expect(body.readings).toHaveLength(5)
    expect(body.readings[0].timestamp).toBe('2026-04-04T06:31:00Z')
  })

  it('answers 403 for a key without read:sensors', async () => {
    const admin = await t.bearer('admin@acme.example')
    const created = await (await t.api('/settings/api-keys', { method: 'POST', headers: admin, json: { name: 'edge' } })).json()
    const res = await t.api(`/machines/${demoId('machine:acme:CNC-001')}/readings/latest`, { headers: { 'X-API-Key': created.key } })
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({ detail: 'API key does not have the required scope: read:sensors' })
  })
})
