import { z } from 'zod'
import { Resource } from '../endpoint.js'
import { callerWorkOrder } from './lookups.js'
import { jwtAnyRole as read, jwtOperate as write } from '../access.js'
import { ApiError } from '../errors.js'
import { paginate, pagination, uuidParam, pageOf } from '../validate.js'
import { text255 } from './users-view.js'
import { audit } from './audit.js'
import { signoffs } from './signoffs.js'
import { releasePartUse, workOrderParts } from './inventory-stock.js'
import { isoSeconds, isoSecondsOrNull, hourMs, dayMs } from '../../clock.js'
import { demoId } from '../../store/demo.js'
import type { WorkOrder, WorkOrderStatus } from '../../store/records.js'
import { workOrders } from '../../store/tables.js'
import { defineTable } from '../../store/table.js'
import type { Store } from '../../store/store.js'

const priorities = ['low', 'medium', 'high', 'critical'] as const
const statuses = ['open', 'in_progress', 'completed', 'cancelled'] as const

/** The documented flow: open → in_progress → completed; open or in_progress → cancelled. */
const nextStatuses: Record<WorkOrderStatus, readonly WorkOrderStatus[]> = {
  open: ['in_progress', 'cancelled'],
  in_progress: ['completed', 'cancelled'],
  completed: [],
  cancelled: [],
}

/** A comment on a work order (shape an emulator choice). */
interface WorkOrderComment {
  id: string
  tenant_id: string
  work_order_id: string
  user_id: string
  body: string
  created_at: number
}
const comments = defineTable<WorkOrderComment>('work_order_comments')

/** Most characters of a description or comment (emulator choice; the reference gives no bound). */
const textMax = 5000
const description = z.string().max(textMax).nullish()
/** Create body; priority defaults to `medium` (emulator choice). */
const WorkOrderCreate = z.object({
  machine_id: uuidParam,
  title: text255,
  description,
  priority: z.enum(priorities).default('medium'),
  assigned_to: uuidParam.nullish(),
})
const WorkOrderPatch = z.object({
  title: text255.optional(),
  description,
  priority: z.enum(priorities).optional(),
  status: z.enum(statuses).optional(),
  assigned_to: uuidParam.nullish(),
})
const WorkOrderQuery = z.object({ ...pagination, machine_id: uuidParam.optional(), status: z.enum(statuses).optional() })
const CommentCreate = z.object({ body: z.string().min(1).max(textMax) })


const WorkOrderOut = z.object({
  id: z.uuid(), tenant_id: z.uuid(), machine_id: z.uuid(), title: z.string(), description: z.string().nullable(),
  priority: z.enum(priorities), status: z.enum(statuses), assigned_to: z.uuid().nullable(), created_by: z.uuid().nullable(),
  created_at: z.string(), updated_at: z.string(), completed_at: z.string().nullable(),
})
const WorkOrderPage = pageOf(WorkOrderOut)
const CommentOut = z.object({ id: z.uuid(), work_order_id: z.uuid(), user_id: z.uuid(), body: z.string(), created_at: z.string() })

/** The work order object (201, GET one, PATCH, list items). */
export const presentWorkOrder = (w: WorkOrder) => ({
  id: w.id,
  tenant_id: w.tenant_id,
  machine_id: w.machine_id,
  title: w.title,
  description: w.description,
  priority: w.priority,
  status: w.status,
  assigned_to: w.assigned_to,
  created_by: w.created_by,
  created_at: isoSeconds(w.created_at),
  updated_at: isoSeconds(w.updated_at),
  completed_at: isoSecondsOrNull(w.completed_at),
})

const presentComment = (m: WorkOrderComment) => ({ id: m.id, work_order_id: m.work_order_id, user_id: m.user_id, body: m.body, created_at: isoSeconds(m.created_at) })

/** An assignee must be a user of the caller's tenant: otherwise 404 `User not found.` */
function checkAssignee(store: Store, tenantId: string, userId: string | null | undefined): void {
  if (userId == null) return
  if (store.users.get(userId)?.tenant_id !== tenantId) throw new ApiError('user_not_found')
}

/** `/work-orders`: work orders and their comments (reference section 11; sign-offs in signoffs.ts). */
export const workOrdersResource = new Resource('/work-orders', 'Work orders')
  .get('/', {
    summary: 'List work orders', access: read, query: WorkOrderQuery, status: 200, response: WorkOrderPage,
    handle(c, { query: q }) {
      // Newest first (emulator choice).
      const list = workOrders(c.get('deps').store)
        .of(c.get('caller').tenant.id, (w) => (q.machine_id === undefined || w.machine_id === q.machine_id) && (q.status === undefined || w.status === q.status))
        .reverse()
        .sort((a, b) => b.created_at - a.created_at)
      const page = paginate(list, q.page, q.page_size)
      return c.json({ ...page, items: page.items.map(presentWorkOrder) })
    },
  })
  .post('/', {
    summary: 'Create a work order', access: write, body: WorkOrderCreate, status: 201, errors: ['machine_not_found', 'user_not_found'], response: WorkOrderOut,
    handle(c, { body }) {
      const { store, clock } = c.get('deps')
      const caller = c.get('caller')
      const tenantId = caller.tenant.id
      if (!store.machine(tenantId, body.machine_id)) throw new ApiError('machine_not_found')
      checkAssignee(store, tenantId, body.assigned_to)
      const now = clock.now()
      const order = workOrders(store).add({
        id: store.id(), tenant_id: tenantId, machine_id: body.machine_id, title: body.title, description: body.description ?? null,
        priority: body.priority, status: 'open', assigned_to: body.assigned_to ?? null,
        created_by: caller.kind === 'jwt' ? caller.user.id : null, created_at: now, updated_at: now, completed_at: null,
      })
      audit(c, 'create_work_order', 'work_order', order.id, { title: order.title, machine_id: order.machine_id, priority: order.priority })
      return c.json(presentWorkOrder(order), 201)
    },
  })
  .get('/:work_order_id', {
    summary: 'Get a work order', access: read, status: 200, errors: ['work_order_not_found'], response: WorkOrderOut,
    handle(c, { params }) {
      return c.json(presentWorkOrder(callerWorkOrder(c, params.work_order_id)))
    },
  })
  .patch('/:work_order_id', {
    summary: 'Update a work order (status flow enforced)', access: write, body: WorkOrderPatch, status: 200,
    errors: ['work_order_not_found', 'user_not_found', 'invalid_status_transition'], response: WorkOrderOut,
    handle(c, { params, body }) {
      const { store, clock } = c.get('deps')
      const tenantId = c.get('caller').tenant.id
      const order = callerWorkOrder(c, params.work_order_id)
      checkAssignee(store, tenantId, body.assigned_to)
      // Sending the current status again is no change (emulator choice), so edit forms may echo it.
      if (body.status !== undefined && body.status !== order.status && !nextStatuses[order.status].includes(body.status))
        throw new ApiError('invalid_status_transition')
      const changed = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined))
      const now = clock.now()
      if (body.status === 'completed' && order.status !== 'completed') order.completed_at = now
      Object.assign(order, changed, { updated_at: now })
      audit(c, 'update_work_order', 'work_order', order.id, changed)
      return c.json(presentWorkOrder(order))
    },
  })
  .delete('/:work_order_id', {
    summary: 'Delete a work order (with its comments and sign-offs; its parts return to stock)', access: write, status: 204, errors: ['work_order_not_found'],
    handle(c, { params }) {
      const store = c.get('deps').store
      const tenantId = c.get('caller').tenant.id
      const order = callerWorkOrder(c, params.work_order_id)
      for (const m of comments(store).of(tenantId, (m) => m.work_order_id === order.id)) comments(store).delete(m.id)
      for (const s of signoffs(store).of(tenantId, (s) => s.work_order_id === order.id)) signoffs(store).delete(s.id)
      // parts used on it go back to stock, with their return transactions
      for (const use of workOrderParts(store).of(tenantId, (u) => u.work_order_id === order.id)) releasePartUse(c, use)
      workOrders(store).delete(order.id)
      return c.body(null, 204)
    },
  })
  .get('/:work_order_id/comments', {
    summary: "List a work order's comments (oldest first)", access: read, status: 200, errors: ['work_order_not_found'], response: z.array(CommentOut),
    handle(c, { params }) {
      const store = c.get('deps').store
      const tenantId = c.get('caller').tenant.id
      const order = callerWorkOrder(c, params.work_order_id)
      const list = comments(store).of(tenantId, (m) => m.work_order_id === order.id).sort((a, b) => a.created_at - b.created_at)
      return c.json(list.map(presentComment))
    },
  })
  .post('/:work_order_id/comments', {
    summary: 'Comment on a work order', access: read, body: CommentCreate, status: 201, errors: ['work_order_not_found'], response: CommentOut,
    handle(c, { params, body }) {
      const { store, clock } = c.get('deps')
      const caller = c.get('caller')
      if (caller.kind !== 'jwt') throw new ApiError('not_authenticated') // JWT-only route: narrows the type
      const order = callerWorkOrder(c, params.work_order_id)
      const comment = comments(store).add({
        id: store.id(), tenant_id: caller.tenant.id, work_order_id: order.id, user_id: caller.user.id, body: body.body, created_at: clock.now(),
      })
      return c.json(presentComment(comment), 201)
    },
  })
  .demo(seedWorkOrders)


/**
 * Acme: 1 completed (signed off in signoffs.ts), 2 open, 3 in progress, with two comments;
 * Globex: 1 open.
 */
function seedWorkOrders(store: Store): void {
  const now = store.clock.now()
  const acme = demoId('tenant:acme')
  const admin = demoId('user:admin@acme.example')
  const operator = demoId('user:operator@acme.example')
  const orders = workOrders(store)
  const base = { description: null, assigned_to: null, completed_at: null, created_by: admin, tenant_id: acme }
  orders.add({
    ...base, id: demoId('work-order:acme:1'), machine_id: demoId('machine:acme:CNC-002'), title: 'Replace spindle bearing',
    description: 'Spindle vibration trending above 4 mm/s; replace the front bearing.', priority: 'high', status: 'completed',
    assigned_to: operator, created_at: now - 3 * dayMs, updated_at: now - dayMs, completed_at: now - dayMs,
  })
  orders.add({
    ...base, id: demoId('work-order:acme:2'), machine_id: demoId('machine:acme:PRESS-01'), title: 'Inspect hydraulic hoses',
    priority: 'medium', status: 'open', created_at: now - 2 * hourMs, updated_at: now - 2 * hourMs,
  })
  orders.add({
    ...base, id: demoId('work-order:acme:3'), machine_id: demoId('machine:acme:ROBOT-07'), title: 'Recalibrate welding torch',
    description: 'Seam offset of 0.4 mm reported by quality.', priority: 'critical', status: 'in_progress',
    assigned_to: operator, created_by: operator, created_at: now - dayMs, updated_at: now - 6 * hourMs,
  })
  orders.add({
    ...base, id: demoId('work-order:globex:1'), tenant_id: demoId('tenant:globex'), machine_id: demoId('machine:globex:GLX-001'),
    title: 'Replace lathe coolant pump', priority: 'low', status: 'open', created_by: demoId('user:admin@globex.example'),
    created_at: now - dayMs, updated_at: now - dayMs,
  })
  comments(store).add({
    id: demoId('work-order-comment:acme:1'), tenant_id: acme, work_order_id: demoId('work-order:acme:1'), user_id: operator,
    body: 'Bearing replaced; spindle vibration back to 1.8 mm/s.', created_at: now - dayMs,
  })
  comments(store).add({
    id: demoId('work-order-comment:acme:2'), tenant_id: acme, work_order_id: demoId('work-order:acme:3'), user_id: admin,
    body: 'Calibration kit arrives tomorrow morning.', created_at: now - 6 * hourMs,
  })
}
