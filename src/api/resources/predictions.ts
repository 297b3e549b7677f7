import { z } from 'zod'
import { Resource } from '../endpoint.js'
import { callerMachine } from './lookups.js'
import { jwtAnyRole as read } from '../access.js'
import { queryInt } from '../validate.js'
import { anomalyWindowHours, assess, metricAnomalies, type Assessment, type RiskLevel } from './health-score.js'
import { isoSeconds, dayMs } from '../../clock.js'
import type { Machine } from '../../store/records.js'

const risks = ['low', 'medium', 'high', 'critical'] as const
/** The only language narratives are written in (emulator choice); the response names it. */
const narrativeLanguage = 'en'

const LanguageQuery = z.object({ language: z.string().default('en') })
const HistoryQuery = z.object({ days: queryInt(1, 365, 30) })

const FleetOut = z.object({
  predictions: z.array(z.object({
    machine_id: z.uuid(), machine_name: z.string(), health_score: z.int(), estimated_days_to_failure: z.int(),
    risk_level: z.enum(risks), top_risk_metric: z.string().nullable(),
  })),
})
const PredictionOut = z.object({
  machine_id: z.uuid(), health_score: z.int(), estimated_days_to_failure: z.int(), risk_level: z.enum(risks),
  metrics: z.array(z.object({ metric_name: z.string(), health_score: z.int() })), generated_at: z.string(),
})
const NarrativeOut = z.object({ machine_id: z.uuid(), narrative: z.string(), language: z.string(), generated_at: z.string() })
const HistoryOut = z.object({
  machine_id: z.uuid(),
  history: z.array(z.object({ date: z.string(), health_score: z.int(), estimated_days_to_failure: z.int() })),
})
const AnomaliesOut = z.object({
  machine_id: z.uuid(), period_hours: z.int(),
  anomalies: z.array(z.object({ metric_name: z.string(), count: z.int(), latest_at: z.string() })), total_count: z.int(),
})


/** Predictions and anomalies under `/machines`, computed from stored alerts and readings (reference section 7). */
export const predictionsResource = new Resource('/machines', 'Predictions')
  .get('/predictions/fleet', {
    summary: 'Health of every machine, riskiest first', access: read, status: 200, response: FleetOut,
    handle(c) {
      const { store, clock } = c.get('deps')
      const now = clock.now()
      const rows = store.machinesOf(c.get('caller').tenant.id).map((m) => ({ m, a: assess(store, m, now) }))
      rows.sort((x, y) => x.a.health_score - y.a.health_score || (x.m.name < y.m.name ? -1 : x.m.name > y.m.name ? 1 : 0))
      return c.json({
        predictions: rows.map(({ m, a }) => ({
          machine_id: m.id, machine_name: m.name, health_score: a.health_score, estimated_days_to_failure: a.estimated_days_to_failure,
          risk_level: a.risk_level, top_risk_metric: a.top_risk_metric,
        })),
      })
    },
  })
  .get('/:machine_id/prediction', {
    summary: 'Health score, days to failure and per-metric health', access: read, query: LanguageQuery, status: 200, errors: ['machine_not_found'], response: PredictionOut,
    handle(c, { params }) {
      const machine = callerMachine(c, params.machine_id)
      const now = c.get('deps').clock.now()
      const a = assess(c.get('deps').store, machine, now)
      return c.json({
        machine_id: machine.id, health_score: a.health_score, estimated_days_to_failure: a.estimated_days_to_failure, risk_level: a.risk_level,
        metrics: a.metrics.map((m) => ({ metric_name: m.metric_name, health_score: Math.round(m.health) })), generated_at: isoSeconds(now),
      })
    },
  })
  .get('/:machine_id/prediction/narrative', {
    summary: 'The prediction in words (English)', access: read, query: LanguageQuery, status: 200, errors: ['machine_not_found'], response: NarrativeOut,
    handle(c, { params }) {
      const machine = callerMachine(c, params.machine_id)
      const now = c.get('deps').clock.now()
      const text = narrate(machine, assess(c.get('deps').store, machine, now))
      return c.json({ machine_id: machine.id, narrative: text, language: narrativeLanguage, generated_at: isoSeconds(now) })
    },
  })
  .get('/:machine_id/prediction/history', {
    summary: 'Health per day, recomputed at each day end (UTC)', access: read, query: HistoryQuery, status: 200, errors: ['machine_not_found'], response: HistoryOut,
    handle(c, { params, query }) {
      const machine = callerMachine(c, params.machine_id)
      const { store, clock } = c.get('deps')
      const now = clock.now()
      const today = Math.floor(now / dayMs) * dayMs
      const history = []
      for (let i = query.days - 1; i >= 0; i--) {
        const dayStart = today - i * dayMs
        const a = assess(store, machine, Math.min(dayStart + dayMs - 1, now))
        history.push({ date: isoSeconds(dayStart).slice(0, 10), health_score: a.health_score, estimated_days_to_failure: a.estimated_days_to_failure })
      }
      return c.json({ machine_id: machine.id, history })
    },
  })
  .get('/:machine_id/anomalies/summary', {
    summary: 'Readings with |z| > 3 per metric, last 168 hours', access: read, status: 200, errors: ['machine_not_found'], response: AnomaliesOut,
    handle(c, { params }) {
      const machine = callerMachine(c, params.machine_id)
      const { store, clock } = c.get('deps')
      const now = clock.now()
      const found = metricAnomalies(store, machine.id, now - anomalyWindowHours * 3_600_000, now).filter((m) => m.count > 0)
      return c.json({
        machine_id: machine.id, period_hours: anomalyWindowHours,
        anomalies: found.map((m) => ({ metric_name: m.metric_name, count: m.count, latest_at: isoSeconds(m.latest_at!) })),
        total_count: found.reduce((s, m) => s + m.count, 0),
      })
    },
  })

const advice: Record<RiskLevel, string> = {
  low: 'No action needed beyond routine monitoring.',
  medium: 'Plan an inspection at the next scheduled maintenance.',
  high: 'Schedule maintenance within the next week.',
  critical: 'Inspect the machine as soon as possible.',
}
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/** The deterministic English narrative of an assessment (the same numbers give the same text). */
export function narrate(machine: Machine, a: Assessment): string {
  const sentences = [
    `${machine.name} (${machine.machine_identifier}) has a health score of ${a.health_score}/100 (${a.risk_level} risk), with an estimated ${plural(a.estimated_days_to_failure, 'day')} to failure.`,
  ]
  const open = a.open_alerts
  const bySeverity = (['critical', 'warning', 'info'] as const).map((s) => [s, open.filter((x) => x.severity === s).length] as const).filter(([, n]) => n > 0)
  sentences.push(open.length === 0 ? 'No alerts are unacknowledged.' : `${plural(open.length, 'unacknowledged alert')} (${bySeverity.map(([s, n]) => `${n} ${s}`).join(', ')}).`)
  sentences.push(a.recent_alerts.length === 0 ? 'No alerts were raised in the last 30 days.' : `${plural(a.recent_alerts.length, 'alert')} raised in the last 30 days.`)
  const total = a.metrics.reduce((s, m) => s + m.count, 0)
  const worst = [...a.metrics].sort((x, y) => y.count - x.count || (x.metric_name < y.metric_name ? -1 : 1))[0]
  sentences.push(total === 0 || !worst
    ? 'The z-score detector found no anomalous readings in the last 7 days.'
    : `The z-score detector flagged ${plural(total, 'anomalous reading')} in the last 7 days, most in ${worst.metric_name} (metric health ${Math.round(worst.health)}/100).`)
  if (a.top_risk_metric) sentences.push(`Top risk metric: ${a.top_risk_metric}.`)
  sentences.push(advice[a.risk_level])
  return sentences.join(' ')
}
