import type { AppEnv } from './context.js'

/** Records an audit entry for the caller's tenant (the documented action names, section 17). */
export function audit(c: { var: AppEnv['Variables'] }, action: string, resourceType: string, resourceId: string | null, details: Record<string, unknown> = {}): void {
  const caller = c.var.caller
  c.var.deps.store.recordAudit({
    tenant_id: caller.tenant.id,
    user_id: caller.kind === 'jwt' ? caller.user.id : null,
    action,
    resource_type: resourceType,
    resource_id: resourceId,
    details,
  })
}
