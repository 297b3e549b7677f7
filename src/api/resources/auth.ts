import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { Secret, TOTP } from 'otpauth'
import { z } from 'zod'
import type { AppEnv, Deps } from '../context.js'
import { Resource } from '../endpoint.js'
import { ApiError, found } from '../errors.js'
import { email, password, presentUser, text255, UserOut } from './users-view.js'
import { hashPassword, verifyPassword } from '../../store/passwords.js'
import type { Tenant, User } from '../../store/records.js'

const cookieName = 'refresh_token'
const cookiePath = '/api/v1/auth'
const jwt = { credential: 'jwt', subscription: false } as const

const Register = z.object({ email, password, full_name: text255, tenant_name: text255 })
const Login = z.object({ email: z.string(), password: z.string() })
const MfaCode = z.object({ code: z.string().regex(/^\d{6}$/) })
/** The token response of register, login, refresh and MFA verify (the refresh token rides in the cookie). */
const TokenOut = z.object({ access_token: z.string(), token_type: z.literal('bearer'), mfa_required: z.boolean() })

/** `/auth`: register, login, refresh (rotation), logout, me, MFA (reference section 2). */
export const authResource = new Resource('/auth', 'Authentication')
  .post('/register', {
    summary: 'Register a tenant and its admin', access: 'public', body: Register, status: 201, errors: ['email_conflict'], response: TokenOut,
    async handle(c, { body }) {
      const { store, clock } = c.get('deps')
      if (store.userByEmail(body.email)) throw new ApiError('email_conflict')
      const now = clock.now()
      const tenant = store.addTenant({ id: store.id(), name: body.tenant_name, subscription_tier: 'free', subscription_status: 'active', past_due_since: null, created_at: now })
      const user = store.addUser({
        id: store.id(), tenant_id: tenant.id, email: body.email, full_name: body.full_name, role: 'admin',
        password_hash: hashPassword(body.password), is_active: true, mfa_enabled: false, mfa_secret: null,
        mfa_pending_secret: null, onboarding_completed: false, created_at: now,
      })
      return c.json(await issueSession(c, user, tenant), 201)
    },
  })
  .post('/login', {
    summary: 'Log in', access: 'public', body: Login, status: 200, errors: ['invalid_credentials', 'user_inactive', 'tenant_not_found'], response: TokenOut,
    async handle(c, { body: { email: address, password: given } }) {
      const { store } = c.get('deps')
      const user = store.userByEmail(address)
      if (!user || !verifyPassword(given, user.password_hash)) {
        if (user) store.recordAudit({ tenant_id: user.tenant_id, user_id: user.id, action: 'login_failure', resource_type: 'user', resource_id: user.id, details: { email: user.email } })
        throw new ApiError('invalid_credentials')
      }
      if (!user.is_active) throw new ApiError('user_inactive')
      const tenant = found(store.tenants.get(user.tenant_id), 'tenant_not_found')
      store.recordAudit({ tenant_id: tenant.id, user_id: user.id, action: 'login_success', resource_type: 'user', resource_id: user.id, details: { email: user.email } })
      if (user.mfa_enabled) {
        const { token } = await c.get('deps').tokens.sign('mfa_pending', user, tenant)
        return c.json({ access_token: token, token_type: 'bearer', mfa_required: true })
      }
      return c.json(await issueSession(c, user, tenant))
    },
  })
  .post('/refresh', {
    summary: 'Rotate the refresh cookie', access: 'public', status: 200, errors: ['not_authenticated', 'token_invalid', 'token_expired', 'tenant_not_found', 'user_inactive'], response: TokenOut,
    async handle(c) {
      const presented = found(getCookie(c, cookieName), 'not_authenticated')
      const { store, tokens } = c.get('deps')
      const claims = await tokens.verify(presented, 'refresh')
      const record = store.refreshTokens.get(claims.jti)
      if (!record || record.revoked || store.blocklist.has(claims.jti)) throw new ApiError('token_invalid')
      if (record.used) {
        // Reuse of a rotated token: someone else may hold the family, so all of it dies.
        revokeFamily(c.get('deps'), record.family)
        throw new ApiError('token_invalid')
      }
      record.used = true
      const user = store.users.get(record.user_id)
      const tenant = user && store.tenants.get(user.tenant_id)
      if (!user) throw new ApiError('token_invalid')
      if (!tenant) throw new ApiError('tenant_not_found')
      if (!user.is_active) throw new ApiError('user_inactive')
      return c.json(await issueSession(c, user, tenant, record.family))
    },
  })
  .get('/me', { summary: 'The current user', access: jwt, status: 200, response: UserOut, handle: (c) => c.json(presentUser(c.get('deps').store, jwtUser(c))) })
  .post('/logout', {
    summary: 'Log out (blocklists the tokens)', access: jwt, status: 204,
    async handle(c) {
      const caller = c.get('caller')
      const { store, tokens } = c.get('deps')
      if (caller.kind === 'jwt') store.blocklist.add(caller.claims.jti)
      const presented = getCookie(c, cookieName)
      if (presented) {
        const refresh = await tokens.verify(presented, 'refresh').catch(() => undefined)
        if (refresh) {
          store.blocklist.add(refresh.jti)
          const record = store.refreshTokens.get(refresh.jti)
          if (record) revokeFamily(c.get('deps'), record.family)
        }
      }
      deleteCookie(c, cookieName, { path: cookiePath, httpOnly: true, sameSite: 'Lax' })
      return c.body(null, 204)
    },
  })
  .post('/mfa/setup', {
    summary: 'Start MFA setup', access: jwt, status: 200, response: z.object({ secret: z.string(), qr_code_uri: z.string() }),
    handle(c) {
      const user = jwtUser(c)
      const secret = new Secret({ buffer: randomBytes(c.get('deps'), 20) }).base32
      user.mfa_pending_secret = secret
      return c.json({ secret, qr_code_uri: `otpauth://totp/Haltless:${user.email}?secret=${secret}&issuer=Haltless` })
    },
  })
  .post('/mfa/verify-setup', {
    summary: 'Confirm MFA setup with a code', access: jwt, body: MfaCode, status: 200, errors: ['invalid_mfa_code_setup'], response: z.object({ mfa_enabled: z.literal(true) }),
    handle(c, { body: { code } }) {
      const user = jwtUser(c)
      if (!user.mfa_pending_secret || !codeMatches(c.get('deps'), user.mfa_pending_secret, code)) throw new ApiError('invalid_mfa_code_setup')
      user.mfa_secret = user.mfa_pending_secret
      user.mfa_pending_secret = null
      user.mfa_enabled = true
      c.get('deps').store.recordAudit({ tenant_id: user.tenant_id, user_id: user.id, action: 'mfa_enabled', resource_type: 'user', resource_id: user.id, details: {} })
      return c.json({ mfa_enabled: true })
    },
  })
  .post('/mfa/verify', {
    summary: 'Complete an MFA login', access: { ...jwt, tokenType: 'mfa_pending' }, body: MfaCode, status: 200, errors: ['invalid_mfa_code'], response: TokenOut,
    async handle(c, { body: { code } }) {
      const caller = c.get('caller')
      if (caller.kind !== 'jwt') throw new ApiError('not_authenticated')
      if (!caller.user.mfa_secret || !codeMatches(c.get('deps'), caller.user.mfa_secret, code)) throw new ApiError('invalid_mfa_code')
      c.get('deps').store.blocklist.add(caller.claims.jti) // a pending token completes one login only
      return c.json(await issueSession(c, caller.user, caller.tenant))
    },
  })

/** Signs an access token and a refresh token (new family unless rotating), sets the cookie. */
async function issueSession(c: Context<AppEnv>, user: User, tenant: Tenant, family?: string) {
  const { store, tokens } = c.get('deps')
  const fam = family ?? store.id()
  const access = await tokens.sign('access', user, tenant)
  const refresh = await tokens.sign('refresh', user, tenant, fam)
  store.refreshTokens.set(refresh.claims.jti, { jti: refresh.claims.jti, user_id: user.id, family: fam, used: false, revoked: false })
  setCookie(c, cookieName, refresh.token, {
    httpOnly: true,
    path: cookiePath,
    sameSite: 'Lax',
    maxAge: tokens.ttlS('refresh'),
    secure: new URL(c.req.url).protocol === 'https:',
  })
  return { access_token: access.token, token_type: 'bearer', mfa_required: false }
}

function revokeFamily(deps: Deps, family: string): void {
  for (const r of deps.store.refreshTokens.values()) if (r.family === family) r.revoked = true
}

function jwtUser(c: Context<AppEnv>): User {
  const caller = c.get('caller')
  if (caller.kind !== 'jwt') throw new ApiError('not_authenticated')
  return caller.user
}

/** A real TOTP code (±1 step at the clock's time) or the configured fixed test code. */
function codeMatches(deps: Deps, secret: string, code: string): boolean {
  if (deps.config.mfaTestCode && code === deps.config.mfaTestCode) return true
  const totp = new TOTP({ issuer: 'Haltless', secret: Secret.fromBase32(secret) })
  return totp.validate({ token: code, timestamp: deps.clock.now(), window: 1 }) !== null
}

function randomBytes(deps: Deps, n: number): ArrayBuffer {
  const bytes = new Uint8Array(n)
  for (let i = 0; i < n; i++) bytes[i] = deps.rng.int(0, 255)
  return bytes.buffer
}
