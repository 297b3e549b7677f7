import { z } from 'zod'
import { Resource } from '../endpoint.js'
import { jwtAnyRole as any, jwtAdmin as admin } from '../access.js'
import { ApiError, found } from '../errors.js'
import { text255 } from './users-view.js'
import { isoSeconds } from '../../clock.js'
import { demoId } from '../../store/demo.js'
import { defineTable } from '../../store/table.js'
import type { Store } from '../../store/store.js'

export const erpProviders = ['sap', 'dynamics', 'oracle'] as const
export type ErpProvider = (typeof erpProviders)[number]
/** Provider names as the connection test reports them. */
export const providerNames: Record<ErpProvider, string> = { sap: 'SAP', dynamics: 'Microsoft Dynamics', oracle: 'Oracle' }
/** Connections per tenant (reference section 18). */
export const maxErpConnections = 10
/** Latency every successful connection test reports, ms (the reference's example value). */
export const testLatencyMs = 120

/** An ERP/MES connection; `auth_config` is kept but never presented. */
export interface ErpConnection {
  id: string
  tenant_id: string
  name: string
  provider: ErpProvider
  base_url: string
  auth_config: Record<string, unknown>
  sync_interval_minutes: number
  is_active: boolean
  field_mappings: Record<string, unknown>
  created_at: number
  updated_at: number
}

export const syncDirections = ['inbound', 'outbound'] as const
export const syncEntityTypes = ['work_order', 'production_data', 'downtime', 'machine'] as const
export const syncStatuses = ['pending', 'in_progress', 'success', 'failed', 'skipped'] as const

/**
 * One sync run as requested; its status is derived from the clock when read (erp-sync.ts):
 * `outcome` is where it ends, `completed_at` of a presented log is when it got there.
 */
export interface ErpSyncLog {
  id: string
  tenant_id: string
  connection_id: string
  direction: (typeof syncDirections)[number]
  entity_type: (typeof syncEntityTypes)[number]
  entity_id: string | null
  outcome: 'success' | 'failed' | 'skipped'
  records_processed: number
  error_message: string | null
  started_at: number
}

/** The tenant's ERP connections and their sync runs (erp-sync.ts reads both). */
export const erpConnections = defineTable<ErpConnection>('erp_connections')
export const erpSyncLogs = defineTable<ErpSyncLog>('erp_sync_logs')

/**
 * A connection whose base_url host ends in `.invalid` (RFC 2606: never resolves) cannot be
 * reached: its test answers `success: false` and its syncs fail (emulator choice).
 */
export function unreachable(conn: ErpConnection): boolean {
  try {
    return new URL(conn.base_url).hostname.toLowerCase().endsWith('.invalid')
  } catch {
    return false
  }
}

/** A JSON object (pydantic `dict`): anything else is `dict_type`. */
const dict = z.custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { params: { type: 'dict_type', msg: 'Input should be a valid dictionary' } })
const interval = z.int().min(5).max(1440)
const baseUrl = z.string().min(1).max(2048)

const ConnectionCreate = z.object({
  name: text255,
  provider: z.enum(erpProviders),
  base_url: baseUrl,
  auth_config: dict.default({}),
  sync_interval_minutes: interval.default(60),
  is_active: z.boolean().default(true),
  field_mappings: dict.default({}),
})
const ConnectionUpdate = z.object({
  name: text255.optional(),
  provider: z.enum(erpProviders).optional(),
  base_url: baseUrl.optional(),
  auth_config: dict.optional(),
  sync_interval_minutes: interval.optional(),
  is_active: z.boolean().optional(),
  field_mappings: dict.optional(),
})

/** The connection object: every field but `auth_config`. */
export const presentConnection = (conn: ErpConnection) => ({
  id: conn.id,
  tenant_id: conn.tenant_id,
  name: conn.name,
  provider: conn.provider,
  base_url: conn.base_url,
  sync_interval_minutes: conn.sync_interval_minutes,
  is_active: conn.is_active,
  field_mappings: conn.field_mappings,
  created_at: isoSeconds(conn.created_at),
  updated_at: isoSeconds(conn.updated_at),
})

const connectionShape = z.object({
  id: z.uuid(), tenant_id: z.uuid(), name: z.string(), provider: z.enum(erpProviders), base_url: z.string(), sync_interval_minutes: z.int(),
  is_active: z.boolean(), field_mappings: z.record(z.string(), z.unknown()), created_at: z.string(), updated_at: z.string(),
})


/** `/erp/connections`: CRUD and the connection test (reference section 18); syncs are in erp-sync.ts. */
export const erpConnectionsResource = new Resource('/erp/connections', 'ERP integration')
  .get('/', {
    summary: 'List ERP connections', access: any, status: 200, response: z.array(connectionShape),
    handle(c) {
      const list = erpConnections(c.get('deps').store).of(c.get('caller').tenant.id)
      return c.json(list.map(presentConnection))
    },
  })
  .post('/', {
    summary: 'Create an ERP connection', access: admin, body: ConnectionCreate, status: 201, errors: ['erp_connection_limit'], response: connectionShape,
    handle(c, { body }) {
      const { store, clock } = c.get('deps')
      const tenantId = c.get('caller').tenant.id
      const table = erpConnections(store)
      if (table.of(tenantId).length >= maxErpConnections) throw new ApiError('erp_connection_limit')
      const now = clock.now()
      const conn = table.add({ id: store.id(), tenant_id: tenantId, ...body, created_at: now, updated_at: now })
      return c.json(presentConnection(conn), 201)
    },
  })
  .get('/:connection_id', {
    summary: 'Get an ERP connection', access: any, status: 200, errors: ['erp_connection_not_found'], response: connectionShape,
    handle(c, { params }) {
      const conn = found(erpConnections(c.get('deps').store).get(c.get('caller').tenant.id, params.connection_id), 'erp_connection_not_found')
      return c.json(presentConnection(conn))
    },
  })
  .patch('/:connection_id', {
    summary: 'Update an ERP connection', access: admin, body: ConnectionUpdate, status: 200, errors: ['erp_connection_not_found'], response: connectionShape,
    handle(c, { params, body }) {
      const { store, clock } = c.get('deps')
      const conn = found(erpConnections(store).get(c.get('caller').tenant.id, params.connection_id), 'erp_connection_not_found')
      const changed = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined))
      Object.assign(conn, changed, { updated_at: clock.now() })
      return c.json(presentConnection(conn))
    },
  })
  .delete('/:connection_id', {
    summary: 'Delete an ERP connection (and its sync logs)', access: admin, status: 204, errors: ['erp_connection_not_found'],
    handle(c, { params }) {
      const { store } = c.get('deps')
      const table = erpConnections(store)
      const conn = found(table.get(c.get('caller').tenant.id, params.connection_id), 'erp_connection_not_found')
      table.delete(conn.id)
      for (const log of erpSyncLogs(store).of(conn.tenant_id, (l) => l.connection_id === conn.id)) erpSyncLogs(store).delete(log.id)
      return c.body(null, 204)
    },
  })
  .post('/:connection_id/test', {
    summary: 'Test an ERP connection', access: admin, status: 200, errors: ['erp_connection_not_found'],
    response: z.object({ success: z.boolean(), latency_ms: z.int().nullable(), message: z.string() }),
    handle(c, { params }) {
      const conn = found(erpConnections(c.get('deps').store).get(c.get('caller').tenant.id, params.connection_id), 'erp_connection_not_found')
      return c.json(connectionTest(conn))
    },
  })
  .demo(seedConnections)

/** The test result: the documented success body, or a failure for an unreachable host. */
export function connectionTest(conn: ErpConnection) {
  const name = providerNames[conn.provider]
  return unreachable(conn)
    ? { success: false, latency_ms: null, message: `Failed to connect to ${name}` }
    : { success: true, latency_ms: testLatencyMs, message: `Successfully connected to ${name}` }
}

/** Acme's SAP connection with two finished syncs; a Globex Dynamics connection for tenancy checks. */
function seedConnections(store: Store): void {
  const now = store.clock.now()
  const day = 86_400_000
  const acme = demoId('tenant:acme')
  const sap = demoId('erp-connection:acme:1')
  erpConnections(store).add({
    id: sap, tenant_id: acme, name: 'SAP S/4HANA Production', provider: 'sap', base_url: 'https://sap.acme.example/sap/opu/odata/sap',
    auth_config: { type: 'oauth2', client_id: 'haltless-acme', client_secret: 'demo-secret' }, sync_interval_minutes: 60, is_active: true,
    field_mappings: { work_order: { title: 'ShortText', priority: 'Priority' }, machine: { machine_identifier: 'Equipment' } },
    created_at: now - 30 * day, updated_at: now - 30 * day,
  })
  const logs = erpSyncLogs(store)
  logs.add({
    id: demoId('erp-sync-log:acme:1'), tenant_id: acme, connection_id: sap, direction: 'outbound', entity_type: 'work_order', entity_id: null,
    outcome: 'success', records_processed: 7, error_message: null, started_at: now - 2 * 3_600_000,
  })
  logs.add({
    id: demoId('erp-sync-log:acme:2'), tenant_id: acme, connection_id: sap, direction: 'inbound', entity_type: 'machine', entity_id: null,
    outcome: 'success', records_processed: 4, error_message: null, started_at: now - 3_600_000,
  })
  erpConnections(store).add({
    id: demoId('erp-connection:globex:1'), tenant_id: demoId('tenant:globex'), name: 'Dynamics 365 Supply Chain', provider: 'dynamics',
    base_url: 'https://globex.operations.dynamics.example', auth_config: { type: 'oauth2' }, sync_interval_minutes: 240, is_active: true,
    field_mappings: {}, created_at: now - 10 * day, updated_at: now - 10 * day,
  })
}
