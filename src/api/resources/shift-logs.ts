import { z } from 'zod'
import type { Context } from 'hono'
import type { AppEnv } from '../context.js'
import { Resource } from '../endpoint.js'
import { jwtAnyRole, jwtOperate as write } from '../access.js'
import { ApiError, found } from '../errors.js'
import { uuidParam } from '../validate.js'
import { text255 } from './users-view.js'
import { dateOnly, dayOf, minutesOf } from './calendar.js'
import { definitionsOf, shiftContains, shiftDefinitions } from './shift-definitions.js'
import { isoSeconds, isoSecondsOrNull } from '../../clock.js'
import { defineTable } from '../../store/table.js'
import { demoId } from '../../store/demo.js'
import type { Store } from '../../store/store.js'

/** Shift log statuses; a new log is `active`. */
export const shiftLogStatuses = ['active', 'completed', 'cancelled'] as const

/** One worked shift: who supervised it, on which machine (or the whole plant), its notes. */
export interface ShiftLog {
  id: string
  tenant_id: string
  shift_definition_id: string
  machine_id: string | null
  supervisor_name: string | null
  notes: string | null
  status: (typeof shiftLogStatuses)[number]
  /** UTC date the shift belongs to, `YYYY-MM-DD`. */
  date: string
  started_at: number
  ended_at: number | null
}

/** Shift logs (read by the shift reports). */
export const shiftLogs = defineTable<ShiftLog>('shift_logs')

const notes = z.string().max(5000)

const ShiftLogCreate = z.object({
  shift_definition_id: uuidParam,
  machine_id: uuidParam.nullish(),
  supervisor_name: text255.nullish(),
  notes: notes.nullish(),
  date: dateOnly.optional(),
})
const ShiftLogUpdate = z.object({
  status: z.enum(shiftLogStatuses).optional(),
  supervisor_name: text255.nullish(),
  notes: notes.nullish(),
})
const ShiftLogQuery = z.object({
  machine_id: uuidParam.optional(),
  from_date: dateOnly.optional(),
  to_date: dateOnly.optional(),
  status: z.enum(shiftLogStatuses).optional(),
})

/** The shift log object. */
export const ShiftLogOut = z.object({
  id: z.uuid(), shift_definition_id: z.uuid(), shift_name: z.string().nullable(), machine_id: z.uuid().nullable(),
  supervisor_name: z.string().nullable(), notes: z.string().nullable(), status: z.enum(shiftLogStatuses), date: z.iso.date(),
  started_at: z.iso.datetime(), ended_at: z.iso.datetime().nullable(),
})

/** A shift log as the API answers it; `shift_name` is null once its definition is deleted. */
export const presentShiftLog = (store: Store, l: ShiftLog) => ({
  id: l.id, shift_definition_id: l.shift_definition_id, shift_name: shiftDefinitions(store).get(l.tenant_id, l.shift_definition_id)?.name ?? null,
  machine_id: l.machine_id, supervisor_name: l.supervisor_name, notes: l.notes, status: l.status, date: l.date,
  started_at: isoSeconds(l.started_at), ended_at: isoSecondsOrNull(l.ended_at),
})

/** The caller's shift log, or 404 `Shift log not found.` */
export function shiftLogOf(c: Context<AppEnv>, id: string): ShiftLog {
  return found(shiftLogs(c.get('deps').store).get(c.get('caller').tenant.id, id), 'shift_log_not_found')
}


/** `/shifts/logs` (reference section 13): a log starts `active`; PATCH completes or cancels it once. */
export const shiftLogsResource = new Resource('/shifts', 'Shifts')
  .get('/logs', {
    summary: 'List shift logs, newest first', access: jwtAnyRole, query: ShiftLogQuery, status: 200,
    response: z.array(ShiftLogOut),
    handle(c, { query: q }) {
      const { store } = c.get('deps')
      const list = shiftLogs(store).of(c.get('caller').tenant.id, (l) =>
        (q.machine_id === undefined || l.machine_id === q.machine_id) && (q.status === undefined || l.status === q.status) &&
        (q.from_date === undefined || l.date >= q.from_date) && (q.to_date === undefined || l.date <= q.to_date))
      list.sort((a, b) => b.started_at - a.started_at || (a.id < b.id ? -1 : 1))
      return c.json(list.map((l) => presentShiftLog(store, l)))
    },
  })
  .post('/logs', {
    summary: 'Start a shift log', access: write, body: ShiftLogCreate, status: 201, response: ShiftLogOut,
    errors: ['shift_definition_not_found', 'machine_not_found'],
    handle(c, { body }) {
      const { store, clock } = c.get('deps')
      const tenantId = c.get('caller').tenant.id
      if (!shiftDefinitions(store).get(tenantId, body.shift_definition_id)) throw new ApiError('shift_definition_not_found')
      if (body.machine_id != null && !store.machine(tenantId, body.machine_id)) throw new ApiError('machine_not_found')
      const now = clock.now()
      const log = shiftLogs(store).add({
        id: store.id(), tenant_id: tenantId, shift_definition_id: body.shift_definition_id, machine_id: body.machine_id ?? null,
        supervisor_name: body.supervisor_name ?? null, notes: body.notes ?? null, status: 'active', date: body.date ?? dayOf(now),
        started_at: now, ended_at: null,
      })
      return c.json(presentShiftLog(store, log), 201)
    },
  })
  .patch('/logs/:id', {
    summary: 'Update a shift log: notes, supervisor, or complete/cancel it (sets ended_at)', access: write, body: ShiftLogUpdate,
    status: 200, response: ShiftLogOut, errors: ['shift_log_not_found', 'invalid_status_transition'],
    handle(c, { params, body }) {
      const { store, clock } = c.get('deps')
      const log = shiftLogOf(c, params.id)
      // Only an active log changes status, once; setting the status it already has is a no-op.
      if (body.status !== undefined && body.status !== log.status && log.status !== 'active') throw new ApiError('invalid_status_transition')
      if (body.supervisor_name !== undefined) log.supervisor_name = body.supervisor_name
      if (body.notes !== undefined) log.notes = body.notes
      if (body.status !== undefined && body.status !== log.status) {
        log.status = body.status
        log.ended_at = clock.now()
      }
      return c.json(presentShiftLog(store, log))
    },
  })
  .delete('/logs/:id', {
    summary: 'Delete a shift log', access: write, status: 204, errors: ['shift_log_not_found'],
    handle(c, { params }) {
      shiftLogs(c.get('deps').store).delete(shiftLogOf(c, params.id).id)
      return c.body(null, 204)
    },
  })
  .demo(seedShiftLogs)

/**
 * Demo logs on CNC-001: `shift-log:acme:2` active, for the Acme shift running at start-up since
 * its start; `shift-log:acme:1` completed, the 8 hours before it; `shift-log:globex:1` completed yesterday.
 */
function seedShiftLogs(store: Store): void {
  const now = store.clock.now()
  const acme = demoId('tenant:acme')
  const current = definitionsOf(store, acme).find((d) => shiftContains(d, now))
  if (current) {
    const sinceStart = (((Math.floor(now / 60_000) - minutesOf(current.start_time)) % 1440) + 1440) % 1440
    const start = (Math.floor(now / 60_000) - sinceStart) * 60_000
    const previous = definitionsOf(store, acme).find((d) => d.end_time === current.start_time) ?? current
    const base = { tenant_id: acme, machine_id: demoId('machine:acme:CNC-001'), supervisor_name: 'Sam Supervisor' }
    shiftLogs(store).add({
      ...base, id: demoId('shift-log:acme:1'), shift_definition_id: previous.id, notes: 'Bearing noise on CNC-001 spindle, monitor.',
      status: 'completed', date: dayOf(start - 8 * 3_600_000), started_at: start - 8 * 3_600_000, ended_at: start,
    })
    shiftLogs(store).add({
      ...base, id: demoId('shift-log:acme:2'), shift_definition_id: current.id, notes: null, status: 'active', date: dayOf(start),
      started_at: start, ended_at: null,
    })
  }
  const yesterday = Math.floor(now / 86_400_000) * 86_400_000 - 86_400_000
  shiftLogs(store).add({
    id: demoId('shift-log:globex:1'), tenant_id: demoId('tenant:globex'), shift_definition_id: demoId('shift-definition:globex:1'),
    machine_id: demoId('machine:globex:GLX-001'), supervisor_name: 'Gus Globex', notes: null, status: 'completed',
    date: dayOf(yesterday), started_at: yesterday + 7 * 3_600_000, ended_at: yesterday + 15 * 3_600_000,
  })
}
