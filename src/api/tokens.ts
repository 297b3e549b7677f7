import { errors as joseErrors, jwtVerify, SignJWT } from 'jose'
import type { Clock } from '../clock.js'
import type { Config } from '../config.js'
import type { Rng } from '../rng.js'
import type { Tenant, User } from '../store/records.js'
import { ApiError } from './errors.js'

/** Token types: the emulator adds `typ` to tell them apart (reference gap). */
export type TokenType = 'access' | 'mfa_pending' | 'refresh'

/** Claims of an access or MFA-pending token, as documented plus `iat` and `typ`. */
export interface AccessClaims {
  sub: string
  tenant_id: string
  tenant_tier: string
  role: string
  typ: TokenType
  jti: string
  iat: number
  exp: number
  /** Refresh tokens only: the rotation family. */
  fam?: string
}

/** Most verified tokens remembered; a full cache is dropped and refilled. */
const cacheCap = 10_000

/** Signs and verifies HS256 JWTs (jose), with time from the injectable clock. */
export class TokenService {
  private key: Uint8Array
  // Signature checks are the hot path's one real cost; a verified token string is remembered.
  private verified = new Map<string, AccessClaims>()

  constructor(
    private config: Config,
    private clock: Clock,
    private rng: Rng,
  ) {
    this.key = new TextEncoder().encode(config.jwtSecret)
  }

  /** Lifetime of a token type, seconds. */
  ttlS(typ: TokenType): number {
    return typ === 'access' ? this.config.accessTokenTtlS : typ === 'mfa_pending' ? this.config.mfaPendingTtlS : this.config.refreshTokenTtlS
  }

  /** A signed token for `user` of `tenant`. */
  async sign(typ: TokenType, user: User, tenant: Tenant, fam?: string): Promise<{ token: string; claims: AccessClaims }> {
    const iat = Math.floor(this.clock.now() / 1000)
    const claims: AccessClaims = {
      sub: user.id, tenant_id: tenant.id, tenant_tier: tenant.subscription_tier, role: user.role,
      typ, jti: this.rng.uuid(), iat, exp: iat + this.ttlS(typ), ...(fam ? { fam } : {}),
    }
    const token = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(this.key)
    return { token, claims }
  }

  /**
   * The claims of `token` if its signature is ours, it has not expired and it is of type `typ`;
   * else `401 Authentication token has expired.` or `401 Invalid authentication token.`
   */
  async verify(token: string, typ: TokenType): Promise<AccessClaims> {
    const known = this.verifyCached(token, typ)
    if (known) return known
    let claims: AccessClaims
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], currentDate: new Date(this.clock.now()) })
      claims = payload as unknown as AccessClaims
    } catch (err) {
      throw new ApiError(err instanceof joseErrors.JWTExpired ? 'token_expired' : 'token_invalid')
    }
    if (this.verified.size >= cacheCap) this.verified.clear()
    this.verified.set(token, claims)
    return this.checkClaims(claims, typ)
  }

  /** Like `verify`, synchronously, for a token whose signature was already checked; else undefined. */
  verifyCached(token: string, typ: TokenType): AccessClaims | undefined {
    const claims = this.verified.get(token)
    return claims && this.checkClaims(claims, typ)
  }

  private checkClaims(claims: AccessClaims, typ: TokenType): AccessClaims {
    if (claims.exp <= Math.floor(this.clock.now() / 1000)) throw new ApiError('token_expired')
    if (claims.typ !== typ || typeof claims.jti !== 'string') throw new ApiError('token_invalid')
    return claims
  }
}
