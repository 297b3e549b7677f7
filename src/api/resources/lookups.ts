import type { Context } from 'hono'
import type { AppEnv } from '../context.js'
import { found } from '../errors.js'
import type { Machine, WorkOrder } from '../../store/records.js'
import { workOrders } from '../../store/tables.js'

/** The caller's live machine `id`, or 404 `Machine not found.` (another tenant's too). */
export const callerMachine = (c: Context<AppEnv>, id: string): Machine =>
  found(c.get('deps').store.machine(c.get('caller').tenant.id, id), 'machine_not_found')

/** The caller's work order `id`, or 404 `Work order not found.` */
export const callerWorkOrder = (c: Context<AppEnv>, id: string): WorkOrder =>
  found(workOrders(c.get('deps').store).get(c.get('caller').tenant.id, id), 'work_order_not_found')
