import type { Context } from 'hono'
import { answerHeader, bearerToken, header } from './headers.js'
import { getConnInfo } from '@hono/node-server/conninfo'
import type { AppEnv, Caller, Deps } from './context.js'
import { ApiError, scopeError } from './errors.js'
import { allows, type Permission, type Scope } from './permissions.js'
import { ipKey, tenantKey, type RateDecision } from './rate-limits.js'
import type { Tenant } from '../store/records.js'
import type { AccessClaims, TokenType } from './tokens.js'

/** Which credential an endpoint accepts (reference, per endpoint table). */
export type Credential = 'jwt' | 'jwt_or_key' | 'key'

/** What an endpoint requires; every key has the documented default. */
export interface AccessRule {
  credential: Credential
  /** Roles allowed (JWT callers); default every role. */
  permission?: Permission
  /** Scope an API key needs (for `jwt_or_key` and `key`). */
  scope?: Scope
  /** Token type that the bearer must be; default `access` (MFA verify takes `mfa_pending`). */
  tokenType?: TokenType
  /** Whether a lapsed subscription answers 402; default true (false under /auth). */
  subscription?: boolean
}

/** The usual rules: a JWT of any role, of an operator or admin, of an admin (the role table's levels). */
export const jwtAnyRole = { credential: 'jwt', permission: 'read' } as const
export const jwtOperate = { credential: 'jwt', permission: 'operate' } as const
export const jwtAdmin = { credential: 'jwt', permission: 'administer' } as const

/**
 * The checks before validation, in the API's order: authentication (401) → rate limit (429) →
 * subscription (402) → role or scope (403). Sets `caller` and the rate-limit headers; a failure
 * throws its ApiError. Synchronous for a known token or key (the hot path), else a promise.
 */
export function authorize(rule: AccessRule): (c: Context<AppEnv>) => void | Promise<void> {
  const tokenType = rule.tokenType ?? 'access'
  return function authorize(c) {
    const deps = c.get('deps')
    const found = authenticate(c, deps, rule.credential, tokenType)
    return found instanceof Promise ? found.then((caller) => admit(c, deps, rule, caller)) : admit(c, deps, rule, found)
  }
}

/** Everything after authentication, in order: 429 → 402 → 403. */
function admit(c: Context<AppEnv>, deps: Deps, rule: AccessRule, caller: Caller): void {
  limitRate(c, deps, tenantKey(caller.tenant.id), caller.tenant.subscription_tier)
  if (rule.subscription !== false && lapsed(deps, caller.tenant)) throw new ApiError('payment_required')
  if (caller.kind === 'jwt' && rule.permission && !allows(rule.permission, caller.user.role)) throw new ApiError('forbidden')
  if (caller.kind === 'api_key' && rule.scope && !caller.key.scopes.includes(rule.scope)) throw scopeError(rule.scope)
  if (caller.kind === 'api_key') caller.key.last_used_at = deps.clock.now()
  c.set('caller', caller)
}

/** For the unauthenticated auth endpoints: counted per client IP, nothing else checked. */
export function publicAccess(c: Context<AppEnv>): void {
  limitRate(c, c.get('deps'), ipKey(clientIp(c)), 'unauthenticated')
}

function authenticate(c: Context<AppEnv>, deps: Deps, credential: Credential, tokenType: TokenType): Caller | Promise<Caller> {
  const bearer = bearerToken(c)
  // An endpoint that takes only keys ignores a JWT, and the reverse (reference gap choice).
  if (credential !== 'key' && bearer) return jwtCaller(deps, bearer, tokenType)
  const apiKey = header(c, 'x-api-key')
  if (credential !== 'jwt' && apiKey !== undefined) return keyCaller(deps, apiKey)
  throw new ApiError('not_authenticated')
}

function jwtCaller(deps: Deps, token: string, tokenType: TokenType): Caller | Promise<Caller> {
  const claims = deps.tokens.verifyCached(token, tokenType)
  if (claims) return jwtCallerFor(deps, token, claims)
  return deps.tokens.verify(token, tokenType).then((verified) => jwtCallerFor(deps, token, verified))
}

/** The caller an access token names (any failure is an ApiError), for the dashboard WebSocket. */
export async function tokenCaller(deps: Deps, token: string): Promise<Caller> {
  return jwtCallerFor(deps, token, await deps.tokens.verify(token, 'access'))
}

function jwtCallerFor(deps: Deps, token: string, claims: AccessClaims): Caller {
  const { store } = deps
  if (store.blocklist.has(claims.jti)) throw new ApiError('token_invalid')
  const tenant = store.tenants.get(claims.tenant_id)
  if (!tenant) throw new ApiError('tenant_not_found')
  const user = store.users.get(claims.sub)
  if (!user) throw new ApiError('token_invalid')
  if (!user.is_active) throw new ApiError('user_inactive')
  return { kind: 'jwt', tenant, user, claims, token }
}

function keyCaller(deps: Deps, secret: string): Caller {
  const key = deps.store.apiKeysBySecret.get(secret.trim())
  const now = deps.clock.now()
  if (!key || key.revoked_at !== null || (key.expires_at !== null && key.expires_at <= now)) throw new ApiError('api_key_invalid')
  const tenant = deps.store.tenants.get(key.tenant_id)
  if (!tenant) throw new ApiError('tenant_not_found')
  return { kind: 'api_key', tenant, key }
}

/** Counts the request and sets `X-RateLimit-*`; throws the 429 once the window is spent. */
function limitRate(c: Context<AppEnv>, deps: Deps, key: string, bucket: Tenant['subscription_tier'] | 'unauthenticated'): void {
  const decision = deps.limiter.hit(key, bucket)
  if (!decision) return
  answerHeader(c, 'X-RateLimit-Limit', String(decision.limit))
  answerHeader(c, 'X-RateLimit-Remaining', String(decision.remaining))
  c.set('rateLimitRemaining', decision.remaining)
  if (!decision.allowed) {
    c.set('retryAfter', decision.retryAfterS)
    throw new ApiError('rate_limited', retryHeaders(decision))
  }
  if (deps.config.alwaysSendRateLimitReset) answerHeader(c, 'X-RateLimit-Reset', String(decision.resetS))
}

/** `Retry-After` and `X-RateLimit-Reset` of a 429, true for the window. */
export const retryHeaders = (d: RateDecision): Record<string, string> => ({
  'Retry-After': String(d.retryAfterS),
  'X-RateLimit-Reset': String(d.resetS),
})

/** Whether the tenant's subscription answers 402: canceled, or past due beyond the grace period. */
export function lapsed(deps: Deps, tenant: Tenant): boolean {
  switch (tenant.subscription_status) {
    case 'active':
    case 'trialing':
      return false
    case 'canceled':
      return true
    case 'past_due': {
      const since = tenant.past_due_since ?? deps.clock.now()
      return deps.clock.now() >= since + deps.config.pastDueGraceDays * 86_400_000
    }
  }
}

/** The client's address as the socket saw it. */
export function clientIp(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown'
  } catch {
    return 'unknown'
  }
}
