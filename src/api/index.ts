import { Hono } from 'hono'
import type { AppEnv } from './context.js'
import type { Resource } from './endpoint.js'
import { authResource } from './resources/auth.js'
import { machinesResource } from './resources/machines.js'
import { predictionsResource } from './resources/predictions.js'
import { readingsResource } from './resources/readings.js'
import { ingestResource } from './resources/ingest.js'
import { tagMappingsResource } from './resources/tag-mappings.js'
import { alertsResource } from './resources/alerts.js'
import { alertRulesResource } from './resources/alert-rules.js'
import { maintenanceResource } from './resources/maintenance.js'
import { workOrdersResource } from './resources/work-orders.js'
import { signoffsResource } from './resources/signoffs.js'
import { downtimeResource } from './resources/downtime.js'
import { fleetResource } from './resources/fleet.js'
import { reasonCodesResource } from './resources/reason-codes.js'
import { oeeResource } from './resources/oee.js'
import { shiftDefinitionsResource } from './resources/shift-definitions.js'
import { shiftLogsResource } from './resources/shift-logs.js'
import { shiftReportsResource } from './resources/shift-reports.js'
import { inventoryPartsResource } from './resources/inventory-parts.js'
import { inventoryCategoriesResource } from './resources/inventory-categories.js'
import { workOrderPartsResource } from './resources/work-order-parts.js'
import { notificationChannelsResource } from './resources/notification-channels.js'
import { escalationPoliciesResource } from './resources/escalation-policies.js'
import { pushResource } from './resources/push.js'
import { settingsResource } from './resources/settings.js'
import { apiKeysResource } from './resources/api-keys.js'
import { usersResource } from './resources/users.js'
import { auditLogResource } from './resources/audit-log.js'
import { erpConnectionsResource } from './resources/erp-connections.js'
import { erpSyncResource } from './resources/erp-sync.js'
import { opcuaSourcesResource } from './resources/opcua-sources.js'
import { agentResource } from './resources/agent.js'

/**
 * Every resource of the emulated API, one line each, in the order of the API reference (the
 * OpenAPI document and the README table follow it). Within a prefix, literal segments are
 * registered before parameters: `predictions` (`/machines/predictions/fleet`) is a sibling of
 * `machines` and cannot be taken for `/machines/{machine_id}` (one segment), so order is free there.
 */
export const resources: Resource[] = [
  authResource,
  machinesResource,
  predictionsResource,
  readingsResource,
  ingestResource,
  tagMappingsResource,
  alertsResource,
  alertRulesResource,
  maintenanceResource,
  workOrdersResource,
  signoffsResource,
  downtimeResource,
  fleetResource,
  reasonCodesResource,
  oeeResource,
  shiftDefinitionsResource,
  shiftLogsResource,
  shiftReportsResource,
  inventoryPartsResource,
  inventoryCategoriesResource,
  workOrderPartsResource,
  notificationChannelsResource,
  escalationPoliciesResource,
  pushResource,
  settingsResource,
  apiKeysResource,
  usersResource,
  auditLogResource,
  erpConnectionsResource,
  erpSyncResource,
  opcuaSourcesResource,
  agentResource,
]

/** The emulated Haltless API under `/api/v1`. */
export const api = new Hono<AppEnv>()
for (const r of resources) api.route(r.prefix, r.app)
