import type { Store } from './store.js'

/** A record owned by one tenant. */
export interface Row {
  id: string
  tenant_id: string
}

/**
 * One resource's records, keyed by id. Lookups take the caller's tenant: another tenant's record
 * is as missing as an unknown one (the API's 404).
 */
export class Table<T extends Row> {
  readonly rows = new Map<string, T>()

  add(row: T): T {
    this.rows.set(row.id, row)
    return row
  }

  /** The tenant's record with this id, or undefined. */
  get(tenantId: string, id: string): T | undefined {
    const row = this.rows.get(id)
    return row && row.tenant_id === tenantId ? row : undefined
  }

  /** The tenant's records in insertion order, optionally filtered. */
  of(tenantId: string, keep?: (row: T) => boolean): T[] {
    const out: T[] = []
    for (const row of this.rows.values()) if (row.tenant_id === tenantId && (!keep || keep(row))) out.push(row)
    return out
  }

  delete(id: string): boolean {
    return this.rows.delete(id)
  }
}

/**
 * Declares a table a resource keeps in the store: `const alerts = defineTable<Alert>('alerts')`,
 * then `alerts(store).add(...)`. The store creates it on first use, so adding a resource never
 * touches store.ts, and a reset (a new store) empties it.
 */
export function defineTable<T extends Row>(name: string): (store: Store) => Table<T> {
  return (store) => store.table<T>(name)
}
