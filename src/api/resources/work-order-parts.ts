import { z } from 'zod'
import { Resource } from '../endpoint.js'
import { callerWorkOrder } from './lookups.js'
import { jwtAnyRole, jwtOperate } from '../access.js'
import { ApiError, found } from '../errors.js'
import { uuidParam } from '../validate.js'
import { isoSeconds } from '../../clock.js'
import type { Store } from '../../store/store.js'
import { moveStock, positive, releasePartUse, spareParts, workOrderParts, type WorkOrderPart } from './inventory-stock.js'

const WorkOrderPartCreate = z.object({ spare_part_id: uuidParam, quantity: positive })
const WorkOrderPartOut = z.object({
  id: z.uuid(), work_order_id: z.uuid(), spare_part_id: z.uuid(), part_number: z.string(), part_name: z.string(),
  quantity: z.number(), unit_cost: z.number().nullable(), total_cost: z.number().nullable(), created_at: z.string(),
})

/** A part on a work order, with the part's number, name and cost (`total_cost` = quantity × unit_cost, to the cent). */
function presentUse(store: Store, u: WorkOrderPart) {
  const part = spareParts(store).get(u.tenant_id, u.spare_part_id)
  const unitCost = part?.unit_cost ?? null
  return {
    id: u.id,
    work_order_id: u.work_order_id,
    spare_part_id: u.spare_part_id,
    part_number: part?.part_number ?? '',
    part_name: part?.name ?? '',
    quantity: u.quantity,
    unit_cost: unitCost,
    total_cost: unitCost === null ? null : Math.round(u.quantity * unitCost * 100) / 100,
    created_at: isoSeconds(u.created_at),
  }
}

/**
 * `/inventory/work-orders/{work_order_id}/parts`: parts used on a work order (reference section 14).
 * Adding one consumes its stock (a `consume` transaction); removing one returns it (`return`).
 */
export const workOrderPartsResource = new Resource('/inventory/work-orders', 'Inventory')
  .get('/:work_order_id/parts', {
    summary: 'Parts used on a work order (oldest first)', access: jwtAnyRole, status: 200,
    errors: ['work_order_not_found'], response: z.array(WorkOrderPartOut),
    handle(c, { params }) {
      const { store } = c.get('deps')
      const wo = callerWorkOrder(c, params.work_order_id)
      return c.json(workOrderParts(store).of(wo.tenant_id, (u) => u.work_order_id === wo.id).map((u) => presentUse(store, u)))
    },
  })
  .post('/:work_order_id/parts', {
    summary: 'Use a part on a work order (consumes stock)', access: jwtOperate, body: WorkOrderPartCreate,
    status: 201, errors: ['work_order_not_found', 'part_not_found', 'insufficient_stock'], response: WorkOrderPartOut,
    handle(c, { params, body }) {
      const { store, clock } = c.get('deps')
      const wo = callerWorkOrder(c, params.work_order_id)
      const part = found(spareParts(store).get(wo.tenant_id, body.spare_part_id), 'part_not_found')
      const tx = moveStock(c, part, 'consume', body.quantity, `Work order ${wo.id}`)
      const use = workOrderParts(store).add({
        id: store.id(), tenant_id: wo.tenant_id, work_order_id: wo.id, spare_part_id: part.id, quantity: body.quantity,
        created_by: tx.created_by, created_at: clock.now(),
      })
      return c.json(presentUse(store, use), 201)
    },
  })
  .delete('/:work_order_id/parts/:wop_id', {
    summary: 'Remove a part from a work order (returns its stock)', access: jwtOperate, status: 204,
    errors: ['work_order_not_found', 'part_not_found'],
    handle(c, { params }) {
      const { store } = c.get('deps')
      const wo = callerWorkOrder(c, params.work_order_id)
      const use = workOrderParts(store).get(wo.tenant_id, params.wop_id)
      if (!use || use.work_order_id !== wo.id) throw new ApiError('part_not_found')
      releasePartUse(c, use)
      return c.body(null, 204)
    },
  })
