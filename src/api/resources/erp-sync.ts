import { z } from 'zod'
import { Resource } from '../endpoint.js'
import { jwtAnyRole as any, jwtOperate } from '../access.js'
import { found } from '../errors.js'
import { paginate, pagination, pageOf } from '../validate.js'
import { erpConnections, erpSyncLogs, providerNames, syncDirections, syncEntityTypes, syncStatuses, unreachable, type ErpSyncLog } from './erp-connections.js'
import { isoSeconds, isoSecondsOrNull } from '../../clock.js'
import { downtimeRecords, workOrders } from '../../store/tables.js'
import type { Store } from '../../store/store.js'

/** A sync is `pending` for its first second, `in_progress` for the next, then finished (emulator choice). */
export const syncPhaseMs = { pending: 1000, done: 2000 }
/** `error_message` of a sync on an inactive connection (status `skipped`). */
export const inactiveMessage = 'Connection is inactive'

/** `downtime` only flows out of Haltless, `machine` only in (reference section 18). */
const SyncRequest = z
  .object({ direction: z.enum(syncDirections), entity_type: z.enum(syncEntityTypes), entity_id: z.string().max(255).nullish() })
  .superRefine((b, ctx) => {
    const only = b.entity_type === 'downtime' && b.direction === 'inbound' ? 'outbound' : b.entity_type === 'machine' && b.direction === 'outbound' ? 'inbound' : null
    if (only) ctx.addIssue({ code: 'custom', path: ['entity_type'], params: { type: 'value_error', msg: `Value error, ${b.entity_type} can only be synced ${only}` } })
  })

const logShape = z.object({
  id: z.uuid(), connection_id: z.uuid(), direction: z.enum(syncDirections), entity_type: z.enum(syncEntityTypes), entity_id: z.string().nullable(),
  status: z.enum(syncStatuses), records_processed: z.int(), error_message: z.string().nullable(), started_at: z.string(), completed_at: z.string().nullable(),
})
const logPage = pageOf(logShape)

/** A sync log as of `nowMs`: its status follows the clock, counts and errors appear once it is finished. */
export function presentLog(log: ErpSyncLog, nowMs: number) {
  const elapsed = nowMs - log.started_at
  const finished = log.outcome === 'skipped' || elapsed >= syncPhaseMs.done
  const status = finished ? log.outcome : elapsed < syncPhaseMs.pending ? 'pending' : 'in_progress'
  const completedAt = !finished ? null : log.outcome === 'skipped' ? log.started_at : log.started_at + syncPhaseMs.done
  return {
    id: log.id,
    connection_id: log.connection_id,
    direction: log.direction,
    entity_type: log.entity_type,
    entity_id: log.entity_id,
    status,
    records_processed: finished ? log.records_processed : 0,
    error_message: finished ? log.error_message : null,
    started_at: isoSeconds(log.started_at),
    completed_at: isoSecondsOrNull(completedAt),
  }
}

/** Records a sync would move: one for a named entity, else every matching record of the tenant. */
function recordsFor(store: Store, tenantId: string, entityType: ErpSyncLog['entity_type'], entityId: string | null): number {
  if (entityId !== null) return 1
  switch (entityType) {
    case 'work_order':
      return workOrders(store).of(tenantId).length
    case 'downtime':
      return downtimeRecords(store).of(tenantId).length
    case 'machine':
    case 'production_data':
      return store.machinesOf(tenantId).length
  }
}

/** Newest first (by start, later-recorded first within the same instant), as one page. */
function logPageOf(logs: ErpSyncLog[], page: number, pageSize: number, nowMs: number) {
  const list = logs.reverse().sort((a, b) => b.started_at - a.started_at)
  const result = paginate(list, page, pageSize)
  return { ...result, items: result.items.map((l) => presentLog(l, nowMs)) }
}


/** `/erp/connections/{id}/sync`, `/erp/connections/{id}/logs`, `/erp/logs` (reference section 18). */
export const erpSyncResource = new Resource('/erp', 'ERP integration')
  .post('/connections/:connection_id/sync', {
    summary: 'Start a sync (202 with its log)', access: jwtOperate, body: SyncRequest, status: 202,
    errors: ['erp_connection_not_found'], response: logShape,
    handle(c, { params, body }) {
      const { store, clock } = c.get('deps')
      const tenantId = c.get('caller').tenant.id
      const conn = found(erpConnections(store).get(tenantId, params.connection_id), 'erp_connection_not_found')
      const entityId = body.entity_id ?? null
      const outcome = !conn.is_active ? 'skipped' : unreachable(conn) ? 'failed' : 'success'
      const log = erpSyncLogs(store).add({
        id: store.id(), tenant_id: tenantId, connection_id: conn.id, direction: body.direction, entity_type: body.entity_type, entity_id: entityId,
        outcome, records_processed: outcome === 'success' ? recordsFor(store, tenantId, body.entity_type, entityId) : 0,
        error_message: outcome === 'skipped' ? inactiveMessage : outcome === 'failed' ? `Failed to connect to ${providerNames[conn.provider]}` : null,
        started_at: clock.now(),
      })
      return c.json(presentLog(log, clock.now()), 202)
    },
  })
  .get('/connections/:connection_id/logs', {
    summary: "A connection's sync logs (newest first)", access: any, query: z.object(pagination), status: 200, errors: ['erp_connection_not_found'], response: logPage,
    handle(c, { params, query }) {
      const { store, clock } = c.get('deps')
      const tenantId = c.get('caller').tenant.id
      const conn = found(erpConnections(store).get(tenantId, params.connection_id), 'erp_connection_not_found')
      return c.json(logPageOf(erpSyncLogs(store).of(tenantId, (l) => l.connection_id === conn.id), query.page, query.page_size, clock.now()))
    },
  })
  .get('/logs', {
    summary: 'Sync logs of every connection (newest first)', access: any, query: z.object(pagination), status: 200, response: logPage,
    handle(c, { query }) {
      const { store, clock } = c.get('deps')
      return c.json(logPageOf(erpSyncLogs(store).of(c.get('caller').tenant.id), query.page, query.page_size, clock.now()))
    },
  })
