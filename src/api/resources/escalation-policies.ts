import { z } from 'zod'
import type { Context } from 'hono'
import type { AppEnv } from '../context.js'
import { Resource } from '../endpoint.js'
import { jwtAnyRole, jwtAdmin as admin } from '../access.js'
import { ApiError, found } from '../errors.js'
import { uuidParam } from '../validate.js'
import { text255 } from './users-view.js'
import { isoSeconds } from '../../clock.js'
import { demoId } from '../../store/demo.js'
import type { EscalationPolicy } from '../../store/records.js'
import { escalationPolicies, notificationChannels } from '../../store/tables.js'

/** Most escalation policies a tenant may have (reference section 15). */
export const maxEscalationPolicies = 50

const severities = ['info', 'warning', 'critical'] as const
const PolicyBody = z.object({
  name: text255,
  severity: z.enum(severities),
  wait_minutes: z.int().min(1).max(1440),
  channel_id: uuidParam,
  is_active: z.boolean().default(true),
})
const PolicyOut = z.object({
  id: z.uuid(), name: z.string(), severity: z.enum(severities), wait_minutes: z.int(), channel_id: z.uuid(), is_active: z.boolean(), created_at: z.string(),
})

/** The policy object: the body's fields plus `id` and `created_at` (as channels). */
const presentPolicy = (p: EscalationPolicy) => ({
  id: p.id, name: p.name, severity: p.severity, wait_minutes: p.wait_minutes, channel_id: p.channel_id, is_active: p.is_active, created_at: isoSeconds(p.created_at),
})

/** The policy's channel must be the caller's: else 404 `Notification channel not found.` */
function checkChannel(c: Context<AppEnv>, id: string): void {
  if (!notificationChannels(c.get('deps').store).get(c.get('caller').tenant.id, id)) throw new ApiError('notification_channel_not_found')
}


/** `/escalation-policies`: when unacknowledged alerts go to a channel (reference section 15). */
export const escalationPoliciesResource = new Resource('/escalation-policies', 'Notifications')
  .get('/', {
    summary: 'List escalation policies (oldest first)', access: jwtAnyRole, status: 200, response: z.array(PolicyOut),
    handle: (c) => c.json(escalationPolicies(c.get('deps').store).of(c.get('caller').tenant.id).map(presentPolicy)),
  })
  .post('/', {
    summary: 'Create an escalation policy (at most 50 per tenant)', access: admin, body: PolicyBody, status: 201,
    errors: ['notification_channel_not_found', 'escalation_policy_limit'], response: PolicyOut,
    handle(c, { body }) {
      const { store, clock } = c.get('deps')
      const tenantId = c.get('caller').tenant.id
      checkChannel(c, body.channel_id)
      if (escalationPolicies(store).of(tenantId).length >= maxEscalationPolicies) throw new ApiError('escalation_policy_limit')
      const now = clock.now()
      const policy = escalationPolicies(store).add({ id: store.id(), tenant_id: tenantId, ...body, created_at: now, updated_at: now })
      return c.json(presentPolicy(policy), 201)
    },
  })
  .put('/:id', {
    summary: 'Replace an escalation policy', access: admin, body: PolicyBody, status: 200,
    errors: ['escalation_policy_not_found', 'notification_channel_not_found'], response: PolicyOut,
    handle(c, { params, body }) {
      const policy = found(escalationPolicies(c.get('deps').store).get(c.get('caller').tenant.id, params.id), 'escalation_policy_not_found')
      checkChannel(c, body.channel_id)
      Object.assign(policy, body, { updated_at: c.get('deps').clock.now() })
      return c.json(presentPolicy(policy))
    },
  })
  .delete('/:id', {
    summary: 'Delete an escalation policy', access: admin, status: 204, errors: ['escalation_policy_not_found'],
    handle(c, { params }) {
      const { store } = c.get('deps')
      const policy = found(escalationPolicies(store).get(c.get('caller').tenant.id, params.id), 'escalation_policy_not_found')
      escalationPolicies(store).delete(policy.id)
      return c.body(null, 204)
    },
  })
  .demo((store) => {
    const created = store.clock.now() - 14 * 86_400_000
    const rows: [string, string, string, EscalationPolicy['severity'], number][] = [
      ['escalation-policy:acme:1', 'acme', 'Critical alerts to maintenance', 'critical', 15],
      ['escalation-policy:globex:1', 'globex', 'Warnings to plant manager', 'warning', 60],
    ]
    for (const [label, slug, name, severity, wait] of rows) {
      escalationPolicies(store).add({
        id: demoId(label), tenant_id: demoId(`tenant:${slug}`), name, severity, wait_minutes: wait,
        channel_id: demoId(`notification-channel:${slug}:1`), is_active: true, created_at: created, updated_at: created,
      })
    }
  })
