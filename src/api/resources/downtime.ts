import { z } from 'zod'
import type { Context } from 'hono'
import type { AppEnv } from '../context.js'
import { Resource } from '../endpoint.js'
import { callerMachine } from './lookups.js'
import { jwtAnyRole as read, jwtOperate as write } from '../access.js'
import { ApiError } from '../errors.js'
import { datetime, queryInt, uuidParam } from '../validate.js'
import { text255 } from './users-view.js'
import { reasonCodes, reasonCodesOf } from './reason-codes.js'
import { downtimeCategories, durationMinutes, reliability, uptimeSummary } from './reliability.js'
import { isoSeconds, isoSecondsOrNull, dayMs } from '../../clock.js'
import { downtimeRecords } from '../../store/tables.js'
import { demoId } from '../../store/demo.js'
import type { DowntimeRecord, Machine } from '../../store/records.js'
import type { Store } from '../../store/store.js'

const DowntimeCreate = z.object({
  reason: text255.nullish(),
  category: z.enum(downtimeCategories).default('unplanned'),
  reason_code_id: uuidParam.nullish(),
  started_at: datetime.optional(),
})
const DowntimeUpdate = z.object({
  reason: text255.nullish(),
  category: z.enum(downtimeCategories).optional(),
  reason_code_id: uuidParam.nullish(),
  started_at: datetime.optional(),
})
const DowntimeListQuery = z.object({ start: datetime.optional(), end: datetime.optional(), category: z.enum(downtimeCategories).optional() })
const WindowQuery = z.object({ start: datetime.optional(), end: datetime.optional() })
/** `days` of the MTTR/MTBF calls: default 90 (documented), bounds 1-365 (emulator choice). */
export const DaysQuery = z.object({ days: queryInt(1, 365, 90) })


/** The downtime record object (gap → emulator fields of the reference). */
export const DowntimeOut = z.object({
  id: z.uuid(), machine_id: z.uuid(), reason: z.string().nullable(), category: z.enum(downtimeCategories),
  reason_code_id: z.uuid().nullable(), started_at: z.iso.datetime(), ended_at: z.iso.datetime().nullable(), duration_minutes: z.int().nullable(),
})
/** The documented MTTR/MTBF body. */
export const ReliabilityOut = z.object({
  mttr_hours: z.number().nullable(), mtbf_hours: z.number().nullable(), total_failures: z.int(), total_repairs: z.int(),
})
const UptimeOut = z.object({
  machine_id: z.uuid(), start: z.iso.datetime(), end: z.iso.datetime(), planned_minutes: z.number(), downtime_minutes: z.number(),
  uptime_minutes: z.number(), uptime_percent: z.number().nullable(), downtime_events: z.int(),
  by_category: z.object(Object.fromEntries(downtimeCategories.map((k) => [k, z.number()]))),
})

/** A downtime record as the API answers it. */
export const presentDowntime = (r: DowntimeRecord) => ({
  id: r.id,
  machine_id: r.machine_id,
  reason: r.reason,
  category: r.category,
  reason_code_id: r.reason_code_id,
  started_at: isoSeconds(r.started_at),
  ended_at: isoSecondsOrNull(r.ended_at),
  duration_minutes: durationMinutes(r),
})

/** The machine's downtime record, or 404 `Downtime record not found.` (also for another machine's). */
function recordOf(c: Context<AppEnv>, machine: Machine, id: string): DowntimeRecord {
  const record = downtimeRecords(c.get('deps').store).get(machine.tenant_id, id)
  if (!record || record.machine_id !== machine.id) throw new ApiError('downtime_not_found')
  return record
}

/** 404 `Reason code not found.` unless the id is one of the tenant's reason codes. */
function checkReasonCode(store: Store, tenantId: string, id: string | null | undefined): void {
  if (id == null) return
  reasonCodesOf(store, tenantId)
  if (!reasonCodes(store).get(tenantId, id)) throw new ApiError('reason_code_not_found')
}

/** The machine's downtime records, newest start first. */
const recordsOf = (store: Store, machine: Machine) =>
  downtimeRecords(store).of(machine.tenant_id, (r) => r.machine_id === machine.id).sort((a, b) => b.started_at - a.started_at)

/** `/machines/{machine_id}/downtime`, uptime summary and MTTR/MTBF (reference section 12). */
export const downtimeResource = new Resource('/machines', 'Downtime')
  .post('/:machine_id/downtime', {
    summary: 'Record a downtime event', access: write, body: DowntimeCreate, status: 201, response: DowntimeOut,
    errors: ['machine_not_found', 'reason_code_not_found'],
    handle(c, { params, body }) {
      const { store, clock } = c.get('deps')
      const machine = callerMachine(c, params.machine_id)
      checkReasonCode(store, machine.tenant_id, body.reason_code_id)
      const record = downtimeRecords(store).add({
        id: store.id(), tenant_id: machine.tenant_id, machine_id: machine.id, reason: body.reason ?? null, category: body.category,
        reason_code_id: body.reason_code_id ?? null, started_at: body.started_at ?? clock.now(), ended_at: null,
      })
      return c.json(presentDowntime(record), 201)
    },
  })
  .get('/:machine_id/downtime', {
    summary: "List a machine's downtime events", access: read, query: DowntimeListQuery, status: 200, response: z.array(DowntimeOut),
    errors: ['machine_not_found'],
    handle(c, { params, query }) {
      const { store, clock } = c.get('deps')
      const machine = callerMachine(c, params.machine_id)
      const now = clock.now()
      const list = recordsOf(store, machine).filter((r) =>
        (query.category === undefined || r.category === query.category) &&
        (query.start === undefined || (r.ended_at ?? now) >= query.start) &&
        (query.end === undefined || r.started_at <= query.end))
      return c.json(list.map(presentDowntime))
    },
  })
  .put('/:machine_id/downtime/:record_id', {
    summary: 'Update a downtime event', access: write, body: DowntimeUpdate, status: 200, response: DowntimeOut,
    errors: ['machine_not_found', 'downtime_not_found', 'reason_code_not_found'],
    handle(c, { params, body }) {
      const { store } = c.get('deps')
      const machine = callerMachine(c, params.machine_id)
      const record = recordOf(c, machine, params.record_id)
      checkReasonCode(store, machine.tenant_id, body.reason_code_id)
      if (body.reason !== undefined) record.reason = body.reason
      if (body.category !== undefined) record.category = body.category
      if (body.reason_code_id !== undefined) record.reason_code_id = body.reason_code_id
      if (body.started_at !== undefined) record.started_at = body.started_at
      return c.json(presentDowntime(record))
    },
  })
  .post('/:machine_id/downtime/:record_id/end', {
    summary: 'End an ongoing downtime event', access: write, status: 200, response: DowntimeOut,
    errors: ['machine_not_found', 'downtime_not_found', 'downtime_already_ended'],
    handle(c, { params }) {
      const machine = callerMachine(c, params.machine_id)
      const record = recordOf(c, machine, params.record_id)
      if (record.ended_at !== null) throw new ApiError('downtime_already_ended')
      record.ended_at = c.get('deps').clock.now()
      return c.json(presentDowntime(record))
    },
  })
  .get('/:machine_id/uptime-summary', {
    summary: 'Uptime of a machine over a window (default the last 7 days)', access: read, query: WindowQuery, status: 200,
    response: UptimeOut, errors: ['machine_not_found'],
    handle(c, { params, query }) {
      const { store, clock } = c.get('deps')
      const machine = callerMachine(c, params.machine_id)
      const now = clock.now()
      const end = Math.min(query.end ?? now, now)
      const start = query.start ?? end - 7 * dayMs
      const summary = uptimeSummary(recordsOf(store, machine), start, end, now)
      return c.json({ machine_id: machine.id, start: isoSeconds(start), end: isoSeconds(end), ...summary })
    },
  })
  .get('/:machine_id/mttr-mtbf', {
    summary: 'Mean time to repair and between failures of a machine', access: read, query: DaysQuery, status: 200,
    response: ReliabilityOut, errors: ['machine_not_found'],
    handle(c, { params, query }) {
      const { store, clock } = c.get('deps')
      const machine = callerMachine(c, params.machine_id)
      return c.json(reliability(recordsOf(store, machine), query.days, clock.now()))
    },
  })
  .demo(seedDowntime)

/** Demo downtime: Acme's last three weeks (ended unplanned, maintenance, changeover, planned, one ongoing) and one Globex record. */
function seedDowntime(store: Store): void {
  const now = Math.floor(store.clock.now() / 60_000) * 60_000
  const hour = 3_600_000
  const rows: [label: string, tenant: string, machine: string, category: DowntimeRecord['category'], code: string | null, reason: string, startedAgoH: number, lastsH: number | null][] = [
    ['acme:1', 'acme', 'CNC-001', 'unplanned', 'MECH-BRG', 'Spindle bearing failure', 20 * 24, 3],
    ['acme:2', 'acme', 'CNC-001', 'maintenance', 'PM', 'Quarterly preventive maintenance', 13 * 24, 4],
    ['acme:3', 'acme', 'CNC-002', 'unplanned', 'ELEC-DRV', 'Servo drive fault', 9 * 24, 1.5],
    ['acme:4', 'acme', 'PRESS-01', 'changeover', 'CHG', 'Die change', 6 * 24, 0.75],
    ['acme:5', 'acme', 'CNC-001', 'unplanned', 'MECH-HYD', 'Coolant line leak', 3 * 24, 2],
    ['acme:6', 'acme', 'ROBOT-07', 'planned', null, 'Cell cleaning', 2 * 24, 1],
    ['acme:ongoing', 'acme', 'CNC-001', 'unplanned', 'MECH', 'Tool breakage', 0.75, null],
    ['globex:1', 'globex', 'GLX-001', 'unplanned', 'ELEC', 'Power supply trip', 5 * 24, 2],
  ]
  for (const [label, tenant, machine, category, code, reason, agoH, lastsH] of rows) {
    const started = now - agoH * hour
    downtimeRecords(store).add({
      id: demoId(`downtime:${label}`), tenant_id: demoId(`tenant:${tenant}`), machine_id: demoId(`machine:${tenant}:${machine}`),
      reason, category, reason_code_id: code === null ? null : demoId(`reason-code:${tenant}:${code}`),
      started_at: started, ended_at: lastsH === null ? null : started + lastsH * hour,
    })
  }
}
