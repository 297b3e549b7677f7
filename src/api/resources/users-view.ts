import type { Store } from '../../store/store.js'
import type { User } from '../../store/records.js'
import { z } from 'zod'

/** The `/auth/me` object (also the body of user create and profile update). */
export function presentUser(store: Store, u: User) {
  const t = store.tenants.get(u.tenant_id)
  return {
    id: u.id,
    email: u.email,
    full_name: u.full_name,
    tenant_id: u.tenant_id,
    role: u.role,
    is_active: u.is_active,
    mfa_enabled: u.mfa_enabled,
    onboarding_completed: u.onboarding_completed,
    subscription_status: t?.subscription_status ?? 'canceled',
    subscription_tier: t?.subscription_tier ?? 'free',
  }
}

/** Schema of the `/auth/me` object, for the OpenAPI document. */
export const UserOut = z.object({
  id: z.uuid(), email: z.string(), full_name: z.string(), tenant_id: z.uuid(), role: z.enum(['admin', 'operator', 'viewer']),
  is_active: z.boolean(), mfa_enabled: z.boolean(), onboarding_completed: z.boolean(),
  subscription_status: z.enum(['active', 'trialing', 'past_due', 'canceled']), subscription_tier: z.enum(['free', 'pro', 'enterprise']),
})

/** A string of 1..255 characters (emulator choice for undocumented lengths). */
export const text255 = z.string().min(1).max(255)

/** An email address, with the documented 422 item (`value is not a valid email address`). */
export const email = z.string().max(320).pipe(z.email())

/**
 * A password: at least 8 characters with a lowercase, an uppercase, a digit and a symbol
 * (emulator choice for "complexity required").
 */
export const password = z
  .string()
  .min(8)
  .max(128)
  .superRefine((p, ctx) => {
    if (!(/[a-z]/.test(p) && /[A-Z]/.test(p) && /\d/.test(p) && /[^A-Za-z0-9]/.test(p)))
      ctx.addIssue({ code: 'custom', params: { type: 'value_error', msg: 'Password does not meet complexity requirements' } })
  })
