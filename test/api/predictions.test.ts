import { beforeAll, describe, expect, it } from 'vitest'
import { demoApiKey, useServer } from '../helpers.js'
import { demoId } from '../../src/store/demo.js'
import { daysToFailure, riskLevel } from '../../src/api/resources/health-score.js'

const t = useServer()
const minute = 60_000
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z')
const cnc1 = demoId('machine:acme:CNC-001')
const viewer = () => t.bearer('viewer@acme.example')

/**
 * A rig with controlled readings: `flow` constant (no spread, health 100) and `pressure` twenty
 * times 10 then once 100 (|z| = 4.47: 1 anomaly in 21 readings, health 100 × (1 − (1/21)/0.1) = 52.38),
 * and one temperature reading past the demo rule (one open critical alert: alert score 100 − 15 − 4 = 81).
 * Health = round(0.5 × 81 + 0.5 × mean(100, 52.38, 100)) = round(82.56) = 83.
 */
let rig: string
let spikeAt: number
beforeAll(async () => {
  const created = await t.api('/machines', { method: 'POST', headers: await t.bearer('operator@acme.example'), json: { name: 'Test Rig', machine_identifier: 'RIG-1', protocol: 'json' } })
  rig = (await created.json()).id
  const now = t.clock.now()
  spikeAt = now - minute
  const readings = Array.from({ length: 21 }, (_, i) => [
    { machine_identifier: 'RIG-1', timestamp: iso(now - (21 - i) * minute), metric_name: 'pressure', value: i === 20 ? 100 : 10, unit: 'bar' },
    { machine_identifier: 'RIG-1', timestamp: iso(now - (21 - i) * minute), metric_name: 'flow', value: 5, unit: 'l/min' },
  ]).flat()
  readings.push({ machine_identifier: 'RIG-1', timestamp: iso(now), metric_name: 'temperature', value: 90, unit: 'celsius' })
  const res = await t.api('/ingest', { method: 'POST', headers: { 'X-API-Key': demoApiKey }, json: { readings } })
  expect(await res.json()).toEqual({ accepted_count: 43, rejected_count: 0, errors: [] })
})

describe('health mappings', () => {
  it.each([
    [100, 365, 'low'], [85, 64, 'low'], [82, 45, 'medium'], [70, 11, 'medium'], [69, 10, 'high'], [50, 1, 'high'], [49, 1, 'critical'], [0, 0, 'critical'],
  ])('maps health %i to %i days and %s risk', (health, days, risk) => {
    expect(daysToFailure(health)).toBe(days)
    expect(riskLevel(health)).toBe(risk)
  })
})

describe('GET /machines/predictions/fleet', () => {
  it('scores every machine of the tenant from its alerts and readings, riskiest first', async () => {
    const res = await t.api('/machines/predictions/fleet', { headers: await viewer() })
    expect(res.status).toBe(200)
    const row = (machine_id: string, machine_name: string, health_score: number, estimated_days_to_failure: number, risk_level: string, top_risk_metric: string | null) =>
      ({ machine_id, machine_name, health_score, estimated_days_to_failure, risk_level, top_risk_metric })
    expect(await res.json()).toEqual({
      predictions: [
        row(rig, 'Test Rig', 83, 51, 'medium', 'pressure'),
        // acknowledged critical 3 days ago: 100 − 15 = 85 → round(92.5)
        row(demoId('machine:acme:PRESS-01'), 'Hydraulic Press', 93, 162, 'low', 'temperature'),
        // open warning 2 hours ago: 100 − 5 − 4 = 91 → round(95.5)
        row(demoId('machine:acme:CNC-002'), 'CNC Mill #2', 96, 229, 'low', 'vibration'),
        // open (snoozed) info alert: 100 − 4 = 96 → 98
        row(demoId('machine:acme:ROBOT-07'), 'Welding Robot 7', 98, 289, 'low', 'weld_current'),
        row(cnc1, 'CNC Mill #1', 100, 365, 'low', null),
      ],
    })
  })

  it('answers another tenant with its own machines only, and takes no API key', async () => {
    const globex = await (await t.api('/machines/predictions/fleet', { headers: await t.bearer('admin@globex.example') })).json()
    expect(globex.predictions.map((p: { machine_id: string }) => p.machine_id)).toEqual([demoId('machine:globex:GLX-001')])
    const key = await t.api('/machines/predictions/fleet', { headers: { 'X-API-Key': demoApiKey } })
    expect(key.status).toBe(401)
  })
})

describe('GET /machines/{machine_id}/prediction', () => {
  it('answers the health score with per-metric health from each metric\'s anomaly rate', async () => {
    const res = await t.api(`/machines/${rig}/prediction?language=de`, { headers: await viewer() })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      machine_id: rig, health_score: 83, estimated_days_to_failure: 51, risk_level: 'medium',
      metrics: [{ metric_name: 'flow', health_score: 100 }, { metric_name: 'pressure', health_score: 52 }, { metric_name: 'temperature', health_score: 100 }],
      generated_at: '2026-04-04T10:30:00Z',
    })
  })

  it('answers 404 Machine not found. for another tenant\'s machine on every prediction path', async () => {
    const headers = await t.bearer('admin@globex.example')
    for (const path of ['prediction', 'prediction/narrative', 'prediction/history', 'anomalies/summary']) {
      const res = await t.api(`/machines/${cnc1}/${path}`, { headers })
      expect(res.status).toBe(404)
      expect(await res.json()).toEqual({ detail: 'Machine not found.' })
    }
  })
})

describe('GET /machines/{machine_id}/prediction/narrative', () => {
  it('describes the numbers in an English sentence and names English as its language', async () => {
    const res = await t.api(`/machines/${rig}/prediction/narrative?language=fr`, { headers: await viewer() })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      machine_id: rig, language: 'en', generated_at: '2026-04-04T10:30:00Z',
      narrative:
        'Test Rig (RIG-1) has a health score of 83/100 (medium risk), with an estimated 51 days to failure. 1 unacknowledged alert (1 critical). ' +
        '1 alert raised in the last 30 days. The z-score detector flagged 1 anomalous reading in the last 7 days, most in pressure (metric health 52/100). ' +
        'Top risk metric: pressure. Plan an inspection at the next scheduled maintenance.',
    })
  })

  it('says so when nothing is wrong', async () => {
    const body = await (await t.api(`/machines/${cnc1}/prediction/narrative`, { headers: await viewer() })).json()
    expect(body.narrative).toBe(
      'CNC Mill #1 (CNC-001) has a health score of 100/100 (low risk), with an estimated 365 days to failure. No alerts are unacknowledged. ' +
      'No alerts were raised in the last 30 days. The z-score detector found no anomalous readings in the last 7 days. No action needed beyond routine monitoring.',
    )
  })
})

describe('GET /machines/{machine_id}/anomalies/summary', () => {
  it('counts readings with |z| > 3 per metric over the last 168 hours', async () => {
    const res = await t.api(`/machines/${rig}/anomalies/summary`, { headers: await viewer() })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ machine_id: rig, period_hours: 168, anomalies: [{ metric_name: 'pressure', count: 1, latest_at: iso(spikeAt) }], total_count: 1 })
    const calm = await (await t.api(`/machines/${cnc1}/anomalies/summary`, { headers: await viewer() })).json()
    expect(calm).toEqual({ machine_id: cnc1, period_hours: 168, anomalies: [], total_count: 0 })
  })
})

describe('GET /machines/{machine_id}/prediction/history', () => {
  it.each([
    ['days=0', { loc: ['query', 'days'], msg: 'Input should be greater than or equal to 1', type: 'greater_than_equal' }],
    ['days=366', { loc: ['query', 'days'], msg: 'Input should be less than or equal to 365', type: 'less_than_equal' }],
    ['days=week', { loc: ['query', 'days'], msg: 'Input should be a valid integer, unable to parse string as an integer', type: 'int_parsing' }],
  ])('answers 422 for %s', async (query, item) => {
    const res = await t.api(`/machines/${rig}/prediction/history?${query}`, { headers: await viewer() })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail: [item] })
  })

  it('defaults to 30 days, oldest first, the last one today', async () => {
    const body = await (await t.api(`/machines/${cnc1}/prediction/history`, { headers: await viewer() })).json()
    expect(body.history).toHaveLength(30)
    expect(body.history[0]).toEqual({ date: '2026-03-06', health_score: 100, estimated_days_to_failure: 365 })
    expect(body.history.at(-1)).toEqual({ date: '2026-04-04', health_score: 100, estimated_days_to_failure: 365 })
  })

  it('recomputes the formula at each day\'s end: the spike leaves the 7-day window, the alert ages into days 8-30', async () => {
    t.clock.advance(8 * 24 * 60 * minute)
    const res = await t.api(`/machines/${rig}/prediction/history?days=10`, { headers: await viewer() })
    expect(res.status).toBe(200)
    const day = (date: string, health_score: number, estimated_days_to_failure: number) => ({ date, health_score, estimated_days_to_failure })
    expect(await res.json()).toEqual({
      machine_id: rig,
      history: [
        day('2026-04-03', 100, 365),
        ...['04', '05', '06', '07', '08', '09', '10'].map((d) => day(`2026-04-${d}`, 83, 51)),
        // alert score 100 − 6 − 4 = 90, no readings in the window: round(0.5 × 90 + 50)
        day('2026-04-11', 95, 204),
        day('2026-04-12', 95, 204),
      ],
    })
    const summary = await (await t.api(`/machines/${rig}/anomalies/summary`, { headers: await viewer() })).json()
    expect(summary).toEqual({ machine_id: rig, period_hours: 168, anomalies: [], total_count: 0 })
  })
})
