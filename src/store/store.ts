import type { Clock } from '../clock.js'
import type { Rng } from '../rng.js'
import type { ApiKey, AuditEntry, Machine, Reading, RefreshRecord, Tenant, User } from './records.js'
import { ReadingStore } from './readings.js'
import { Table, type Row } from './table.js'

/** Most audit entries kept per tenant (oldest dropped first). */
const auditCap = 10_000
/**
 * Soft-deleted machines kept (the latest deletions): once `deletedMachinesKept` plus
 * `deletedMachinesSlack` are kept, the earliest deleted go for good, with their readings. Nothing in
 * the API shows a deleted machine; without a bound every create-and-delete would stay in memory
 * and in every scan of the machines.
 */
export const deletedMachinesKept = 1_000
export const deletedMachinesSlack = 100

/**
 * The emulator's whole state, in memory. Every method is synchronous: state changes finish
 * before a handler's first `await`, so concurrent requests cannot interleave half-way.
 */
export class Store {
  readonly tenants = new Map<string, Tenant>()
  readonly users = new Map<string, User>()
  readonly usersByEmail = new Map<string, User>()
  readonly machines = new Map<string, Machine>()
  readonly apiKeys = new Map<string, ApiKey>()
  readonly apiKeysBySecret = new Map<string, ApiKey>()
  readonly refreshTokens = new Map<string, RefreshRecord>()
  /** `jti`s of access and refresh tokens revoked by logout. */
  readonly blocklist = new Set<string>()
  readonly readings = new ReadingStore()
  readonly audit = new Map<string, AuditEntry[]>()
  /** Tables of the resources declared with defineTable(), by name. */
  private readonly tables = new Map<string, Table<Row>>()
  /** Ids of the soft-deleted machines, earliest deletion first (built on the first delete: a restored store has some). */
  private deletedMachineIds?: string[]

  constructor(
    readonly clock: Clock,
    readonly rng: Rng,
  ) {}

  /** The table `name`, created empty on first use. */
  table<T extends Row>(name: string): Table<T> {
    let t = this.tables.get(name)
    if (!t) this.tables.set(name, (t = new Table<Row>()))
    return t as unknown as Table<T>
  }

  /** Every table by name, in creation order (snapshots read them). */
  allTables(): ReadonlyMap<string, Table<Row>> {
    return this.tables
  }

  /** A fresh UUID v4 from the seeded sequence. */
  id(): string {
    return this.rng.uuid()
  }

  addTenant(t: Tenant): Tenant {
    this.tenants.set(t.id, t)
    return t
  }

  addUser(u: User): User {
    this.users.set(u.id, u)
    this.usersByEmail.set(u.email.toLowerCase(), u)
    return u
  }

  userByEmail(email: string): User | undefined {
    return this.usersByEmail.get(email.toLowerCase())
  }

  usersOf(tenantId: string): User[] {
    return [...this.users.values()].filter((u) => u.tenant_id === tenantId)
  }

  addMachine(m: Machine): Machine {
    this.machines.set(m.id, m)
    return m
  }

  /** A live (not deleted) machine of `tenantId`, or undefined: another tenant's is missing too. */
  machine(tenantId: string, id: string): Machine | undefined {
    const m = this.machines.get(id)
    return m && m.tenant_id === tenantId && m.deleted_at === null ? m : undefined
  }

  /** The tenant's live machines, in insertion order. */
  machinesOf(tenantId: string): Machine[] {
    const out: Machine[] = []
    for (const m of this.machines.values()) if (m.tenant_id === tenantId && m.deleted_at === null) out.push(m)
    return out
  }

  machineByIdentifier(tenantId: string, identifier: string): Machine | undefined {
    for (const m of this.machines.values())
      if (m.tenant_id === tenantId && m.deleted_at === null && m.machine_identifier === identifier) return m
    return undefined
  }

  /** Soft-deletes a machine at `nowMs`; the earliest deleted beyond `deletedMachinesKept` are forgotten. */
  deleteMachine(m: Machine, nowMs: number): void {
    const deleted = (this.deletedMachineIds ??= [...this.machines.values()]
      .filter((x) => x.deleted_at !== null)
      .sort((a, b) => a.deleted_at! - b.deleted_at!)
      .map((x) => x.id))
    m.deleted_at = nowMs
    m.is_active = false
    deleted.push(m.id)
    if (deleted.length < deletedMachinesKept + deletedMachinesSlack) return
    for (const id of deleted.splice(0, deleted.length - deletedMachinesKept)) {
      this.machines.delete(id)
      this.readings.forget(id)
    }
  }

  addApiKey(k: ApiKey): ApiKey {
    this.apiKeys.set(k.id, k)
    this.apiKeysBySecret.set(k.key, k)
    return k
  }

  addReadings(machineId: string, readings: Reading[]): void {
    this.readings.add(machineId, readings)
  }

  /** Appends an audit entry (newest last; the API lists newest first). */
  recordAudit(e: Omit<AuditEntry, 'id' | 'created_at'>): void {
    let list = this.audit.get(e.tenant_id)
    if (!list) this.audit.set(e.tenant_id, (list = []))
    list.push({ ...e, id: this.id(), created_at: this.clock.now() })
    if (list.length > auditCap) list.splice(0, list.length - auditCap)
  }
}
