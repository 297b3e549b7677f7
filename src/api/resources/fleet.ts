import { z } from 'zod'
import { Resource } from '../endpoint.js'
import { jwtAnyRole as read } from '../access.js'
import { paginate, pagination, uuidParam, pageOf } from '../validate.js'
import { DaysQuery, DowntimeOut, ReliabilityOut, presentDowntime } from './downtime.js'
import { downtimeCategories, reliability } from './reliability.js'
import { downtimeRecords } from '../../store/tables.js'
import type { DowntimeRecord } from '../../store/records.js'

/** Sortable fields of the fleet downtime list (emulator choice; the reference names only `sort_by`). */
const sortFields = ['started_at', 'duration_minutes', 'machine_id'] as const

const FleetDowntimeQuery = z.object({
  ...pagination,
  machine_id: uuidParam.optional(),
  category: z.enum(downtimeCategories).optional(),
  sort_by: z.enum(sortFields).default('started_at'),
  sort_dir: z.enum(['asc', 'desc']).default('desc'),
})


const FleetReliabilityOut = ReliabilityOut.extend({
  machine_count: z.int(),
  machines: z.array(ReliabilityOut.extend({ machine_id: z.uuid(), machine_name: z.string() })),
})

/** `/fleet/downtime` and `/fleet/mttr-mtbf`: downtime across the tenant's live machines (reference section 12). */
export const fleetResource = new Resource('/fleet', 'Downtime')
  .get('/downtime', {
    summary: 'Downtime events of every machine, paginated', access: read, query: FleetDowntimeQuery, status: 200,
    response: pageOf(DowntimeOut.extend({ machine_name: z.string() })),
    handle(c, { query: q }) {
      const { store, clock } = c.get('deps')
      const tenantId = c.get('caller').tenant.id
      const now = clock.now()
      const names = new Map(store.machinesOf(tenantId).map((m) => [m.id, m.name]))
      const list = downtimeRecords(store).of(tenantId, (r) =>
        names.has(r.machine_id) && (q.machine_id === undefined || r.machine_id === q.machine_id) && (q.category === undefined || r.category === q.category))
      // An ongoing record sorts by its duration so far; ties fall back to newest start, then id.
      const key: (r: DowntimeRecord) => number | string =
        q.sort_by === 'started_at' ? (r) => r.started_at : q.sort_by === 'machine_id' ? (r) => r.machine_id : (r) => (r.ended_at ?? now) - r.started_at
      const dir = q.sort_dir === 'asc' ? 1 : -1
      list.sort((a, b) => {
        const ka = key(a)
        const kb = key(b)
        if (ka !== kb) return ka < kb ? -dir : dir
        return b.started_at - a.started_at || (a.id < b.id ? -1 : 1)
      })
      const page = paginate(list, q.page, q.page_size)
      return c.json({ ...page, items: page.items.map((r) => ({ ...presentDowntime(r), machine_name: names.get(r.machine_id)! })) })
    },
  })
  .get('/mttr-mtbf', {
    summary: 'Fleet mean time to repair and between failures, with each machine', access: read, query: DaysQuery, status: 200,
    response: FleetReliabilityOut,
    handle(c, { query }) {
      const { store, clock } = c.get('deps')
      const tenantId = c.get('caller').tenant.id
      const now = clock.now()
      const machines = store.machinesOf(tenantId).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      const live = new Set(machines.map((m) => m.id))
      const records = downtimeRecords(store).of(tenantId, (r) => live.has(r.machine_id))
      return c.json({
        ...reliability(records, query.days, now, machines.length),
        machine_count: machines.length,
        machines: machines.map((m) => ({
          machine_id: m.id, machine_name: m.name, ...reliability(records.filter((r) => r.machine_id === m.id), query.days, now),
        })),
      })
    },
  })
