import { createECDH } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { useServer } from '../helpers.js'
import { demoId } from '../../src/store/demo.js'
import { vapidPublicKey } from '../../src/api/resources/push.js'

const t = useServer()
const uuid = expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
const acmeChannel = demoId('notification-channel:acme:1')

describe('/notification-channels', () => {
  it('lists the tenant\'s channels', async () => {
    const res = await t.api('/notification-channels', { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual([{
      id: acmeChannel, name: 'Maintenance team email', type: 'email', config: { email: 'maintenance@acme.example' }, is_active: true, created_at: '2026-03-21T10:30:00Z',
    }])
  })

  it.each([
    ['email', { email: 'ops@acme.example' }, { email: 'ops@acme.example' }],
    ['slack', { webhook_url: 'https://hooks.slack.com/services/T0/B0/x', channel: '#ops' }, { webhook_url: 'https://hooks.slack.com/services/T0/B0/x' }],
    ['teams', { webhook_url: 'https://acme.webhook.office.com/webhookb2/abc' }, { webhook_url: 'https://acme.webhook.office.com/webhookb2/abc' }],
    ['webhook', { url: 'https://ops.acme.example/hooks/haltless', headers: { 'X-Custom-Token': 'abc123' } }, { url: 'https://ops.acme.example/hooks/haltless', headers: { 'X-Custom-Token': 'abc123' } }],
    ['webhook', { url: 'http://localhost:9000/in' }, { url: 'http://localhost:9000/in', headers: {} }],
  ])('creates a %s channel with its config (unknown keys dropped)', async (type, config, stored) => {
    const res = await t.api('/notification-channels', { method: 'POST', headers: await t.bearer('operator@acme.example'), json: { name: `${type} channel`, type, config } })
    expect(res.status).toBe(201)
    expect(await res.json()).toEqual({ id: uuid, name: `${type} channel`, type, config: stored, is_active: true, created_at: '2026-04-04T10:30:00Z' })
  })

  it.each([
    [{ name: 'e', type: 'email', config: { email: 'not-an-email' } }, [{ loc: ['body', 'config', 'email'], msg: 'value is not a valid email address', type: 'value_error' }]],
    [{ name: 'e', type: 'email', config: {} }, [{ loc: ['body', 'config', 'email'], msg: 'Field required', type: 'missing' }]],
    [{ name: 's', type: 'slack', config: { webhook_url: 'hooks.slack.com/x' } }, [{ loc: ['body', 'config', 'webhook_url'], msg: 'Input should be a valid URL, relative URL without a base', type: 'url_parsing' }]],
    [{ name: 's', type: 'teams', config: { webhook_url: 'ftp://files.acme.example/x' } }, [{ loc: ['body', 'config', 'webhook_url'], msg: "URL scheme should be 'http' or 'https'", type: 'url_scheme' }]],
    [{ name: 'w', type: 'webhook', config: { url: 'https://x.example', headers: { 'X-N': 5 } } }, [{ loc: ['body', 'config', 'headers', 'X-N'], msg: 'Input should be a valid string', type: 'string_type' }]],
    [{ name: 'p', type: 'pager', config: {} }, [{ loc: ['body', 'type'], msg: "Input should be 'email', 'slack', 'webhook' or 'teams'", type: 'enum' }]],
    [{ type: 'email', config: 'x', is_active: 'yes' }, [
      { loc: ['body', 'name'], msg: 'Field required', type: 'missing' },
      { loc: ['body', 'config'], msg: 'Input should be a valid dictionary or object to extract fields from', type: 'model_attributes_type' },
      { loc: ['body', 'is_active'], msg: 'Input should be a valid boolean', type: 'bool_type' },
    ]],
  ])('answers 422 for %j', async (json, detail) => {
    const res = await t.api('/notification-channels', { method: 'POST', headers: await t.bearer('operator@acme.example'), json })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail })
  })

  it('replaces a channel with PUT, tests it without calling out, and deletes it with its policies', async () => {
    const headers = await t.bearer('admin@acme.example')
    const ch = await (await t.api('/notification-channels', { method: 'POST', headers, json: { name: 'Ops', type: 'email', config: { email: 'ops@acme.example' } } })).json()
    const put = await t.api(`/notification-channels/${ch.id}`, { method: 'PUT', headers, json: { name: 'Ops hook', type: 'webhook', config: { url: 'https://ops.acme.example/in' }, is_active: false } })
    expect(put.status).toBe(200)
    expect(await put.json()).toEqual({ ...ch, name: 'Ops hook', type: 'webhook', config: { url: 'https://ops.acme.example/in', headers: {} }, is_active: false })

    const test = await t.api(`/notification-channels/${ch.id}/test`, { method: 'POST', headers })
    expect(test.status).toBe(200)
    expect(await test.json()).toEqual({ success: true })

    const policy = await (await t.api('/escalation-policies', { method: 'POST', headers, json: { name: 'P', severity: 'warning', wait_minutes: 5, channel_id: ch.id } })).json()
    const deleted = await t.api(`/notification-channels/${ch.id}`, { method: 'DELETE', headers })
    expect(deleted.status).toBe(204)
    expect(await deleted.text()).toBe('')
    const policies = await (await t.api('/escalation-policies', { headers })).json()
    expect(policies.map((p: { id: string }) => p.id)).not.toContain(policy.id)
    const gone = await t.api(`/notification-channels/${ch.id}/test`, { method: 'POST', headers })
    expect(gone.status).toBe(404)
    expect(await gone.json()).toEqual({ detail: 'Notification channel not found.' })
  })

  it('hides another tenant\'s channel behind 404 and refuses a viewer', async () => {
    const globex = await t.bearer('admin@globex.example')
    for (const [method, path, json] of [
      ['PUT', '', { name: 'x', type: 'email', config: { email: 'a@b.example' } }], ['DELETE', '', undefined], ['POST', '/test', undefined],
    ] as const) {
      const res = await t.api(`/notification-channels/${acmeChannel}${path}`, { method, headers: globex, json })
      expect(res.status).toBe(404)
      expect(await res.json()).toEqual({ detail: 'Notification channel not found.' })
    }
    const viewer = await t.api('/notification-channels', { method: 'POST', headers: await t.bearer('viewer@acme.example'), json: { name: 'x', type: 'email', config: { email: 'a@b.example' } } })
    expect(viewer.status).toBe(403)
    expect(await viewer.json()).toEqual({ detail: 'Insufficient permissions.' })
  })
})

describe('/escalation-policies', () => {
  it('lists the demo policy', async () => {
    const res = await t.api('/escalation-policies', { headers: await t.bearer('admin@globex.example') })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual([{
      id: demoId('escalation-policy:globex:1'), name: 'Warnings to plant manager', severity: 'warning', wait_minutes: 60,
      channel_id: demoId('notification-channel:globex:1'), is_active: true, created_at: '2026-03-21T10:30:00Z',
    }])
  })

  it('creates and replaces a policy; its channel must be the tenant\'s', async () => {
    const headers = await t.bearer('admin@acme.example')
    const created = await t.api('/escalation-policies', { method: 'POST', headers, json: { name: 'Warnings', severity: 'warning', wait_minutes: 30, channel_id: acmeChannel } })
    expect(created.status).toBe(201)
    const policy = await created.json()
    expect(policy).toEqual({ id: uuid, name: 'Warnings', severity: 'warning', wait_minutes: 30, channel_id: acmeChannel, is_active: true, created_at: '2026-04-04T10:30:00Z' })
    const put = await t.api(`/escalation-policies/${policy.id}`, { method: 'PUT', headers, json: { name: 'Info', severity: 'info', wait_minutes: 1440, channel_id: acmeChannel, is_active: false } })
    expect(put.status).toBe(200)
    expect(await put.json()).toEqual({ ...policy, name: 'Info', severity: 'info', wait_minutes: 1440, is_active: false })

    const foreignChannel = demoId('notification-channel:globex:1')
    for (const [method, path] of [['POST', '/escalation-policies'], ['PUT', `/escalation-policies/${policy.id}`]] as const) {
      const res = await t.api(path, { method, headers, json: { name: 'X', severity: 'critical', wait_minutes: 5, channel_id: foreignChannel } })
      expect(res.status).toBe(404)
      expect(await res.json()).toEqual({ detail: 'Notification channel not found.' })
    }
    expect(await t.api(`/escalation-policies/${policy.id}`, { method: 'DELETE', headers })).toHaveProperty('status', 204)
    const gone = await t.api(`/escalation-policies/${policy.id}`, { method: 'DELETE', headers })
    expect(gone.status).toBe(404)
    expect(await gone.json()).toEqual({ detail: 'Escalation policy not found.' })
  })

  it.each([
    [{ name: 'P', severity: 'urgent', wait_minutes: 0, channel_id: acmeChannel }, [
      { loc: ['body', 'severity'], msg: "Input should be 'info', 'warning' or 'critical'", type: 'enum' },
      { loc: ['body', 'wait_minutes'], msg: 'Input should be greater than or equal to 1', type: 'greater_than_equal' },
    ]],
    [{ name: 'P', severity: 'info', wait_minutes: 1441, channel_id: acmeChannel }, [{ loc: ['body', 'wait_minutes'], msg: 'Input should be less than or equal to 1440', type: 'less_than_equal' }]],
    [{ name: 'P', severity: 'info', wait_minutes: 2.5 }, [
      { loc: ['body', 'wait_minutes'], msg: 'Input should be a valid integer, got a number with a fractional part', type: 'int_from_float' },
      { loc: ['body', 'channel_id'], msg: 'Field required', type: 'missing' },
    ]],
  ])('answers 422 for %j', async (json, detail) => {
    const res = await t.api('/escalation-policies', { method: 'POST', headers: await t.bearer('admin@acme.example'), json })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail })
  })

  it('is admin-only for writes: operator and viewer get 403', async () => {
    for (const role of ['operator', 'viewer']) {
      const headers = await t.bearer(`${role}@acme.example`)
      for (const [method, path, json] of [
        ['POST', '/escalation-policies', { name: 'P', severity: 'info', wait_minutes: 5, channel_id: acmeChannel }],
        ['PUT', `/escalation-policies/${demoId('escalation-policy:acme:1')}`, { name: 'P', severity: 'info', wait_minutes: 5, channel_id: acmeChannel }],
        ['DELETE', `/escalation-policies/${demoId('escalation-policy:acme:1')}`, undefined],
      ] as const) {
        const res = await t.api(path, { method, headers, json })
        expect(res.status).toBe(403)
        expect(await res.json()).toEqual({ detail: 'Insufficient permissions.' })
      }
    }
  })

  it('allows 50 policies per tenant and answers the 51st with 400', async () => {
    const headers = await t.bearer('admin@acme.example')
    const count = (await (await t.api('/escalation-policies', { headers })).json()).length
    for (let i = count; i < 50; i++) {
      const res = await t.api('/escalation-policies', { method: 'POST', headers, json: { name: `P${i}`, severity: 'info', wait_minutes: 5, channel_id: acmeChannel } })
      expect(res.status).toBe(201)
    }
    const over = await t.api('/escalation-policies', { method: 'POST', headers, json: { name: 'P51', severity: 'info', wait_minutes: 5, channel_id: acmeChannel } })
    expect(over.status).toBe(400)
    expect(await over.json()).toEqual({ detail: 'Maximum of 50 escalation policies per tenant reached.' })
    expect(await (await t.api('/escalation-policies', { headers })).json()).toHaveLength(50)
    // another tenant has its own allowance
    const globex = await t.api('/escalation-policies', {
      method: 'POST', headers: await t.bearer('admin@globex.example'),
      json: { name: 'G', severity: 'info', wait_minutes: 5, channel_id: demoId('notification-channel:globex:1') },
    })
    expect(globex.status).toBe(201)
  })
})

describe('/push', () => {
  it('serves a fixed VAPID public key: a base64url uncompressed P-256 point', async () => {
    const res = await t.api('/push/vapid-public-key', { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body).toEqual({ public_key: vapidPublicKey })
    expect(body.public_key).toMatch(/^[A-Za-z0-9_-]{87}$/)
    const point = Buffer.from(body.public_key, 'base64url')
    expect(point).toHaveLength(65)
    expect(point[0]).toBe(4)
    // a point off the curve would throw here
    const peer = createECDH('prime256v1')
    peer.generateKeys()
    expect(peer.computeSecret(point)).toHaveLength(32)
  })

  it('subscribes (again: same id, new keys) and unsubscribes by endpoint; an unknown endpoint is 204 too', async () => {
    const headers = await t.bearer('viewer@acme.example')
    const endpoint = 'https://fcm.googleapis.com/fcm/send/abc123'
    const res = await t.api('/push/subscribe', { method: 'POST', headers, json: { endpoint, keys: { p256dh: 'BNc...key', auth: 'tBHI...' } } })
    expect(res.status).toBe(201)
    const sub = await res.json()
    expect(sub).toEqual({ id: uuid, endpoint, keys: { p256dh: 'BNc...key', auth: 'tBHI...' }, created_at: '2026-04-04T10:30:00Z' })
    const again = await t.api('/push/subscribe', { method: 'POST', headers, json: { endpoint, keys: { p256dh: 'new', auth: 'new-auth' } } })
    expect(again.status).toBe(201)
    expect(await again.json()).toEqual({ ...sub, keys: { p256dh: 'new', auth: 'new-auth' } })

    for (let i = 0; i < 2; i++) {
      const del = await t.api('/push/subscribe', { method: 'DELETE', headers, json: { endpoint } })
      expect(del.status).toBe(204)
      expect(await del.text()).toBe('')
    }
    const fresh = await (await t.api('/push/subscribe', { method: 'POST', headers, json: { endpoint, keys: { p256dh: 'k', auth: 'a' } } })).json()
    expect(fresh.id).not.toBe(sub.id)
  })

  it('answers 422 for a bad subscription body', async () => {
    const res = await t.api('/push/subscribe', { method: 'POST', headers: await t.bearer('viewer@acme.example'), json: { endpoint: 'not a url', keys: { p256dh: '' } } })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({
      detail: [
        { loc: ['body', 'endpoint'], msg: 'Input should be a valid URL, relative URL without a base', type: 'url_parsing' },
        { loc: ['body', 'keys', 'p256dh'], msg: 'String should have at least 1 character', type: 'string_too_short' },
        { loc: ['body', 'keys', 'auth'], msg: 'Field required', type: 'missing' },
      ],
    })
    const del = await t.api('/push/subscribe', { method: 'DELETE', headers: await t.bearer('viewer@acme.example') })
    expect(del.status).toBe(422)
    expect(await del.json()).toEqual({ detail: [{ loc: ['body'], msg: 'Field required', type: 'missing' }] })
  })

  it('needs a JWT', async () => {
    const res = await t.api('/push/vapid-public-key')
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ detail: 'Not authenticated' })
  })
})
