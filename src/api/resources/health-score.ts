import { dayMs } from '../../clock.js'
import type { Alert, Machine } from '../../store/records.js'
import type { Store } from '../../store/store.js'
import { alerts } from '../../store/tables.js'

/**
 * The health score of reference section 7, computed from stored alerts and readings:
 * `health = (1 − w) × alert_score + w × anomaly_score`. The reference makes `w` a per-tenant
 * setting without an endpoint; the emulator uses this one value for every tenant.
 */
export const anomalyWeight = 0.5
/** |z| above which a reading is an anomaly (baseline z-score detector). */
export const zThreshold = 3
/** Window of the anomaly detector and of the anomaly summary: 168 hours. */
export const anomalyWindowHours = 168
/** Share of anomalous readings at which a metric's health reaches 0 (linear from 100 at none). */
const anomalyRateAtZero = 0.1
/** Days to failure at health 100, and the health points that halve them. */
const maxDaysToFailure = 365
const halvingPoints = 6

const windowMs = anomalyWindowHours * 3_600_000

/** The published alert deductions: per bucket, points per alert and most alerts counted. */
const deductions = {
  critical7: { points: 15, max: 3 },
  critical30: { points: 6, max: 3 },
  warning7: { points: 5, max: 4 },
  warning30: { points: 2, max: 4 },
  unacknowledged: { points: 4, max: 5 },
} as const

export type RiskLevel = 'low' | 'medium' | 'high' | 'critical'

/** Anomalies of one metric in a window: readings, |z| > 3 count, newest anomaly time (ms). */
export interface MetricAnomalies {
  metric_name: string
  readings: number
  count: number
  latest_at: number | null
  /** 0..100, from the anomaly rate (unrounded). */
  health: number
}

/** Everything the prediction endpoints show, for one machine at one instant. */
export interface Assessment {
  health_score: number
  estimated_days_to_failure: number
  risk_level: RiskLevel
  alert_score: number
  anomaly_score: number
  metrics: MetricAnomalies[]
  top_risk_metric: string | null
  /** The machine's alerts created in the last 30 days before the instant. */
  recent_alerts: Alert[]
  /** The machine's alerts still unacknowledged at the instant. */
  open_alerts: Alert[]
}

/** Days to failure from health: 365 at 100, halved by every 6 points lost, whole days (82 → 45). */
export const daysToFailure = (health: number): number => Math.floor(maxDaysToFailure * 2 ** (-(100 - health) / halvingPoints))

/** Risk from health: ≥ 85 low, 70-84 medium, 50-69 high, below 50 critical. */
export const riskLevel = (health: number): RiskLevel => (health >= 85 ? 'low' : health >= 70 ? 'medium' : health >= 50 ? 'high' : 'critical')

/** A machine's health at `atMs` (now, or a past day's end for the history). */
export function assess(store: Store, machine: Machine, atMs: number): Assessment {
  const all = alerts(store).of(machine.tenant_id, (a) => a.machine_id === machine.id && a.created_at <= atMs)
  const recent = all.filter((a) => atMs - a.created_at < 30 * dayMs)
  const open = all.filter((a) => !(a.is_acknowledged && a.acknowledged_at !== null && a.acknowledged_at <= atMs))
  const alertScore = alertScoreOf(recent, open.length, atMs)
  const metrics = metricAnomalies(store, machine.id, atMs - windowMs, atMs)
  const anomalyScore = metrics.length === 0 ? 100 : metrics.reduce((s, m) => s + m.health, 0) / metrics.length
  const health = Math.round((1 - anomalyWeight) * alertScore + anomalyWeight * anomalyScore)
  return {
    health_score: health, estimated_days_to_failure: daysToFailure(health), risk_level: riskLevel(health),
    alert_score: alertScore, anomaly_score: anomalyScore, metrics, top_risk_metric: topRiskMetric(metrics, recent),
    recent_alerts: recent, open_alerts: open,
  }
}

/** 100 minus the capped deductions of the alerts of the last 30 days and the open ones, at least 0. */
function alertScoreOf(recent: Alert[], openCount: number, atMs: number): number {
  const count = (severity: Alert['severity'], within7: boolean) =>
    recent.filter((a) => a.severity === severity && (atMs - a.created_at < 7 * dayMs) === within7).length
  const take = (n: number, d: { points: number; max: number }) => Math.min(n, d.max) * d.points
  const total =
    take(count('critical', true), deductions.critical7) + take(count('critical', false), deductions.critical30) +
    take(count('warning', true), deductions.warning7) + take(count('warning', false), deductions.warning30) +
    take(openCount, deductions.unacknowledged)
  return Math.max(0, 100 - total)
}

/**
 * Per metric with readings in [startMs, endMs]: readings whose |z| against the window's mean and
 * (population) standard deviation exceeds 3. Sorted by metric name.
 */
export function metricAnomalies(store: Store, machineId: string, startMs: number, endMs: number): MetricAnomalies[] {
  const out: MetricAnomalies[] = []
  for (const { metric_name } of store.readings.latest(machineId)) {
    const list = store.readings.query(machineId, { metric: metric_name, startMs, endMs, limit: Number.MAX_SAFE_INTEGER })
    if (list.length === 0) continue
    const mean = list.reduce((s, r) => s + r.value, 0) / list.length
    const sd = Math.sqrt(list.reduce((s, r) => s + (r.value - mean) ** 2, 0) / list.length)
    const flagged = sd > 0 ? list.filter((r) => Math.abs(r.value - mean) / sd > zThreshold) : []
    const rate = flagged.length / list.length
    out.push({
      metric_name, readings: list.length, count: flagged.length, latest_at: flagged.at(-1)?.timestamp ?? null,
      health: 100 * Math.max(0, 1 - rate / anomalyRateAtZero),
    })
  }
  return out
}

/**
 * The metric most at risk: lowest health, then most alerts in the last 30 days, then name; a
 * metric known only from alerts counts as health 100. null when nothing is below 100 and no alert
 * was raised in 30 days.
 */
function topRiskMetric(metrics: MetricAnomalies[], recent: Alert[]): string | null {
  const health = new Map(metrics.map((m) => [m.metric_name, m.health]))
  const alertCount = new Map<string, number>()
  for (const a of recent) alertCount.set(a.metric_name, (alertCount.get(a.metric_name) ?? 0) + 1)
  const names = [...new Set([...health.keys(), ...alertCount.keys()])]
  const ranked = names.sort((a, b) =>
    (health.get(a) ?? 100) - (health.get(b) ?? 100) || (alertCount.get(b) ?? 0) - (alertCount.get(a) ?? 0) || (a < b ? -1 : a > b ? 1 : 0))
  const top = ranked[0]
  if (top === undefined || ((health.get(top) ?? 100) >= 100 && !alertCount.has(top))) return null
  return top
}
