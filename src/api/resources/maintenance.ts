import { z } from 'zod'
import { Resource } from '../endpoint.js'
import { jwtAnyRole as read, jwtOperate as write } from '../access.js'
import { ApiError, found } from '../errors.js'
import { datetime, paginate, pagination, uuidParam, pageOf } from '../validate.js'
import { text255 } from './users-view.js'
import { isoSeconds, hourMs, dayMs } from '../../clock.js'
import { demoId } from '../../store/demo.js'
import type { MaintenanceEvent } from '../../store/records.js'
import { maintenanceEvents } from '../../store/tables.js'
import type { Store } from '../../store/store.js'

const types = ['preventive', 'corrective', 'predictive', 'inspection'] as const
const statuses = ['scheduled', 'in_progress', 'completed', 'cancelled'] as const
/** Most characters of a description (emulator choice; the reference gives no bound). */
const descriptionMax = 5000

/** pydantic's item for a model validator refusing an end that is not after the start. */
const endAfterStart = { type: 'value_error', msg: 'Value error, scheduled_end must be after scheduled_start' }

const fields = {
  machine_id: uuidParam,
  title: text255,
  description: z.string().max(descriptionMax).nullish(),
  scheduled_start: datetime,
  scheduled_end: datetime,
  type: z.enum(types).default('preventive'),
}
const endsAfterStart = (e: { scheduled_start: number; scheduled_end: number }) => e.scheduled_end > e.scheduled_start
// Like a pydantic model validator, the window check runs only once every field is valid.
const windowCheck = { params: endAfterStart, when: (p: { issues: unknown[] }) => p.issues.length === 0 }
/** Create body: status defaults to `scheduled`. */
const MaintenanceCreate = z.object({ ...fields, status: z.enum(statuses).default('scheduled') }).refine(endsAfterStart, windowCheck)
/** PUT body: the same fields replaced; an omitted status keeps the current one (emulator choice). */
const MaintenanceReplace = z.object({ ...fields, status: z.enum(statuses).optional() }).refine(endsAfterStart, windowCheck)
const MaintenanceQuery = z.object({
  ...pagination,
  machine_id: uuidParam.optional(),
  status: z.enum(statuses).optional(),
  start_after: datetime.optional(),
  end_before: datetime.optional(),
})


const MaintenanceEventOut = z.object({
  id: z.uuid(), tenant_id: z.uuid(), machine_id: z.uuid(), title: z.string(), description: z.string().nullable(),
  type: z.enum(types), status: z.enum(statuses), scheduled_start: z.string(), scheduled_end: z.string(),
  created_at: z.string(), updated_at: z.string(),
})
const MaintenancePage = pageOf(MaintenanceEventOut)

/** The maintenance event object (201, GET one, PUT, list items). */
export const presentMaintenanceEvent = (e: MaintenanceEvent) => ({
  id: e.id,
  tenant_id: e.tenant_id,
  machine_id: e.machine_id,
  title: e.title,
  description: e.description,
  type: e.type,
  status: e.status,
  scheduled_start: isoSeconds(e.scheduled_start),
  scheduled_end: isoSeconds(e.scheduled_end),
  created_at: isoSeconds(e.created_at),
  updated_at: isoSeconds(e.updated_at),
})

/** `/maintenance`: scheduled maintenance events per machine (reference section 10). */
export const maintenanceResource = new Resource('/maintenance', 'Maintenance')
  .get('/', {
    summary: 'List maintenance events', access: read, query: MaintenanceQuery, status: 200, response: MaintenancePage,
    handle(c, { query: q }) {
      // Calendar order: earliest start first (emulator choice); filters are inclusive bounds.
      const list = maintenanceEvents(c.get('deps').store)
        .of(c.get('caller').tenant.id, (e) =>
          (q.machine_id === undefined || e.machine_id === q.machine_id) && (q.status === undefined || e.status === q.status) &&
          (q.start_after === undefined || e.scheduled_start >= q.start_after) && (q.end_before === undefined || e.scheduled_end <= q.end_before))
        .sort((a, b) => a.scheduled_start - b.scheduled_start || a.created_at - b.created_at)
      const page = paginate(list, q.page, q.page_size)
      return c.json({ ...page, items: page.items.map(presentMaintenanceEvent) })
    },
  })
  .post('/', {
    summary: 'Schedule a maintenance event', access: write, body: MaintenanceCreate, status: 201, errors: ['machine_not_found'], response: MaintenanceEventOut,
    handle(c, { body }) {
      const { store, clock } = c.get('deps')
      const tenantId = c.get('caller').tenant.id
      if (!store.machine(tenantId, body.machine_id)) throw new ApiError('machine_not_found')
      const now = clock.now()
      const event = maintenanceEvents(store).add({
        id: store.id(), tenant_id: tenantId, machine_id: body.machine_id, title: body.title, description: body.description ?? null,
        type: body.type, status: body.status, scheduled_start: body.scheduled_start, scheduled_end: body.scheduled_end,
        created_at: now, updated_at: now,
      })
      return c.json(presentMaintenanceEvent(event), 201)
    },
  })
  .get('/:event_id', {
    summary: 'Get a maintenance event', access: read, status: 200, errors: ['maintenance_event_not_found'], response: MaintenanceEventOut,
    handle(c, { params }) {
      const event = found(maintenanceEvents(c.get('deps').store).get(c.get('caller').tenant.id, params.event_id), 'maintenance_event_not_found')
      return c.json(presentMaintenanceEvent(event))
    },
  })
  .put('/:event_id', {
    summary: 'Replace a maintenance event', access: write, body: MaintenanceReplace, status: 200,
    errors: ['maintenance_event_not_found', 'machine_not_found'], response: MaintenanceEventOut,
    handle(c, { params, body }) {
      const { store, clock } = c.get('deps')
      const tenantId = c.get('caller').tenant.id
      const event = found(maintenanceEvents(store).get(tenantId, params.event_id), 'maintenance_event_not_found')
      if (!store.machine(tenantId, body.machine_id)) throw new ApiError('machine_not_found')
      Object.assign(event, {
        machine_id: body.machine_id, title: body.title, description: body.description ?? null, type: body.type,
        status: body.status ?? event.status, scheduled_start: body.scheduled_start, scheduled_end: body.scheduled_end,
        updated_at: clock.now(),
      })
      return c.json(presentMaintenanceEvent(event))
    },
  })
  .delete('/:event_id', {
    summary: 'Delete a maintenance event', access: write, status: 204, errors: ['maintenance_event_not_found'],
    handle(c, { params }) {
      const table = maintenanceEvents(c.get('deps').store)
      if (!table.get(c.get('caller').tenant.id, params.event_id)) throw new ApiError('maintenance_event_not_found')
      table.delete(params.event_id)
      return c.body(null, 204)
    },
  })
  .demo(seedMaintenance)


/** Acme: a scheduled preventive event in two days and a corrective one completed yesterday; Globex: one scheduled. */
function seedMaintenance(store: Store): void {
  const now = store.clock.now()
  const table = maintenanceEvents(store)
  const acme = demoId('tenant:acme')
  table.add({
    id: demoId('maintenance:acme:1'), tenant_id: acme, machine_id: demoId('machine:acme:CNC-001'),
    title: 'Quarterly spindle lubrication', description: 'Grease spindle bearings and check way oil level.',
    type: 'preventive', status: 'scheduled', scheduled_start: now + 2 * dayMs, scheduled_end: now + 2 * dayMs + 4 * hourMs,
    created_at: now - 3 * dayMs, updated_at: now - 3 * dayMs,
  })
  table.add({
    id: demoId('maintenance:acme:2'), tenant_id: acme, machine_id: demoId('machine:acme:CNC-002'),
    title: 'Replace worn spindle bearing', description: 'Vibration above 4 mm/s on the spindle housing.',
    type: 'corrective', status: 'completed', scheduled_start: now - dayMs - 4 * hourMs, scheduled_end: now - dayMs,
    created_at: now - 2 * dayMs, updated_at: now - dayMs,
  })
  table.add({
    id: demoId('maintenance:globex:1'), tenant_id: demoId('tenant:globex'), machine_id: demoId('machine:globex:GLX-001'),
    title: 'Lathe chuck inspection', description: null,
    type: 'inspection', status: 'scheduled', scheduled_start: now + dayMs, scheduled_end: now + dayMs + 2 * hourMs,
    created_at: now - dayMs, updated_at: now - dayMs,
  })
}
