import { describe, expect, it } from 'vitest'
import { useServer } from '../helpers.js'
import { demoId } from '../../src/store/demo.js'

const t = useServer()
const newPassword = 'Fresh-Pass-2'
const initial = 'Start-Pass-1'

/** A new viewer of Acme, so password and email changes leave the demo users alone. */
async function newUser(email: string) {
  const res = await t.api('/users', { method: 'POST', headers: await t.bearer('admin@acme.example'), json: { email, full_name: 'Pat Person', password: initial } })
  expect(res.status).toBe(201)
  const user = await res.json()
  return { user, headers: { Authorization: `Bearer ${(await t.login(email, initial)).token}` } }
}

describe('PATCH /settings/profile', () => {
  it('changes the full name without a password and answers the /auth/me object', async () => {
    const { user, headers } = await newUser('name@acme.example')
    const res = await t.api('/settings/profile', { method: 'PATCH', headers, json: { full_name: 'Pat Renamed' } })
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body).toEqual({
      id: user.id, email: 'name@acme.example', full_name: 'Pat Renamed', tenant_id: demoId('tenant:acme'), role: 'viewer', is_active: true,
      mfa_enabled: false, onboarding_completed: false, subscription_status: 'active', subscription_tier: 'pro',
    })
    expect(await (await t.api('/auth/me', { headers })).json()).toEqual(body)
  })

  it('changes the email with the current password: the new address logs in, the old one no longer does', async () => {
    const { headers } = await newUser('old@acme.example')
    const res = await t.api('/settings/profile', { method: 'PATCH', headers, json: { email: 'new@acme.example', current_password: initial } })
    expect(res.status).toBe(200)
    expect((await res.json()).email).toBe('new@acme.example')
    expect((await t.api('/auth/login', { method: 'POST', json: { email: 'new@acme.example', password: initial } })).status).toBe(200)
    const old = await t.api('/auth/login', { method: 'POST', json: { email: 'old@acme.example', password: initial } })
    expect(old.status).toBe(401)
    expect(await old.json()).toEqual({ detail: 'Invalid email or password.' })
    // the old address is free again
    expect((await t.api('/users', { method: 'POST', headers: await t.bearer('admin@acme.example'), json: { email: 'old@acme.example', full_name: 'X', password: initial } })).status).toBe(201)
  })

  it.each([
    ['without current_password', 'nopw@acme.example', { email: 'x1@acme.example' }],
    ['with a wrong current_password', 'badpw@acme.example', { email: 'x2@acme.example', current_password: 'Wrong-Pass-9' }],
  ])('refuses an email change %s with 400', async (_, address, json) => {
    const { headers } = await newUser(address)
    const res = await t.api('/settings/profile', { method: 'PATCH', headers, json })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ detail: 'Current password is incorrect.' })
  })

  it('needs no password when the email given is the current one', async () => {
    const headers = await t.bearer('viewer@acme.example')
    const res = await t.api('/settings/profile', { method: 'PATCH', headers, json: { email: 'viewer@acme.example' } })
    expect(res.status).toBe(200)
    expect((await res.json()).email).toBe('viewer@acme.example')
  })

  it('answers 409 when the new email belongs to another user (of any tenant)', async () => {
    const { headers } = await newUser('taker@acme.example')
    const res = await t.api('/settings/profile', { method: 'PATCH', headers, json: { email: 'ADMIN@globex.example', current_password: initial } })
    expect(res.status).toBe(409)
    expect(await res.json()).toEqual({ detail: 'A user with this email already exists.' })
  })

  it('answers 422 for an invalid email or an empty name', async () => {
    const headers = await t.bearer('viewer@acme.example')
    const res = await t.api('/settings/profile', { method: 'PATCH', headers, json: { email: 'nope', full_name: '' } })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail: [
      { loc: ['body', 'full_name'], msg: 'String should have at least 1 character', type: 'string_too_short' },
      { loc: ['body', 'email'], msg: 'value is not a valid email address', type: 'value_error' },
    ] })
  })

  it('takes only a JWT', async () => {
    const res = await t.api('/settings/profile', { method: 'PATCH', headers: { 'X-API-Key': 'hk_demoacme000000000000000000000000' }, json: {} })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ detail: 'Not authenticated' })
  })
})

describe('POST /settings/change-password', () => {
  it('changes the password: the old one stops working, the new one logs in', async () => {
    const { headers } = await newUser('pw@acme.example')
    const res = await t.api('/settings/change-password', { method: 'POST', headers, json: { current_password: initial, new_password: newPassword } })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ detail: 'Password updated.' })
    const old = await t.api('/auth/login', { method: 'POST', json: { email: 'pw@acme.example', password: initial } })
    expect(old.status).toBe(401)
    expect(await old.json()).toEqual({ detail: 'Invalid email or password.' })
    expect((await t.api('/auth/login', { method: 'POST', json: { email: 'pw@acme.example', password: newPassword } })).status).toBe(200)
  })

  it('answers 400 for a wrong current password and keeps the old one', async () => {
    const { headers } = await newUser('pw2@acme.example')
    const res = await t.api('/settings/change-password', { method: 'POST', headers, json: { current_password: 'Wrong-Pass-9', new_password: newPassword } })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ detail: 'Current password is incorrect.' })
    expect((await t.api('/auth/login', { method: 'POST', json: { email: 'pw2@acme.example', password: initial } })).status).toBe(200)
  })

  it('checks the new password complexity (422) before the current password', async () => {
    const headers = await t.bearer('viewer@acme.example')
    const res = await t.api('/settings/change-password', { method: 'POST', headers, json: { current_password: 'wrong', new_password: 'alllowercase1' } })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail: [{ loc: ['body', 'new_password'], msg: 'Password does not meet complexity requirements', type: 'value_error' }] })
    const missing = await t.api('/settings/change-password', { method: 'POST', headers, json: {} })
    expect(await missing.json()).toEqual({ detail: [
      { loc: ['body', 'current_password'], msg: 'Field required', type: 'missing' },
      { loc: ['body', 'new_password'], msg: 'Field required', type: 'missing' },
    ] })
  })
})
