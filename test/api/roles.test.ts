import { describe, expect, it } from 'vitest'
import { useServer } from '../helpers.js'
import { allows, roles, type Permission } from '../../src/api/permissions.js'
import { demoId } from '../../src/store/demo.js'

const t = useServer()
const acmeMachine = demoId('machine:acme:ROBOT-07')

/** Every write endpoint (and admin-only read) of the core, with the permission its router names. */
const endpoints: [method: string, path: string, permission: Permission, body?: object][] = [
  ['POST', '/machines', 'operate', { name: 'R', machine_identifier: 'ROLE-X', protocol: 'json' }],
  ['PATCH', `/machines/${acmeMachine}`, 'operate', { location: 'Cell 8' }],
  ['DELETE', `/machines/${demoId('machine:acme:NONE')}`, 'operate'],
  ['POST', '/settings/api-keys', 'administer', { name: 'k' }],
  ['DELETE', `/settings/api-keys/${demoId('api-key:none')}`, 'administer'],
  ['GET', '/settings/api-keys', 'read'],
  ['GET', '/users', 'administer'],
  ['POST', '/users', 'administer', { email: 'x@acme.example', full_name: 'X', password: 'Aa1!aaaa' }],
  ['GET', '/machines', 'read'],
  ['GET', `/machines/${acmeMachine}`, 'read'],
]

const cases = endpoints.flatMap(([method, path, permission, body]) => roles.map((role) => ({ method, path, permission, body, role, allowed: allows(permission, role) })))

describe('roles x endpoints', () => {
  it.each(cases)('$role $method $path → allowed: $allowed', async ({ method, path, body, role, allowed }) => {
    const res = await t.api(path, { method, headers: await t.bearer(`${role}@acme.example`), json: body })
    if (allowed) {
      expect(res.status).not.toBe(403)
      expect(res.status).toBeLessThan(500)
    } else {
      expect(res.status).toBe(403)
      expect(await res.json()).toEqual({ detail: 'Insufficient permissions.' })
    }
  })
})
