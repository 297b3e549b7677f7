import { z } from 'zod'
import { Resource } from '../endpoint.js'
import { jwtAnyRole as read, jwtOperate } from '../access.js'
import { ApiError } from '../errors.js'
import { queryInt, uuidParam } from '../validate.js'
import { addDays, dateOnly, dayOf } from './calendar.js'
import { round2 } from './reliability.js'
import { isoSeconds } from '../../clock.js'
import { defineTable } from '../../store/table.js'
import { demoId } from '../../store/demo.js'
import type { Store } from '../../store/store.js'

/** One day's OEE figures of a machine; percentages 0-100. */
export interface OeeRecord {
  id: string
  tenant_id: string
  machine_id: string
  date: string
  availability: number
  performance: number
  quality: number
  oee: number
  planned_production_time_minutes: number | null
  actual_run_time_minutes: number | null
  total_pieces: number | null
  good_pieces: number | null
  created_at: number
}

/** OEE records (also read by the shift comparison). */
export const oeeRecords = defineTable<OeeRecord>('oee_records')

const percent = z.number().min(0).max(100)
const count = z.int().min(0).nullish()

const OeeCreate = z.object({
  machine_id: uuidParam,
  date: dateOnly,
  availability: percent,
  performance: percent,
  quality: percent,
  planned_production_time_minutes: count,
  actual_run_time_minutes: count,
  total_pieces: count,
  good_pieces: count,
})
const OeeListQuery = z.object({ machine_id: uuidParam, from_date: dateOnly.optional(), to_date: dateOnly.optional() })
const OeeSummaryQuery = z.object({ machine_id: uuidParam, days: queryInt(1, 365, 30) })

const OeeOut = z.object({
  id: z.uuid(), machine_id: z.uuid(), date: z.iso.date(), availability: z.number(), performance: z.number(), quality: z.number(),
  oee: z.number(), planned_production_time_minutes: z.int().nullable(), actual_run_time_minutes: z.int().nullable(),
  total_pieces: z.int().nullable(), good_pieces: z.int().nullable(), created_at: z.iso.datetime(),
})
const OeeSummaryOut = z.object({
  machine_id: z.uuid(), period_days: z.int(), average_oee: z.number().nullable(), average_availability: z.number().nullable(),
  average_performance: z.number().nullable(), average_quality: z.number().nullable(), records_count: z.int(),
})

/** OEE in percent = availability × performance × quality / 10 000, 2 decimals. */
export const oeeOf = (a: number, p: number, q: number): number => round2((a * p * q) / 10_000)

const presentOee = (r: OeeRecord) => ({
  id: r.id, machine_id: r.machine_id, date: r.date, availability: r.availability, performance: r.performance, quality: r.quality,
  oee: r.oee, planned_production_time_minutes: r.planned_production_time_minutes, actual_run_time_minutes: r.actual_run_time_minutes,
  total_pieces: r.total_pieces, good_pieces: r.good_pieces, created_at: isoSeconds(r.created_at),
})

/** Mean rounded to 2 decimals; null for no values. */
const mean = (xs: number[]): number | null => (xs.length === 0 ? null : round2(xs.reduce((s, x) => s + x, 0) / xs.length))


/** `/oee/records` and `/oee/summary` (reference section 13). */
export const oeeResource = new Resource('/oee', 'OEE')
  .post('/records', {
    summary: 'Record a day of OEE figures', access: jwtOperate, body: OeeCreate, status: 201,
    response: OeeOut, errors: ['machine_not_found'],
    handle(c, { body }) {
      const { store, clock } = c.get('deps')
      const tenantId = c.get('caller').tenant.id
      if (!store.machine(tenantId, body.machine_id)) throw new ApiError('machine_not_found')
      const record = oeeRecords(store).add({
        id: store.id(), tenant_id: tenantId, machine_id: body.machine_id, date: body.date,
        availability: body.availability, performance: body.performance, quality: body.quality,
        oee: oeeOf(body.availability, body.performance, body.quality),
        planned_production_time_minutes: body.planned_production_time_minutes ?? null, actual_run_time_minutes: body.actual_run_time_minutes ?? null,
        total_pieces: body.total_pieces ?? null, good_pieces: body.good_pieces ?? null, created_at: clock.now(),
      })
      return c.json(presentOee(record), 201)
    },
  })
  .get('/records', {
    summary: "A machine's OEE records, oldest date first", access: read, query: OeeListQuery, status: 200, response: z.array(OeeOut),
    errors: ['machine_not_found'],
    handle(c, { query: q }) {
      const { store } = c.get('deps')
      const tenantId = c.get('caller').tenant.id
      if (!store.machine(tenantId, q.machine_id)) throw new ApiError('machine_not_found')
      const list = oeeRecords(store).of(tenantId, (r) =>
        r.machine_id === q.machine_id && (q.from_date === undefined || r.date >= q.from_date) && (q.to_date === undefined || r.date <= q.to_date))
      list.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.created_at - b.created_at))
      return c.json(list.map(presentOee))
    },
  })
  .get('/summary', {
    summary: "Averages of a machine's OEE records over the last `days` days", access: read, query: OeeSummaryQuery, status: 200,
    response: OeeSummaryOut, errors: ['machine_not_found'],
    handle(c, { query: q }) {
      const { store, clock } = c.get('deps')
      const tenantId = c.get('caller').tenant.id
      if (!store.machine(tenantId, q.machine_id)) throw new ApiError('machine_not_found')
      // The last `days` calendar days, today (UTC) included.
      const today = dayOf(clock.now())
      const from = addDays(today, 1 - q.days)
      const list = oeeRecords(store).of(tenantId, (r) => r.machine_id === q.machine_id && r.date >= from && r.date <= today)
      return c.json({
        machine_id: q.machine_id,
        period_days: q.days,
        average_oee: mean(list.map((r) => r.oee)),
        average_availability: mean(list.map((r) => r.availability)),
        average_performance: mean(list.map((r) => r.performance)),
        average_quality: mean(list.map((r) => r.quality)),
        records_count: list.length,
      })
    },
  })
  .demo(seedOee)

/** Demo OEE: CNC-001's last 14 complete days (`oee:acme:1` oldest … `oee:acme:14` yesterday), one Globex day. */
function seedOee(store: Store): void {
  const now = store.clock.now()
  const today = dayOf(now)
  const add = (label: string, tenant: string, machine: string, date: string, a: number, p: number, q: number) => {
    const planned = 480
    const total = Math.round((planned * a * p) / 10_000)
    oeeRecords(store).add({
      id: demoId(label), tenant_id: demoId(`tenant:${tenant}`), machine_id: demoId(`machine:${tenant}:${machine}`), date,
      availability: a, performance: p, quality: q, oee: oeeOf(a, p, q), planned_production_time_minutes: planned,
      actual_run_time_minutes: Math.round((planned * a) / 100), total_pieces: total, good_pieces: Math.round((total * q) / 100), created_at: now,
    })
  }
  for (let n = 1; n <= 14; n++) add(`oee:acme:${n}`, 'acme', 'CNC-001', addDays(today, n - 15), 80 + ((n * 7) % 15), 88 + ((n * 5) % 10), 95 + ((n * 3) % 5))
  add('oee:globex:1', 'globex', 'GLX-001', addDays(today, -1), 90, 92.5, 98)
}
