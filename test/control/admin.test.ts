import { describe, expect, it } from 'vitest'
import { useServer } from '../helpers.js'
import { adminAllowed, isLoopback } from '../../src/control/admin.js'

describe('who may use the control plane', () => {
  it.each([
    ['127.0.0.1', true], ['127.8.9.10', true], ['::1', true], ['::ffff:127.0.0.1', true],
    ['10.0.0.5', false], ['::ffff:192.168.1.4', false], ['172.17.0.1', false], ['fe80::1', false], [undefined, false],
  ])('%s is loopback: %s', (address, expected) => {
    expect(isLoopback(address)).toBe(expected)
  })

  it('without a token: loopback clients only; with one: exactly that token, from anywhere', () => {
    expect(adminAllowed('127.0.0.1', undefined, undefined)).toBe(true)
    expect(adminAllowed('10.0.0.5', 'anything', undefined)).toBe(false)
    expect(adminAllowed('10.0.0.5', 'correct-horse', 'correct-horse')).toBe(true)
    expect(adminAllowed('127.0.0.1', undefined, 'correct-horse')).toBe(false)
    expect(adminAllowed('127.0.0.1', 'correct-hors', 'correct-horse')).toBe(false)
    expect(adminAllowed('127.0.0.1', 'correct-horsf', 'correct-horse')).toBe(false)
  })
})

describe('--admin-token', () => {
  const t = useServer({ adminToken: 'correct-horse' })
  const mock = (path: string, headers: Record<string, string> = {}) => fetch(`${t.url}/__mock${path}`, { headers })

  it('answers 401 Admin token required. without the token or with a wrong one', async () => {
    for (const headers of [{}, { 'X-Mock-Admin-Token': 'wrong-horse' }] as Record<string, string>[]) {
      const res = await mock('/journal', headers)
      expect([res.status, res.headers.get('content-type'), await res.json()]).toEqual([401, 'application/json', { detail: 'Admin token required.' }])
    }
  })

  it('lets the token through, keeps /__mock/health open, and leaves the API alone', async () => {
    expect((await mock('/journal', { 'X-Mock-Admin-Token': 'correct-horse' })).status).toBe(200)
    expect((await mock('/health')).status).toBe(200)
    expect((await t.api('/machines')).status).toBe(401)
    expect(await (await t.api('/machines')).json()).toEqual({ detail: 'Not authenticated' })
  })
})
