import type { Deps } from '../context.js'
import { isoSeconds } from '../../clock.js'
import type { Alert, AlertRule, Machine, MachineStatus, Reading } from '../../store/records.js'
import { alertRules, alerts } from '../../store/tables.js'

const compare: Record<AlertRule['operator'], (value: number, threshold: number) => boolean> = {
  gt: (v, t) => v > t,
  gte: (v, t) => v >= t,
  lt: (v, t) => v < t,
  lte: (v, t) => v <= t,
  eq: (v, t) => v === t,
}
const operatorWords: Record<AlertRule['operator'], string> = { gt: 'exceeded', gte: 'reached', lt: 'fell below', lte: 'fell to', eq: 'equals' }

/**
 * Evaluates the tenant's active alert rules on a machine's newly accepted readings (emulator
 * choices, README "Alerts from data"): a reading that matches a rule's operator and threshold
 * fires an alert, unless an unacknowledged alert of the same rule and machine is still open; with
 * `duration_seconds` > 0 the condition must also have held on every stored reading of that metric
 * for that long. Each new alert is pushed as an `alert` event and sets the machine's status.
 */
export function evaluateReadings(deps: Deps, machine: Machine, readings: Reading[]): Alert[] {
  const { store } = deps
  const rules = alertRules(store).of(machine.tenant_id, (r) => r.is_active && (r.machine_id === null || r.machine_id === machine.id))
  if (rules.length === 0) return []
  const table = alerts(store)
  const fired: Alert[] = []
  for (const rule of rules) {
    const hit = readings.find((r) => r.metric_name === rule.metric_name && compare[rule.operator](r.value, rule.threshold) && heldLongEnough(deps, machine, rule, r))
    if (!hit) continue
    if (table.of(machine.tenant_id, (a) => a.rule_id === rule.id && a.machine_id === machine.id && !a.is_acknowledged).length > 0) continue
    const alert = table.add({
      id: store.id(), tenant_id: machine.tenant_id, machine_id: machine.id, rule_id: rule.id, severity: rule.severity,
      message: `${title(rule.metric_name)} ${operatorWords[rule.operator]} ${rule.threshold}${unitSuffix(hit.unit)} threshold`,
      metric_name: rule.metric_name, metric_value: hit.value, threshold_value: rule.threshold,
      is_acknowledged: false, acknowledged_by: null, acknowledged_at: null, snoozed_until: null, created_at: deps.clock.now(),
    })
    fired.push(alert)
    deps.events.emit({
      type: 'alert', tenant_id: alert.tenant_id, alert_id: alert.id, machine_id: alert.machine_id, severity: alert.severity,
      message: alert.message, metric_value: alert.metric_value, threshold_value: alert.threshold_value, created_at: isoSeconds(alert.created_at),
    })
  }
  if (fired.length > 0) refreshMachineStatus(deps, machine)
  return fired
}

/** With a duration, every reading of the metric in [reading − duration, reading] matches too. */
function heldLongEnough(deps: Deps, machine: Machine, rule: AlertRule, reading: Reading): boolean {
  if (rule.duration_seconds <= 0) return true
  const since = reading.timestamp - rule.duration_seconds * 1000
  const window = deps.store.readings.query(machine.id, { metric: rule.metric_name, startMs: since - 60_000, endMs: reading.timestamp, limit: 10_000 })
  const earlier = window.filter((r) => r.timestamp <= since)
  if (earlier.length === 0) return false
  return window.filter((r) => r.timestamp >= earlier.at(-1)!.timestamp).every((r) => compare[rule.operator](r.value, rule.threshold))
}

/**
 * Acknowledges an alert for `userId` (a no-op when it already is) and re-derives its machine's
 * status, so a machine whose alerts are all acknowledged is healthy again. Returns whether it changed.
 */
export function acknowledgeAlert(deps: Deps, alert: Alert, userId: string | null): boolean {
  if (alert.is_acknowledged) return false
  alert.is_acknowledged = true
  alert.acknowledged_by = userId
  alert.acknowledged_at = deps.clock.now()
  const machine = deps.store.machines.get(alert.machine_id)
  if (machine && machine.deleted_at === null) refreshMachineStatus(deps, machine)
  return true
}

/**
 * Whether an alert needs attention at `nowMs`: unacknowledged and not snoozed (emulator choice,
 * README "Alert stats"). Snoozing silences an alert; only acknowledging closes it.
 */
export const isActive = (alert: Alert, nowMs: number): boolean =>
  !alert.is_acknowledged && (alert.snoozed_until === null || alert.snoozed_until <= nowMs)

/**
 * A machine's status from its unacknowledged alerts: any critical → `critical`, else any warning
 * → `warning`, else `healthy` (an `offline` machine without alerts stays offline). Pushes a
 * `machine_status` event when it changes.
 */
export function refreshMachineStatus(deps: Deps, machine: Machine): void {
  const open = alerts(deps.store).of(machine.tenant_id, (a) => a.machine_id === machine.id && !a.is_acknowledged)
  const next: MachineStatus = open.some((a) => a.severity === 'critical')
    ? 'critical'
    : open.some((a) => a.severity === 'warning')
      ? 'warning'
      : machine.status === 'offline' ? 'offline' : 'healthy'
  setMachineStatus(deps, machine, next)
}

/** Sets a machine's status and pushes `machine_status` when it changed. */
export function setMachineStatus(deps: Deps, machine: Machine, status: MachineStatus): void {
  if (machine.status === status) return
  const old = machine.status
  machine.status = status
  deps.events.emit({ type: 'machine_status', tenant_id: machine.tenant_id, machine_id: machine.id, old_status: old, new_status: status, timestamp: isoSeconds(deps.clock.now()) })
}

/** `°C` for celsius as in the reference's example message (`Temperature exceeded 85°C threshold`), else ` <unit>`. */
function unitSuffix(unit: string): string {
  const symbol: Record<string, string> = { celsius: '°C', '°c': '°C', c: '°C', fahrenheit: '°F', '°f': '°F', f: '°F', percent: '%', '%': '%' }
  const u = unit.trim()
  return symbol[u.toLowerCase()] ?? (u === '' ? '' : ` ${u}`)
}

const title = (metric: string) => (metric.charAt(0).toUpperCase() + metric.slice(1)).replace(/_/g, ' ')
