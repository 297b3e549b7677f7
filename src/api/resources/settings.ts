import type { Context } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../context.js'
import { Resource } from '../endpoint.js'
import { jwtAnyRole as any } from '../access.js'
import { ApiError } from '../errors.js'
import { email, password, presentUser, text255 } from './users-view.js'
import { hashPassword, verifyPassword } from '../../store/passwords.js'
import type { Store } from '../../store/store.js'
import type { User } from '../../store/records.js'

/** Body of a successful password change (a 200 body, not an error). */
export const passwordUpdated = 'Password updated.'

/** Profile fields; `current_password` is required only when `email` changes. */
const ProfileUpdate = z.object({ full_name: text255.optional(), email: email.optional(), current_password: z.string().max(128).optional() })
/** The new password obeys the register complexity rule (422 before the current password is checked). */
const PasswordChange = z.object({ current_password: z.string().max(128), new_password: password })

const meShape = z.object({
  id: z.uuid(), email: z.string(), full_name: z.string(), tenant_id: z.uuid(), role: z.enum(['admin', 'operator', 'viewer']),
  is_active: z.boolean(), mfa_enabled: z.boolean(), onboarding_completed: z.boolean(), subscription_status: z.string(), subscription_tier: z.string(),
})

/** `/settings`: the caller's own profile and password (reference section 16; keys live in api-keys.ts). */
export const settingsResource = new Resource('/settings', 'Settings')
  .patch('/profile', {
    summary: 'Update the own profile (email change needs current_password)', access: any, body: ProfileUpdate, status: 200,
    errors: ['current_password_incorrect', 'email_conflict'], response: meShape,
    handle(c, { body }) {
      const { store } = c.get('deps')
      const user = callerUser(c)
      // The stored address given again is no change: no password needed, no conflict with oneself.
      const newEmail = body.email !== undefined && body.email !== user.email ? body.email : undefined
      if (newEmail !== undefined) {
        if (body.current_password === undefined || !verifyPassword(body.current_password, user.password_hash)) throw new ApiError('current_password_incorrect')
        const holder = store.userByEmail(newEmail)
        if (holder && holder.id !== user.id) throw new ApiError('email_conflict')
        renameUser(store, user, newEmail)
      }
      if (body.full_name !== undefined) user.full_name = body.full_name
      return c.json(presentUser(store, user))
    },
  })
  .post('/change-password', {
    summary: 'Change the own password', access: any, body: PasswordChange, status: 200, errors: ['current_password_incorrect'],
    response: z.object({ detail: z.literal(passwordUpdated) }),
    handle(c, { body }) {
      const user = callerUser(c)
      if (!verifyPassword(body.current_password, user.password_hash)) throw new ApiError('current_password_incorrect')
      user.password_hash = hashPassword(body.new_password)
      return c.json({ detail: passwordUpdated })
    },
  })

function callerUser(c: Context<AppEnv>): User {
  const caller = c.get('caller')
  if (caller.kind !== 'jwt') throw new ApiError('not_authenticated')
  return caller.user
}

/** Changes a user's email and keeps the store's by-email index (lower-cased keys) in step. */
function renameUser(store: Store, user: User, newEmail: string): void {
  store.usersByEmail.delete(user.email.toLowerCase())
  user.email = newEmail
  store.usersByEmail.set(newEmail.toLowerCase(), user)
}
