import { Hono } from 'hono'
import type { AppEnv } from './context.js'
import type { Resource } from './endpoint.js'
import { auth } from './auth.js'
import { machines } from './machines.js'
import { predictions } from './predictions.js'
import { alerts } from './alerts.js'
import { alertRules } from './alert-rules.js'
import { readings } from './readings.js'
import { ingest } from './ingest.js'
import { apiKeys } from './api-keys.js'
import { users } from './users.js'
import { inventoryParts } from './inventory-parts.js'
import { inventoryCategories } from './inventory-categories.js'
import { workOrderPartsApi } from './work-order-parts.js'
import { notificationChannelsApi } from './notification-channels.js'
import { escalationPoliciesApi } from './escalation-policies.js'
import { push } from './push.js'
import { settings } from './settings.js'
import { auditLog } from './audit-log.js'
import { erpConnectionsApi } from './erp-connections.js'
import { erpSync } from './erp-sync.js'
import { opcuaSourcesApi } from './opcua-sources.js'
import { agent } from './agent.js'
import { tagMappingsApi } from './tag-mappings.js'
import { maintenance } from './maintenance.js'
import { workOrdersApi } from './work-orders.js'
import { signoffsApi } from './signoffs.js'
import { reasonCodesResource } from './reason-codes.js'
import { downtime } from './downtime.js'
import { fleet } from './fleet.js'
import { oee } from './oee.js'
import { shiftDefinitionsResource } from './shift-definitions.js'
import { shiftLogsResource } from './shift-logs.js'
import { shiftReports } from './shift-reports.js'

/**
 * Every resource of the emulated API, one line each. Order matters only where routes of two
 * resources could match one path: literal segments first (`/machines/predictions/fleet`).
 */
export const resources: Resource[] = [
  auth,
  predictions,
  machines,
  alerts,
  alertRules,
  readings,
  ingest,
  apiKeys,
  users,
  inventoryParts,
  inventoryCategories,
  workOrderPartsApi,
  notificationChannelsApi,
  escalationPoliciesApi,
  push,
  settings,
  auditLog,
  erpConnectionsApi,
  erpSync,
  opcuaSourcesApi,
  agent,
  tagMappingsApi,
  maintenance,
  workOrdersApi,
  signoffsApi,
  reasonCodesResource,
  downtime,
  fleet,
  oee,
  shiftDefinitionsResource,
  shiftLogsResource,
  shiftReports,
]

/** The emulated Haltless API under `/api/v1`. */
export const api = new Hono<AppEnv>()
for (const r of resources) api.route(r.prefix, r.app)
