import { z } from 'zod'
import { Resource } from '../endpoint.js'
import { jwtAnyRole as read } from '../access.js'
import { ApiError } from '../errors.js'
import { uuidParam } from '../validate.js'
import { addDays, dateOnly, dayOf, dayStart, minutesOf } from './calendar.js'
import { presentDowntime, DowntimeOut } from './downtime.js'
import { overlapMs, round2 } from './reliability.js'
import { oeeRecords } from './oee.js'
import { definitionsOf, presentShiftDefinition, shiftContains, ShiftDefinitionOut, type ShiftDefinition } from './shift-definitions.js'
import { presentShiftLog, shiftLogOf, ShiftLogOut, shiftLogs, type ShiftLog } from './shift-logs.js'
import { isoSeconds, hourMs } from '../../clock.js'
import { alerts, downtimeRecords, maintenanceEvents } from '../../store/tables.js'
import type { Alert, MaintenanceEvent } from '../../store/records.js'

/** Most days of a comparison range that are evaluated (the last ones of the range). */
const maxComparisonDays = 366

const ComparisonQuery = z.object({ from_date: dateOnly.optional(), to_date: dateOnly.optional(), machine_id: uuidParam.optional() })

const presentAlert = (a: Alert) => ({
  id: a.id, machine_id: a.machine_id, severity: a.severity, message: a.message, is_acknowledged: a.is_acknowledged, created_at: isoSeconds(a.created_at),
})
const presentMaintenance = (m: MaintenanceEvent) => ({
  id: m.id, machine_id: m.machine_id, title: m.title, type: m.type, status: m.status,
  scheduled_start: isoSeconds(m.scheduled_start), scheduled_end: isoSeconds(m.scheduled_end),
})

const HandoverOut = z.object({
  log_id: z.uuid(), shift_definition_id: z.uuid(), machine_id: z.uuid().nullable(), period_start: z.iso.datetime(), period_end: z.iso.datetime(),
  summary: z.object({
    alert_count: z.int(), critical_alert_count: z.int(), unacknowledged_alert_count: z.int(), downtime_count: z.int(),
    ongoing_downtime_count: z.int(), downtime_minutes: z.number(), maintenance_count: z.int(),
  }),
  alerts: z.array(z.object({ id: z.uuid(), machine_id: z.uuid(), severity: z.string(), message: z.string(), is_acknowledged: z.boolean(), created_at: z.iso.datetime() })),
  downtime: z.array(DowntimeOut),
  maintenance: z.array(z.object({ id: z.uuid(), machine_id: z.uuid(), title: z.string(), type: z.string(), status: z.string(), scheduled_start: z.iso.datetime(), scheduled_end: z.iso.datetime() })),
})
const ComparisonOut = z.object({
  from_date: z.iso.date(), to_date: z.iso.date(), machine_id: z.uuid().nullable(),
  shifts: z.array(z.object({
    shift_definition_id: z.uuid(), name: z.string(), start_time: z.string(), end_time: z.string(), color: z.string(),
    scheduled_minutes: z.number(), log_count: z.int(), downtime_minutes: z.number(), downtime_events: z.int(), alert_count: z.int(),
    average_oee: z.number().nullable(),
  })),
})

/** The windows of a shift on each date from `from` to `to`, cut at `nowMs` (future parts dropped). */
function shiftWindows(d: ShiftDefinition, from: string, to: string, nowMs: number): [number, number][] {
  const s = minutesOf(d.start_time)
  const e = minutesOf(d.end_time)
  const lengthMs = ((e - s + 1440) % 1440 || 1440) * 60_000
  const last = to < dayOf(nowMs) ? to : dayOf(nowMs)
  const first = from > addDays(last, 1 - maxComparisonDays) ? from : addDays(last, 1 - maxComparisonDays)
  const out: [number, number][] = []
  for (let day = first; day <= last; day = addDays(day, 1)) {
    const start = dayStart(day) + s * 60_000
    if (start < nowMs) out.push([start, Math.min(start + lengthMs, nowMs)])
  }
  return out
}


/** Shift handover report, shift comparison and the shifts running now (reference section 13). */
export const shiftReportsResource = new Resource('/shifts', 'Shifts')
  .get('/logs/:log_id/handover', {
    summary: "Handover report: alerts, downtime and maintenance in the 24 h before the log's end (or now)", access: read, status: 200,
    response: HandoverOut, errors: ['shift_log_not_found'],
    handle(c, { params }) {
      const { store, clock } = c.get('deps')
      const log = shiftLogOf(c, params.log_id)
      const now = clock.now()
      const end = log.ended_at ?? now
      const start = end - 24 * hourMs
      const onMachine = (row: { machine_id: string }) => log.machine_id === null || row.machine_id === log.machine_id
      const alertRows = alerts(store).of(log.tenant_id, (a) => onMachine(a) && a.created_at >= start && a.created_at <= end)
        .sort((a, b) => b.created_at - a.created_at)
      const downRows = downtimeRecords(store).of(log.tenant_id, (r) => onMachine(r) && overlapMs(r, start, end, now) > 0)
        .sort((a, b) => b.started_at - a.started_at)
      const maintRows = maintenanceEvents(store).of(log.tenant_id, (m) => onMachine(m) && m.scheduled_start <= end && m.scheduled_end >= start)
        .sort((a, b) => a.scheduled_start - b.scheduled_start)
      return c.json({
        log_id: log.id, shift_definition_id: log.shift_definition_id, machine_id: log.machine_id,
        period_start: isoSeconds(start), period_end: isoSeconds(end),
        summary: {
          alert_count: alertRows.length,
          critical_alert_count: alertRows.filter((a) => a.severity === 'critical').length,
          unacknowledged_alert_count: alertRows.filter((a) => !a.is_acknowledged).length,
          downtime_count: downRows.length,
          ongoing_downtime_count: downRows.filter((r) => r.ended_at === null).length,
          downtime_minutes: round2(downRows.reduce((sum, r) => sum + overlapMs(r, start, end, now), 0) / 60_000),
          maintenance_count: maintRows.length,
        },
        alerts: alertRows.map(presentAlert),
        downtime: downRows.map(presentDowntime),
        maintenance: maintRows.map(presentMaintenance),
      })
    },
  })
  .get('/comparison', {
    summary: 'Downtime, alerts and OEE per shift definition over a date range (default the last 7 days)', access: read,
    query: ComparisonQuery, status: 200, response: ComparisonOut, errors: ['machine_not_found'],
    handle(c, { query: q }) {
      const { store, clock } = c.get('deps')
      const tenantId = c.get('caller').tenant.id
      if (q.machine_id !== undefined && !store.machine(tenantId, q.machine_id)) throw new ApiError('machine_not_found')
      const now = clock.now()
      const to = q.to_date ?? dayOf(now)
      const from = q.from_date ?? addDays(to, -6)
      const onMachine = (row: { machine_id: string | null }) => q.machine_id === undefined || row.machine_id === q.machine_id
      const downRows = downtimeRecords(store).of(tenantId, onMachine)
      const alertRows = alerts(store).of(tenantId, onMachine)
      const oeeRows = oeeRecords(store).of(tenantId, (r) => onMachine(r) && r.date >= from && r.date <= to)
      const logs = shiftLogs(store).of(tenantId, (l) => onMachine(l) && l.date >= from && l.date <= to)
      const shifts = definitionsOf(store, tenantId).map((d) => {
        const windows = shiftWindows(d, from, to, now)
        const inside = (t: number) => windows.some(([s, e]) => t >= s && t < e)
        const ownLogs = logs.filter((l) => l.shift_definition_id === d.id)
        const oee = oeeRows.filter((r) => ownLogs.some((l: ShiftLog) => l.date === r.date && (l.machine_id === null || l.machine_id === r.machine_id)))
        return {
          shift_definition_id: d.id, name: d.name, start_time: d.start_time, end_time: d.end_time, color: d.color,
          scheduled_minutes: round2(windows.reduce((sum, [s, e]) => sum + e - s, 0) / 60_000),
          log_count: ownLogs.length,
          downtime_minutes: round2(downRows.reduce((sum, r) => sum + windows.reduce((w, [s, e]) => w + overlapMs(r, s, e, now), 0), 0) / 60_000),
          downtime_events: downRows.filter((r) => inside(r.started_at)).length,
          alert_count: alertRows.filter((a) => inside(a.created_at)).length,
          average_oee: oee.length === 0 ? null : round2(oee.reduce((sum, r) => sum + r.oee, 0) / oee.length),
        }
      })
      return c.json({ from_date: from, to_date: to, machine_id: q.machine_id ?? null, shifts })
    },
  })
  .get('/active', {
    summary: 'Shift definitions running now (UTC) and the active shift logs', access: read, status: 200,
    response: z.object({ current_time: z.iso.datetime(), definitions: z.array(ShiftDefinitionOut), logs: z.array(ShiftLogOut) }),
    handle(c) {
      const { store, clock } = c.get('deps')
      const tenantId = c.get('caller').tenant.id
      const now = clock.now()
      const running = definitionsOf(store, tenantId, (d) => d.is_active && shiftContains(d, now))
      const active = shiftLogs(store).of(tenantId, (l) => l.status === 'active').sort((a, b) => b.started_at - a.started_at)
      return c.json({ current_time: isoSeconds(now), definitions: running.map(presentShiftDefinition), logs: active.map((l) => presentShiftLog(store, l)) })
    },
  })
