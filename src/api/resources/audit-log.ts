import { z } from 'zod'
import { Resource } from '../endpoint.js'
import { jwtAnyRole } from '../access.js'
import { paginate, pagination, pageOf } from '../validate.js'
import { isoSeconds } from '../../clock.js'
import { demoId } from '../../store/demo.js'
import type { AuditEntry } from '../../store/records.js'
import type { Store } from '../../store/store.js'

/** Filters are exact, case-sensitive matches (emulator choice); both at most 100 characters. */
const AuditQuery = z.object({
  ...pagination,
  action: z.string().max(100).optional(),
  resource_type: z.string().max(100).optional(),
})

const presentEntry = (e: AuditEntry) => ({
  id: e.id,
  tenant_id: e.tenant_id,
  user_id: e.user_id,
  action: e.action,
  resource_type: e.resource_type,
  resource_id: e.resource_id,
  details: e.details,
  created_at: isoSeconds(e.created_at),
})

const entryShape = z.object({
  id: z.uuid(), tenant_id: z.uuid(), user_id: z.uuid().nullable(), action: z.string(), resource_type: z.string(),
  resource_id: z.string().nullable(), details: z.record(z.string(), z.unknown()), created_at: z.string(),
})

/** `GET /audit`: the tenant's audit log, newest first (reference section 17). */
export const auditLogResource = new Resource('/audit', 'Audit log')
  .get('/', {
    summary: 'List audit log entries (newest first)', access: jwtAnyRole, query: AuditQuery, status: 200,
    response: pageOf(entryShape),
    handle(c, { query: q }) {
      const entries = c.get('deps').store.audit.get(c.get('caller').tenant.id) ?? []
      // Stored oldest first; walking backwards gives newest first, later entries first within a second.
      const list: AuditEntry[] = []
      for (let i = entries.length - 1; i >= 0; i--) {
        const e = entries[i]!
        if ((q.action === undefined || e.action === q.action) && (q.resource_type === undefined || e.resource_type === q.resource_type)) list.push(e)
      }
      list.sort((a, b) => b.created_at - a.created_at)
      const page = paginate(list, q.page, q.page_size)
      return c.json({ ...page, items: page.items.map(presentEntry) })
    },
  })
  .demo(seedAudit)

/**
 * The demo tenants' history, as the audit log would hold it: the admin created the demo API key at
 * tenant creation, then each demo machine (at its `created_at`, one a minute).
 */
function seedAudit(store: Store): void {
  const demo = { acme: 'admin@acme.example', globex: 'admin@globex.example' } as const
  for (const [slug, admin] of Object.entries(demo)) {
    const tenant = store.tenants.get(demoId(`tenant:${slug}`))
    if (!tenant) continue
    const userId = demoId(`user:${admin}`)
    const entries: Omit<AuditEntry, 'id' | 'tenant_id' | 'user_id'>[] = []
    const key = store.apiKeys.get(demoId(`api-key:${slug}`))
    if (key) entries.push({ action: 'create_api_key', resource_type: 'api_key', resource_id: key.id, details: { name: key.name, scopes: key.scopes }, created_at: key.created_at })
    for (const m of store.machinesOf(tenant.id))
      entries.push({ action: 'create_machine', resource_type: 'machine', resource_id: m.id, details: { name: m.name, machine_identifier: m.machine_identifier }, created_at: m.created_at })
    const list = entries.map((e, i) => ({ ...e, id: demoId(`audit:${slug}:${i + 1}`), tenant_id: tenant.id, user_id: userId }))
    store.audit.set(tenant.id, [...list, ...(store.audit.get(tenant.id) ?? [])])
  }
}
