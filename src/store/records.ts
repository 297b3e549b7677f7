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
