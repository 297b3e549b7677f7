/**
 * Tables that more than one resource reads (alerts feed predictions and handovers, work orders
 * carry parts and sign-offs). A table only one router uses is declared in that router.
 */
import { defineTable } from './table.js'
import type { Alert, AlertRule, DowntimeRecord, EscalationPolicy, MaintenanceEvent, NotificationChannel, WorkOrder } from './records.js'

export const alertRules = defineTable<AlertRule>('alert_rules')
export const alerts = defineTable<Alert>('alerts')
export const workOrders = defineTable<WorkOrder>('work_orders')
export const maintenanceEvents = defineTable<MaintenanceEvent>('maintenance_events')
export const downtimeRecords = defineTable<DowntimeRecord>('downtime_records')
/** Notification channels and escalation policies: their routers, and outbound alert delivery. */
export const notificationChannels = defineTable<NotificationChannel>('notification_channels')
export const escalationPolicies = defineTable<EscalationPolicy>('escalation_policies')
