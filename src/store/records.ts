/** Internal records of the in-memory store; times are epoch milliseconds. Routers present them. */
import type { Role } from '../api/permissions.js'

export type Tier = 'free' | 'pro' | 'enterprise'
export type SubscriptionStatus = 'active' | 'trialing' | 'past_due' | 'canceled'
export type MachineStatus = 'healthy' | 'warning' | 'critical' | 'offline'
export type Protocol = 'opc_ua' | 'modbus_tcp' | 'csv' | 'json'

export interface Tenant {
  id: string
  name: string
  subscription_tier: Tier
  subscription_status: SubscriptionStatus
  /** When the subscription became past due (grace runs from here). */
  past_due_since: number | null
  created_at: number
}

export interface User {
  id: string
  tenant_id: string
  email: string
  full_name: string
  role: Role
  password_hash: string
  is_active: boolean
  mfa_enabled: boolean
  mfa_secret: string | null
  /** Secret handed out by MFA setup, active once verify-setup accepts a code. */
  mfa_pending_secret: string | null
  onboarding_completed: boolean
  created_at: number
}

export interface Machine {
  id: string
  tenant_id: string
  name: string
  machine_identifier: string
  protocol: Protocol
  location: string | null
  group_id: string | null
  status: MachineStatus
  is_active: boolean
  created_at: number
  updated_at: number
  deleted_at: number | null
}

export interface Reading {
  metric_name: string
  value: number
  unit: string
  timestamp: number
  raw_tag: string | null
}

export interface ApiKey {
  id: string
  tenant_id: string
  name: string
  key: string
  key_prefix: string
  scopes: string[]
  expires_at: number | null
  created_at: number
  last_used_at: number | null
  revoked_at: number | null
}

export interface RefreshRecord {
  jti: string
  user_id: string
  /** Every token rotated from one login shares a family; reuse revokes the family. */
  family: string
  used: boolean
  revoked: boolean
}

export interface AuditEntry {
  id: string
  tenant_id: string
  user_id: string | null
  action: string
  resource_type: string
  resource_id: string | null
  details: Record<string, unknown>
  created_at: number
}

export type Severity = 'info' | 'warning' | 'critical'

/** An alert rule (`/alert-rules`): fires an alert when an ingested reading matches. */
export interface AlertRule {
  id: string
  tenant_id: string
  name: string
  /** null = every machine of the tenant */
  machine_id: string | null
  metric_name: string
  operator: 'gt' | 'gte' | 'lt' | 'lte' | 'eq'
  threshold: number
  severity: Severity
  duration_seconds: number
  is_active: boolean
  created_at: number
  updated_at: number
}

export interface Alert {
  id: string
  tenant_id: string
  machine_id: string
  rule_id: string | null
  severity: Severity
  message: string
  metric_name: string
  metric_value: number
  threshold_value: number
  is_acknowledged: boolean
  acknowledged_by: string | null
  acknowledged_at: number | null
  snoozed_until: number | null
  created_at: number
}

export type WorkOrderStatus = 'open' | 'in_progress' | 'completed' | 'cancelled'

export interface WorkOrder {
  id: string
  tenant_id: string
  machine_id: string
  title: string
  description: string | null
  priority: 'low' | 'medium' | 'high' | 'critical'
  status: WorkOrderStatus
  assigned_to: string | null
  created_by: string | null
  created_at: number
  updated_at: number
  completed_at: number | null
}

export interface MaintenanceEvent {
  id: string
  tenant_id: string
  machine_id: string
  title: string
  description: string | null
  type: 'preventive' | 'corrective' | 'predictive' | 'inspection'
  status: 'scheduled' | 'in_progress' | 'completed' | 'cancelled'
  scheduled_start: number
  scheduled_end: number
  created_at: number
  updated_at: number
}

export type DowntimeCategory = 'planned' | 'unplanned' | 'changeover' | 'maintenance'

export interface DowntimeRecord {
  id: string
  tenant_id: string
  machine_id: string
  reason: string | null
  category: DowntimeCategory
  reason_code_id: string | null
  started_at: number
  ended_at: number | null
}

export type ChannelType = 'email' | 'slack' | 'webhook' | 'teams'

/**
 * A notification channel (`/notification-channels`): `config` is `{email}` for email,
 * `{webhook_url}` for slack and teams, `{url, headers}` for webhook. Outbound delivery reads it.
 */
export interface NotificationChannel {
  id: string
  tenant_id: string
  name: string
  type: ChannelType
  config: Record<string, unknown>
  is_active: boolean
  created_at: number
  updated_at: number
}

/** An escalation policy: alerts of `severity` unacknowledged for `wait_minutes` go to `channel_id`. */
export interface EscalationPolicy {
  id: string
  tenant_id: string
  name: string
  severity: Severity
  wait_minutes: number
  channel_id: string
  is_active: boolean
  created_at: number
  updated_at: number
}
