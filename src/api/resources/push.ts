import { createECDH, createHash } from 'node:crypto'
import { z } from 'zod'
import { Resource } from '../endpoint.js'
import { jwtAnyRole as anyRole } from '../access.js'
import { httpUrl } from './notification-channels.js'
import { isoSeconds } from '../../clock.js'
import { defineTable } from '../../store/table.js'

/** A browser's Web Push subscription, per user: one per `endpoint`. */
interface PushSubscription {
  id: string
  tenant_id: string
  user_id: string
  endpoint: string
  p256dh: string
  auth: string
  created_at: number
}
const pushSubscriptions = defineTable<PushSubscription>('push_subscriptions')

/**
 * The emulator's VAPID public key: a fixed P-256 key pair derived from a constant, so the key is
 * the same on every run and seed (clients may cache it). Uncompressed point, 65 bytes, base64url.
 */
export const vapidPublicKey: string = (() => {
  const ecdh = createECDH('prime256v1')
  ecdh.setPrivateKey(createHash('sha256').update('haltless-mock:vapid').digest())
  return ecdh.getPublicKey().toString('base64url')
})()

const Subscribe = z.object({
  endpoint: httpUrl,
  keys: z.object({ p256dh: z.string().min(1).max(255), auth: z.string().min(1).max(255) }),
})
const Unsubscribe = z.object({ endpoint: httpUrl })
const SubscriptionOut = z.object({ id: z.uuid(), endpoint: z.string(), keys: z.object({ p256dh: z.string(), auth: z.string() }), created_at: z.string() })

const presentSubscription = (s: PushSubscription) => ({
  id: s.id, endpoint: s.endpoint, keys: { p256dh: s.p256dh, auth: s.auth }, created_at: isoSeconds(s.created_at),
})


/** `/push`: Web Push key and the caller's browser subscriptions (reference section 15). */
export const pushResource = new Resource('/push', 'Notifications')
  .get('/vapid-public-key', {
    summary: 'The VAPID public key for PushManager.subscribe', access: anyRole, status: 200, response: z.object({ public_key: z.string() }),
    handle: (c) => c.json({ public_key: vapidPublicKey }),
  })
  .post('/subscribe', {
    summary: "Register this browser's push subscription (again: keys replaced, same id)", access: anyRole, body: Subscribe, status: 201, response: SubscriptionOut,
    handle(c, { body }) {
      const { store, clock } = c.get('deps')
      const caller = c.get('caller')
      const userId = caller.kind === 'jwt' ? caller.user.id : ''
      const table = pushSubscriptions(store)
      const existing = table.of(caller.tenant.id, (s) => s.user_id === userId && s.endpoint === body.endpoint)[0]
      const sub = existing
        ? Object.assign(existing, { p256dh: body.keys.p256dh, auth: body.keys.auth })
        : table.add({ id: store.id(), tenant_id: caller.tenant.id, user_id: userId, endpoint: body.endpoint, ...body.keys, created_at: clock.now() })
      return c.json(presentSubscription(sub), 201)
    },
  })
  .delete('/subscribe', {
    summary: 'Remove the push subscription with this endpoint (204 also when there is none)', access: anyRole, body: Unsubscribe, status: 204,
    handle(c, { body }) {
      const caller = c.get('caller')
      const userId = caller.kind === 'jwt' ? caller.user.id : ''
      const table = pushSubscriptions(c.get('deps').store)
      for (const s of table.of(caller.tenant.id, (s) => s.user_id === userId && s.endpoint === body.endpoint)) table.delete(s.id)
      return c.body(null, 204)
    },
  })
