import { z } from 'zod'
import { Resource } from '../endpoint.js'
import { jwtAnyRole, jwtOperate as write } from '../access.js'
import { ApiError, found } from '../errors.js'
import { email, text255 } from './users-view.js'
import { isoSeconds } from '../../clock.js'
import { demoId } from '../../store/demo.js'
import type { ChannelType, NotificationChannel } from '../../store/records.js'
import { escalationPolicies, notificationChannels } from '../../store/tables.js'

/** An http(s) URL with pydantic's `HttpUrl` errors (at most 2083 characters). */
export const httpUrl = z.string().superRefine((s, ctx) => {
  const fail = (type: string, msg: string) => ctx.addIssue({ code: 'custom', params: { type, msg } })
  if (s.length > 2083) return fail('url_too_long', 'URL should have at most 2083 characters')
  if (s.trim() === '') return fail('url_parsing', 'Input should be a valid URL, input is empty')
  let url: URL
  try {
    url = new URL(s)
  } catch {
    return fail('url_parsing', 'Input should be a valid URL, relative URL without a base')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail('url_scheme', "URL scheme should be 'http' or 'https'")
})

export const channelTypes = ['email', 'slack', 'webhook', 'teams'] as const satisfies readonly ChannelType[]
/** The config each channel type takes (reference section 15; `teams` is the emulator's name). */
const configs: Record<ChannelType, z.ZodType<Record<string, unknown>>> = {
  email: z.object({ email }),
  slack: z.object({ webhook_url: httpUrl }),
  teams: z.object({ webhook_url: httpUrl }),
  webhook: z.object({ url: httpUrl, headers: z.record(z.string(), z.string()).default({}) }),
}

/**
 * Create and replace body: `config` is checked against the schema of `type`; unknown config keys
 * are dropped and a webhook without `headers` gets `{}` (emulator choices).
 */
const ChannelBody = z
  .object({
    name: text255,
    type: z.enum(channelTypes),
    config: z.record(z.string(), z.unknown()),
    is_active: z.boolean().default(true),
  })
  .superRefine((v, ctx) => {
    if (!channelTypes.includes(v.type) || typeof v.config !== 'object' || v.config === null) return
    const parsed = configs[v.type].safeParse(v.config)
    if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: ['config', ...issue.path] } as never)
  })
  .transform((v) => ({ ...v, config: configs[v.type].parse(v.config) }))

const ChannelOut = z.object({ id: z.uuid(), name: z.string(), type: z.enum(channelTypes), config: z.record(z.string(), z.unknown()), is_active: z.boolean(), created_at: z.string() })

/** The channel object: the body's fields plus `id` and `created_at` (reference section 15). */
const presentChannel = (ch: NotificationChannel) => ({
  id: ch.id, name: ch.name, type: ch.type, config: ch.config, is_active: ch.is_active, created_at: isoSeconds(ch.created_at),
})


/** `/notification-channels`: where alerts go (reference section 15). */
export const notificationChannelsResource = new Resource('/notification-channels', 'Notifications')
  .get('/', {
    summary: 'List notification channels (oldest first)', access: jwtAnyRole, status: 200, response: z.array(ChannelOut),
    handle: (c) => c.json(notificationChannels(c.get('deps').store).of(c.get('caller').tenant.id).map(presentChannel)),
  })
  .post('/', {
    summary: 'Create a notification channel', access: write, body: ChannelBody, status: 201, response: ChannelOut,
    handle(c, { body }) {
      const { store, clock } = c.get('deps')
      const now = clock.now()
      const ch = notificationChannels(store).add({ id: store.id(), tenant_id: c.get('caller').tenant.id, ...body, created_at: now, updated_at: now })
      return c.json(presentChannel(ch), 201)
    },
  })
  .put('/:id', {
    summary: 'Replace a notification channel', access: write, body: ChannelBody, status: 200, errors: ['notification_channel_not_found'], response: ChannelOut,
    handle(c, { params, body }) {
      const ch = found(notificationChannels(c.get('deps').store).get(c.get('caller').tenant.id, params.id), 'notification_channel_not_found')
      Object.assign(ch, body, { updated_at: c.get('deps').clock.now() })
      return c.json(presentChannel(ch))
    },
  })
  .delete('/:id', {
    summary: 'Delete a notification channel (and the escalation policies that use it)', access: write, status: 204, errors: ['notification_channel_not_found'],
    handle(c, { params }) {
      const { store } = c.get('deps')
      const ch = found(notificationChannels(store).get(c.get('caller').tenant.id, params.id), 'notification_channel_not_found')
      notificationChannels(store).delete(ch.id)
      // emulator choice: a policy cannot point nowhere, so it goes with its channel
      for (const p of escalationPolicies(store).of(ch.tenant_id, (p) => p.channel_id === ch.id)) escalationPolicies(store).delete(p.id)
      return c.body(null, 204)
    },
  })
  .post('/:id/test', {
    summary: 'Send a test notification (the emulator sends nothing and reports success)', access: write, status: 200,
    errors: ['notification_channel_not_found'], response: z.object({ success: z.boolean() }),
    handle(c, { params }) {
      if (!notificationChannels(c.get('deps').store).get(c.get('caller').tenant.id, params.id)) throw new ApiError('notification_channel_not_found')
      return c.json({ success: true })
    },
  })
  .demo((store) => {
    const created = store.clock.now() - 14 * 86_400_000
    const rows: [string, string, string, string][] = [
      ['notification-channel:acme:1', 'tenant:acme', 'Maintenance team email', 'maintenance@acme.example'],
      ['notification-channel:globex:1', 'tenant:globex', 'Plant manager email', 'plant@globex.example'],
    ]
    for (const [label, tenant, name, address] of rows) {
      notificationChannels(store).add({
        id: demoId(label), tenant_id: demoId(tenant), name, type: 'email', config: { email: address }, is_active: true, created_at: created, updated_at: created,
      })
    }
  })
