/**
 * Roles and API-key scopes: the one table of who may do what (reference sections 2 and 3).
 * Routers name a permission level; tests iterate these tables.
 */
export const roles = ['admin', 'operator', 'viewer'] as const
export type Role = (typeof roles)[number]

/** Permission levels and the roles that hold them. */
export const permissions = {
  /** every read endpoint; acknowledge/snooze alerts; list API keys; read audit log */
  read: ['admin', 'operator', 'viewer'],
  /** create/update/delete operational data (machines, maintenance, work orders, ...) */
  operate: ['admin', 'operator'],
  /** tenant administration (API keys create/revoke, users, escalation policies, ...) */
  administer: ['admin'],
} as const satisfies Record<string, readonly Role[]>
export type Permission = keyof typeof permissions

/** API-key scopes and what each grants. */
export const scopes = {
  ingest: 'POST /ingest',
  agent: 'GET /agent/heartbeat',
  'read:machines': 'GET /machines (list and single machine)',
  'read:sensors': 'GET /sensor-data/* and GET /machines/{id}/readings[/latest]',
} as const
export type Scope = keyof typeof scopes
export const scopeNames = Object.keys(scopes) as [Scope, ...Scope[]]

/** Presets that may be given instead of a scope list. */
export const scopePresets = {
  edge_agent: ['ingest', 'agent'],
  read_only: ['read:machines', 'read:sensors'],
} as const satisfies Record<string, readonly Scope[]>

/** Scopes of a key created without `scopes`. */
export const defaultScopes: readonly Scope[] = ['ingest', 'agent']

/** Whether `role` holds `permission`. */
export const allows = (permission: Permission, role: Role): boolean =>
  (permissions[permission] as readonly Role[]).includes(role)
