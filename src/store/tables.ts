/**
 * Tables that more than one resource reads (alerts feed predictions and handovers, work orders
 * carry parts and sign-offs). A table only one router uses is declared in that router.
 */
import { defineTable } from './table.js'
import type { Alert, AlertRule, DowntimeRecord, MaintenanceEvent, WorkOrder } from './records.js'

export const alertRules = defineTable<AlertRule>('alert_rules')
export const alerts = defineTable<Alert>('alerts')
export const workOrders = defineTable<WorkOrder>('work_orders')
export const maintenanceEvents = defineTable<MaintenanceEvent>('maintenance_events')
export const downtimeRecords = defineTable<DowntimeRecord>('downtime_records')
