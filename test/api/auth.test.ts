import { describe, expect, it } from 'vitest'
import { TOTP, Secret } from 'otpauth'
import { claimsOf, cookieValue, demoPassword, useServer } from '../helpers.js'
import { demoId } from '../../src/store/demo.js'

const t = useServer()
const notAuthenticated = { detail: 'Not authenticated' }
const invalidToken = { detail: 'Invalid authentication token.' }
const expired = { detail: 'Authentication token has expired.' }

describe('login', () => {
  it('answers the documented token response, an HS256 JWT with the documented claims, and the refresh cookie', async () => {
    const res = await t.api('/auth/login', { method: 'POST', json: { email: 'admin@acme.example', password: demoPassword } })
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'bearer', mfa_required: false })
    expect(JSON.parse(Buffer.from(body.access_token.split('.')[0], 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' })
    const now = Math.floor(t.clock.now() / 1000)
    expect(claimsOf(body.access_token)).toEqual({
      sub: demoId('user:admin@acme.example'), tenant_id: demoId('tenant:acme'), tenant_tier: 'pro', role: 'admin',
      typ: 'access', jti: expect.any(String), iat: now, exp: now + 900,
    })
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('refresh_token='))!
    expect(cookie.replace(/^refresh_token=[^;]+/, 'refresh_token=X')).toBe('refresh_token=X; Max-Age=604800; Path=/api/v1/auth; HttpOnly; SameSite=Lax')
  })

  it.each([
    ['an unknown email', 'nobody@acme.example', demoPassword],
    ['a wrong password', 'admin@acme.example', 'Wrong-Password-1'],
  ])('answers 401 Invalid email or password. for %s', async (_, email, password) => {
    const res = await t.api('/auth/login', { method: 'POST', json: { email, password } })
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe('Bearer')
    expect(await res.json()).toEqual({ detail: 'Invalid email or password.' })
  })

  it('answers 403 User account is inactive. for a deactivated user', async () => {
    const res = await t.api('/auth/login', { method: 'POST', json: { email: 'inactive@acme.example', password: demoPassword } })
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({ detail: 'User account is inactive.' })
  })

  it('answers 422 for a missing field', async () => {
    const res = await t.api('/auth/login', { method: 'POST', json: { email: 'admin@acme.example' } })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail: [{ loc: ['body', 'password'], msg: 'Field required', type: 'missing' }] })
  })
})

describe('register', () => {
  it('creates a free tenant and its admin, logged in at once', async () => {
    const res = await t.api('/auth/register', { method: 'POST', json: { email: 'new@startup.example', password: 'Str0ng!pass', full_name: 'New Founder', tenant_name: 'Startup' } })
    expect(res.status).toBe(201)
    const body = await res.json()
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'bearer', mfa_required: false })
    expect(cookieValue(res, 'refresh_token')).toBeTruthy()
    const me = await t.api('/auth/me', { headers: { Authorization: `Bearer ${body.access_token}` } })
    expect(await me.json()).toEqual({
      id: claimsOf(body.access_token).sub, email: 'new@startup.example', full_name: 'New Founder', tenant_id: claimsOf(body.access_token).tenant_id,
      role: 'admin', is_active: true, mfa_enabled: false, onboarding_completed: false, subscription_status: 'active', subscription_tier: 'free',
    })
  })

  it('answers 409 for an email already registered', async () => {
    const res = await t.api('/auth/register', { method: 'POST', json: { email: 'ADMIN@acme.example', password: 'Str0ng!pass', full_name: 'X', tenant_name: 'Y' } })
    expect(res.status).toBe(409)
    expect(await res.json()).toEqual({ detail: 'A user with this email already exists.' })
  })

  it('answers the documented 422 for an invalid email, and the complexity rule for a weak password', async () => {
    const res = await t.api('/auth/register', { method: 'POST', json: { email: 'not-an-email', password: 'alllowercase', full_name: 'X', tenant_name: 'Y' } })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({
      detail: [
        { loc: ['body', 'email'], msg: 'value is not a valid email address', type: 'value_error' },
        { loc: ['body', 'password'], msg: 'Password does not meet complexity requirements', type: 'value_error' },
      ],
    })
    const short = await t.api('/auth/register', { method: 'POST', json: { email: 'a@b.example', password: 'Ab1!', full_name: 'X', tenant_name: 'Y' } })
    expect(await short.json()).toEqual({ detail: [{ loc: ['body', 'password'], msg: 'String should have at least 8 characters', type: 'string_too_short' }] })
  })
})

describe('access tokens', () => {
  it('answers 401 Not authenticated with WWW-Authenticate when no credential is sent', async () => {
    const res = await t.api('/auth/me')
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe('Bearer')
    expect(await res.json()).toEqual(notAuthenticated)
  })

  it.each([
    ['a malformed token', 'Bearer not.a.jwt'],
    ['a token with a bad signature', 'Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4In0.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  ])('answers 401 Invalid authentication token. for %s', async (_, authorization) => {
    const res = await t.api('/auth/me', { headers: { Authorization: authorization } })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual(invalidToken)
  })

  it('expires after 15 minutes of the clock: 401 Authentication token has expired.', async () => {
    const headers = await t.bearer('viewer@acme.example')
    t.clock.advance(899_000)
    expect((await t.api('/auth/me', { headers })).status).toBe(200)
    t.clock.advance(1_000)
    const res = await t.api('/auth/me', { headers })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual(expired)
  })

  it('refuses a refresh token presented as a bearer token', async () => {
    const { refresh } = await t.login('viewer@acme.example')
    const res = await t.api('/auth/me', { headers: { Authorization: `Bearer ${refresh}` } })
    expect(await res.json()).toEqual(invalidToken)
  })

  it('ignores an API key on a JWT-only endpoint', async () => {
    const res = await t.api('/auth/me', { headers: { 'X-API-Key': 'hk_demoacme000000000000000000000000' } })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual(notAuthenticated)
  })
})

describe('refresh', () => {
  const refresh = (cookie?: string) => t.api('/auth/refresh', { method: 'POST', headers: cookie ? { Cookie: `refresh_token=${cookie}` } : {} })

  it('rotates: a new access token and cookie; the old refresh token is spent', async () => {
    const first = await t.login('operator@acme.example')
    const res = await refresh(first.refresh)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ access_token: expect.any(String), token_type: 'bearer', mfa_required: false })
    const second = cookieValue(res, 'refresh_token')!
    expect(second).not.toBe(first.refresh)
    expect((await refresh(second)).status).toBe(200)
  })

  it('revokes the whole family when a rotated token is reused', async () => {
    const first = await t.login('operator@acme.example')
    const second = cookieValue(await refresh(first.refresh), 'refresh_token')!
    const reuse = await refresh(first.refresh)
    expect(reuse.status).toBe(401)
    expect(await reuse.json()).toEqual(invalidToken)
    const afterTheft = await refresh(second)
    expect(afterTheft.status).toBe(401)
    expect(await afterTheft.json()).toEqual(invalidToken)
  })

  it('answers 401 Not authenticated without the cookie', async () => {
    const res = await refresh()
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual(notAuthenticated)
  })

  it('answers 401 Authentication token has expired. after 7 days', async () => {
    const { refresh: cookie } = await t.login('operator@acme.example')
    t.clock.advance(7 * 86_400_000)
    const res = await refresh(cookie)
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual(expired)
  })
})

describe('logout', () => {
  it('answers 204, clears the cookie, and blocklists both the access and the refresh token', async () => {
    const { token, refresh } = await t.login('viewer@acme.example')
    const headers = { Authorization: `Bearer ${token}`, Cookie: `refresh_token=${refresh}` }
    const res = await t.api('/auth/logout', { method: 'POST', headers })
    expect(res.status).toBe(204)
    expect(await res.text()).toBe('')
    expect(res.headers.getSetCookie()).toEqual(['refresh_token=; Max-Age=0; Path=/api/v1/auth; HttpOnly; SameSite=Lax'])
    const me = await t.api('/auth/me', { headers: { Authorization: `Bearer ${token}` } })
    expect(me.status).toBe(401)
    expect(await me.json()).toEqual(invalidToken)
    const again = await t.api('/auth/refresh', { method: 'POST', headers: { Cookie: `refresh_token=${refresh}` } })
    expect(again.status).toBe(401)
    expect(await again.json()).toEqual(invalidToken)
  })
})

describe('MFA', () => {
  it('sets up TOTP, then logs in in two steps with a real code', async () => {
    const reg = await t.api('/auth/register', { method: 'POST', json: { email: 'mfa@secure.example', password: 'Str0ng!pass', full_name: 'M', tenant_name: 'Secure' } })
    const headers = { Authorization: `Bearer ${(await reg.json()).access_token}` }
    const setup = await t.api('/auth/mfa/setup', { method: 'POST', headers })
    expect(setup.status).toBe(200)
    const { secret, qr_code_uri } = await setup.json()
    expect(secret).toMatch(/^[A-Z2-7]{32}$/)
    expect(qr_code_uri).toBe(`otpauth://totp/Haltless:mfa@secure.example?secret=${secret}&issuer=Haltless`)
    const totp = new TOTP({ secret: Secret.fromBase32(secret) })

    const wrong = await t.api('/auth/mfa/verify-setup', { method: 'POST', headers, json: { code: '123456' === totp.generate({ timestamp: t.clock.now() }) ? '654321' : '123456' } })
    expect(wrong.status).toBe(400)
    expect(await wrong.json()).toEqual({ detail: 'Invalid MFA code.' })
    const ok = await t.api('/auth/mfa/verify-setup', { method: 'POST', headers, json: { code: totp.generate({ timestamp: t.clock.now() }) } })
    expect(ok.status).toBe(200)
    expect(await ok.json()).toEqual({ mfa_enabled: true })

    const login = await t.api('/auth/login', { method: 'POST', json: { email: 'mfa@secure.example', password: 'Str0ng!pass' } })
    const pending = await login.json()
    expect(pending).toEqual({ access_token: expect.any(String), token_type: 'bearer', mfa_required: true })
    expect(login.headers.getSetCookie()).toEqual([])
    expect(claimsOf(pending.access_token).typ).toBe('mfa_pending')
    const pendingHeaders = { Authorization: `Bearer ${pending.access_token}` }
    expect(await (await t.api('/auth/me', { headers: pendingHeaders })).json()).toEqual(invalidToken)

    const bad = await t.api('/auth/mfa/verify', { method: 'POST', headers: pendingHeaders, json: { code: '111111' === totp.generate({ timestamp: t.clock.now() }) ? '222222' : '111111' } })
    expect(bad.status).toBe(401)
    expect(await bad.json()).toEqual({ detail: 'Invalid MFA code.' })
    const good = await t.api('/auth/mfa/verify', { method: 'POST', headers: pendingHeaders, json: { code: totp.generate({ timestamp: t.clock.now() }) } })
    expect(good.status).toBe(200)
    expect(await good.json()).toEqual({ access_token: expect.any(String), token_type: 'bearer', mfa_required: false })
    expect(cookieValue(good, 'refresh_token')).toBeTruthy()
  })

  it('accepts the configured fixed test code and rejects a non-6-digit code with 422', async () => {
    const headers = await t.bearer('operator@acme.example')
    await t.api('/auth/mfa/setup', { method: 'POST', headers })
    const bad = await t.api('/auth/mfa/verify-setup', { method: 'POST', headers, json: { code: '12ab' } })
    expect(bad.status).toBe(422)
    expect(await bad.json()).toEqual({ detail: [{ loc: ['body', 'code'], msg: "String should match pattern '^\\d{6}$'", type: 'string_pattern_mismatch' }] })
    const ok = await t.api('/auth/mfa/verify-setup', { method: 'POST', headers, json: { code: '000000' } })
    expect(await ok.json()).toEqual({ mfa_enabled: true })
  })

  it('a pending token expires after 5 minutes', async () => {
    const headers = await t.bearer('admin@globex.example')
    await t.api('/auth/mfa/setup', { method: 'POST', headers })
    await t.api('/auth/mfa/verify-setup', { method: 'POST', headers, json: { code: '000000' } })
    const pending = (await (await t.api('/auth/login', { method: 'POST', json: { email: 'admin@globex.example', password: demoPassword } })).json()).access_token
    t.clock.advance(300_000)
    const res = await t.api('/auth/mfa/verify', { method: 'POST', headers: { Authorization: `Bearer ${pending}` }, json: { code: '000000' } })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual(expired)
  })
})
