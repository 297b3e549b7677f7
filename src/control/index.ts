import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../api/context.js'
import { found } from '../api/errors.js'
import { datetime, uuidParam, validate } from '../api/validate.js'
import { isoSecondsOrNull } from '../clock.js'
import { version } from '../version.js'
import { resources } from '../api/index.js'
import { openApiDocument } from '../api/openapi.js'
import { ipKey, tenantKey } from '../api/rate-limits.js'
import type { Tenant } from '../store/records.js'

const TenantPatch = z.object({
  subscription_status: z.enum(['active', 'trialing', 'past_due', 'canceled']).optional(),
  subscription_tier: z.enum(['free', 'pro', 'enterprise']).optional(),
  past_due_since: datetime.nullish(),
})

/** What the control plane needs from the server beyond the request context. */
export interface ControlHooks {
  /** Restores the start-up state (demo data unless --no-demo), counters and caches. */
  reset(): void
  startedAt: number
}

const presentTenant = (t: Tenant) => ({
  id: t.id, name: t.name, subscription_tier: t.subscription_tier, subscription_status: t.subscription_status,
  past_due_since: isoSecondsOrNull(t.past_due_since),
})

/** `/__mock`: the control plane. Never rate limited, never faulted. */
export function controlPlane(hooks: ControlHooks) {
  let openApi: Record<string, unknown> | undefined
  return new Hono<AppEnv>()
    .get('/health', (c) => {
      const { clock, config } = c.get('deps')
      return c.json({ status: 'ok', mode: config.mode, version, uptime_s: Math.floor((clock.now() - hooks.startedAt) / 1000), demo: config.demo })
    })
    .get('/openapi.json', (c) => c.json((openApi ??= openApiDocument(resources, version))))
    .post('/reset', (c) => {
      hooks.reset()
      return c.json({ status: 'reset', demo: c.get('deps').config.demo })
    })
    .get('/tenants', (c) => c.json([...c.get('deps').store.tenants.values()].map(presentTenant)))
    // every tenant's bucket, and the per-IP buckets of the unauthenticated auth endpoints in use
    .get('/rate-limits', (c) => {
      const { store, limiter } = c.get('deps')
      return c.json({
        enabled: limiter.table !== null,
        tenants: [...store.tenants.values()].map((t) => ({ tenant_id: t.id, name: t.name, ...limiter.state(tenantKey(t.id), t.subscription_tier) })),
        clients: limiter.ips().map((ip) => ({ ip, ...limiter.state(ipKey(ip), 'unauthenticated') })),
      })
    })
    .patch('/tenants/:tenant_id', validate('param', z.object({ tenant_id: uuidParam })), validate('json', TenantPatch), (c) => {
      const { store, clock } = c.get('deps')
      const tenant = found(store.tenants.get(c.req.valid('param').tenant_id), 'tenant_not_found')
      const body = c.req.valid('json')
      if (body.subscription_status === 'past_due' && tenant.subscription_status !== 'past_due' && body.past_due_since === undefined)
        tenant.past_due_since = clock.now()
      if (body.subscription_status) tenant.subscription_status = body.subscription_status
      if (body.subscription_tier) tenant.subscription_tier = body.subscription_tier
      if (body.past_due_since !== undefined) tenant.past_due_since = body.past_due_since
      return c.json(presentTenant(tenant))
    })
}
