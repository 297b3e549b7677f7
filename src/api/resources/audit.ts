import type { Context } from 'hono'
import type { AppEnv } from '../context.js'

/** Records an audit entry for the caller's tenant (the documented action names, section 17). */
export function audit(c: Context<AppEnv>, action: string, resourceType: string, resourceId: string | null, details: Record<string, unknown> = {}): void {
  const caller = c.get('caller')
  c.get('deps').store.recordAudit({
    tenant_id: caller.tenant.id,
    user_id: caller.kind === 'jwt' ? caller.user.id : null,
    action,
    resource_type: resourceType,
    resource_id: resourceId,
    details,
  })
}
