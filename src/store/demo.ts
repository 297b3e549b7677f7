import { createHash } from 'node:crypto'
import type { Store } from './store.js'
import type { Machine, MachineStatus, Protocol, Reading, SubscriptionStatus, Tier } from './records.js'
import type { Role } from '../api/permissions.js'
import { hashPassword } from './passwords.js'

/** Password of every demo user. */
export const demoPassword = 'Haltless-Demo-1'
/** The Acme demo API key: scopes ingest, agent, read:machines, read:sensors. */
export const demoApiKey = 'hk_demoacme000000000000000000000000'
/** A Globex API key (same scopes), for tenant-isolation checks. */
export const demoGlobexApiKey = 'hk_demoglobex0000000000000000000000'
/** When the demo tenants were created (fixed, so ids and bodies never change between runs). */
const createdAt = Date.UTC(2026, 0, 5, 8, 0, 0)
/** Hours of readings each demo machine starts with, ending at start-up time. */
const readingHours = 4

/** A stable UUID v4 for a demo entity, derived from its label. */
export function demoId(label: string): string {
  const h = createHash('sha256').update(`haltless-mock:${label}`).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`
}

interface DemoTenant {
  slug: string
  name: string
  tier: Tier
  status: SubscriptionStatus
  users: { email: string; full_name: string; role: Role; is_active?: boolean }[]
  machines: { identifier: string; name: string; protocol: Protocol; location: string; status: MachineStatus }[]
  apiKey?: string
}

/** The demo tenants, fixed and documented in the README. */
export const demoTenants: DemoTenant[] = [
  {
    slug: 'acme',
    name: 'Acme Manufacturing',
    tier: 'pro',
    status: 'active',
    users: [
      { email: 'admin@acme.example', full_name: 'Ada Admin', role: 'admin' },
      { email: 'operator@acme.example', full_name: 'Otto Operator', role: 'operator' },
      { email: 'viewer@acme.example', full_name: 'Vera Viewer', role: 'viewer' },
      { email: 'inactive@acme.example', full_name: 'Ivan Inactive', role: 'viewer', is_active: false },
    ],
    machines: [
      { identifier: 'CNC-001', name: 'CNC Mill #1', protocol: 'opc_ua', location: 'Building A, Line 1', status: 'healthy' },
      { identifier: 'CNC-002', name: 'CNC Mill #2', protocol: 'opc_ua', location: 'Building A, Line 1', status: 'warning' },
      { identifier: 'PRESS-01', name: 'Hydraulic Press', protocol: 'modbus_tcp', location: 'Building A, Line 2', status: 'healthy' },
      { identifier: 'ROBOT-07', name: 'Welding Robot 7', protocol: 'json', location: 'Building B, Cell 7', status: 'healthy' },
    ],
    apiKey: demoApiKey,
  },
  {
    slug: 'globex',
    name: 'Globex Corporation',
    tier: 'free',
    status: 'active',
    users: [{ email: 'admin@globex.example', full_name: 'Gina Globex', role: 'admin' }],
    machines: [{ identifier: 'GLX-001', name: 'Globex Lathe', protocol: 'csv', location: 'Plant 1', status: 'healthy' }],
    apiKey: demoGlobexApiKey,
  },
  {
    slug: 'initech',
    name: 'Initech',
    tier: 'pro',
    status: 'canceled',
    users: [{ email: 'admin@initech.example', full_name: 'Bill Lumbergh', role: 'admin' }],
    machines: [],
  },
]

// One hash for every demo user: the same password, and start-up stays fast.
let demoHash: string | undefined

/** Fills `store` with the demo tenants, users, API keys, machines and readings. */
export function seedDemo(store: Store): void {
  demoHash ??= hashPassword(demoPassword)
  const now = store.clock.now()
  for (const t of demoTenants) {
    const tenantId = demoId(`tenant:${t.slug}`)
    store.addTenant({ id: tenantId, name: t.name, subscription_tier: t.tier, subscription_status: t.status, past_due_since: null, created_at: createdAt })
    for (const u of t.users) {
      store.addUser({
        id: demoId(`user:${u.email}`), tenant_id: tenantId, email: u.email, full_name: u.full_name, role: u.role,
        password_hash: demoHash, is_active: u.is_active ?? true, mfa_enabled: false, mfa_secret: null,
        mfa_pending_secret: null, onboarding_completed: true, created_at: createdAt,
      })
    }
    if (t.apiKey) {
      store.addApiKey({
        id: demoId(`api-key:${t.slug}`), tenant_id: tenantId, name: `${t.name} demo key`, key: t.apiKey,
        key_prefix: t.apiKey.slice(0, 8), scopes: ['ingest', 'agent', 'read:machines', 'read:sensors'],
        expires_at: null, created_at: createdAt, last_used_at: null, revoked_at: null,
      })
    }
    t.machines.forEach((m, i) => {
      const machine: Machine = {
        id: demoId(`machine:${t.slug}:${m.identifier}`), tenant_id: tenantId, name: m.name,
        machine_identifier: m.identifier, protocol: m.protocol, location: m.location, group_id: null,
        status: m.status, is_active: true, created_at: createdAt + i * 60_000, updated_at: createdAt + i * 60_000, deleted_at: null,
      }
      store.addMachine(machine)
      store.addReadings(machine.id, demoReadings(i, now))
    })
  }
}

/** Deterministic readings, one a minute for `readingHours`, ending at `nowMs`. */
function demoReadings(machineIndex: number, nowMs: number): Reading[] {
  const out: Reading[] = []
  const end = Math.floor(nowMs / 60_000) * 60_000
  const count = readingHours * 60
  for (let i = count - 1; i >= 0; i--) {
    const t = end - i * 60_000
    const phase = (i + machineIndex * 17) / 30
    out.push({ metric_name: 'temperature', value: round(62 + machineIndex * 3 + 4 * Math.sin(phase)), unit: 'celsius', timestamp: t, raw_tag: null })
    out.push({ metric_name: 'vibration', value: round(2.1 + machineIndex * 0.4 + 0.6 * Math.cos(phase * 1.7)), unit: 'mm/s', timestamp: t, raw_tag: null })
  }
  return out
}

const round = (v: number): number => Math.round(v * 100) / 100
