import { z } from 'zod'
import { Resource } from '../endpoint.js'
import { jwtAnyRole } from '../access.js'
import { defineTable } from '../../store/table.js'
import { demoId, demoTenants } from '../../store/demo.js'
import type { Store } from '../../store/store.js'

/** A downtime reason code; codes form a tree through `parent_id`. */
export interface ReasonCode {
  id: string
  tenant_id: string
  code: string
  name: string
  parent_id: string | null
}

/** The tenant's reason codes (emulator table, filled with `defaultTree` on first use). */
export const reasonCodes = defineTable<ReasonCode>('reason_codes')

/** Every tenant's starting tree: [code, name, parent code]. */
const defaultTree: [code: string, name: string, parent: string | null][] = [
  ['MECH', 'Mechanical failure', null],
  ['MECH-BRG', 'Bearing failure', 'MECH'],
  ['MECH-HYD', 'Hydraulic leak', 'MECH'],
  ['ELEC', 'Electrical fault', null],
  ['ELEC-DRV', 'Drive fault', 'ELEC'],
  ['CHG', 'Changeover', null],
  ['PM', 'Planned maintenance', null],
  ['MAT', 'Material shortage', null],
]

/** Adds the default tree for a tenant, ids from `label(code)` (stable across runs). */
function seedTree(store: Store, tenantId: string, label: (code: string) => string): void {
  const table = reasonCodes(store)
  for (const [code, name, parent] of defaultTree) {
    table.add({ id: demoId(label(code)), tenant_id: tenantId, code, name, parent_id: parent === null ? null : demoId(label(parent)) })
  }
}

/**
 * The tenant's reason codes, sorted by code. A tenant without any (registered after start-up)
 * gets the default tree on first use, ids `demoId('reason-code:<tenant id>:<code>')`.
 */
export function reasonCodesOf(store: Store, tenantId: string): ReasonCode[] {
  let list = reasonCodes(store).of(tenantId)
  if (list.length === 0) {
    seedTree(store, tenantId, (code) => `reason-code:${tenantId}:${code}`)
    list = reasonCodes(store).of(tenantId)
  }
  return list.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
}

const ReasonCodeOut = z.object({ id: z.uuid(), code: z.string(), name: z.string(), parent_id: z.uuid().nullable() })

const presentReasonCode = (r: ReasonCode) => ({ id: r.id, code: r.code, name: r.name, parent_id: r.parent_id })

/** `/reason-codes`: the tenant's downtime reason-code tree as a flat list (reference section 12). */
export const reasonCodesResource = new Resource('/reason-codes', 'Downtime')
  .get('/', {
    summary: 'List downtime reason codes', access: jwtAnyRole, status: 200,
    response: z.array(ReasonCodeOut),
    handle(c) {
      return c.json(reasonCodesOf(c.get('deps').store, c.get('caller').tenant.id).map(presentReasonCode))
    },
  })
  .demo((store) => {
    for (const t of demoTenants) seedTree(store, demoId(`tenant:${t.slug}`), (code) => `reason-code:${t.slug}:${code}`)
  })
