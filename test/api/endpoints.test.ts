import { beforeEach, describe, expect, it } from 'vitest'
import { demoApiKey, useServer } from '../helpers.js'
import { endpointRows, idByPrefix, ids, type EndpointRow, type Who } from './endpoints.js'
import { errors } from '../../src/api/errors.js'
import { resources } from '../../src/api/index.js'

const t = useServer()
const emails: Record<Exclude<Who, 'public' | 'key'>, string> = { admin: 'admin@acme.example', operator: 'operator@acme.example', viewer: 'viewer@acme.example' }
const unknownId = '0b0b0b0b-0b0b-4b0b-8b0b-0b0b0b0b0b0b'
const notFoundTexts = Object.values(errors).filter((e) => e.status === 404).map((e) => e.detail)

/** The row's path with its parameters filled (`override` replaces one parameter's value). */
function pathOf(row: EndpointRow, override?: { name: string; value: string }): string {
  const prefix = Object.keys(idByPrefix).find((p) => row.path.startsWith(`${p}/`))
  return row.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (override?.name === name) return override.value
    const value = name === 'id' && prefix ? idByPrefix[prefix] : ids[name]
    if (!value) throw new Error(`no demo id for {${name}} in ${row.path}`)
    return value
  })
}

/** Headers and body for calling `row` as `who`, including the few calls that need a prior step. */
async function callAs(row: EndpointRow, who: Who, path = pathOf(row), body = row.body): Promise<Response> {
  const headers: Record<string, string> = {}
  let json = body
  if (who === 'key') headers['X-API-Key'] = demoApiKey
  else if (who !== 'public') Object.assign(headers, await t.bearer(emails[who]))
  if (row.path === '/auth/refresh') headers.Cookie = `refresh_token=${(await t.login('viewer@acme.example')).refresh}`
  if (row.path === '/auth/mfa/verify-setup') {
    await t.api('/auth/mfa/setup', { method: 'POST', headers })
    json ??= { code: '000000' }
  }
  if (row.path === '/auth/mfa/verify') {
    await t.api('/auth/mfa/setup', { method: 'POST', headers })
    await t.api('/auth/mfa/verify-setup', { method: 'POST', headers, json: { code: '000000' } })
    const pending = (await (await t.api('/auth/login', { method: 'POST', json: { email: emails.viewer, password: 'Haltless-Demo-1' } })).json()) as { access_token: string }
    headers.Authorization = `Bearer ${pending.access_token}`
    json ??= { code: '000000' }
  }
  return t.api(`${path}${row.query ? `?${row.query}` : ''}`, { method: row.method, headers, json })
}

beforeEach(() => t.server.reset())

describe('every endpoint of the reference', () => {
  it.each(endpointRows.map((r) => [`${r.method} ${r.path}`, r] as const))('%s answers its documented success status', async (_, row) => {
    const res = await callAs(row, row.as)
    const text = await res.text()
    expect({ status: res.status, text: res.status === row.status ? '' : text }).toEqual({ status: row.status, text: '' })
    if (row.status === 204) expect(text).toBe('')
  })

  const refused = endpointRows.filter((r) => r.refused)
  it.each(refused.map((r) => [`${r.method} ${r.path}`, r] as const))('%s refuses a role the reference does not allow', async (_, row) => {
    const res = await callAs(row, row.refused!)
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({ detail: 'Insufficient permissions.' })
  })

  const withIds = endpointRows.filter((r) => /\{\w+\}/.test(r.path))
  it.each(withIds.map((r) => [`${r.method} ${r.path}`, r] as const))('%s answers 404 for an unknown id and 422 for a malformed one', async (_, row) => {
    const names = [...row.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!)
    const last = names.at(-1)!
    const missing = await callAs(row, row.as, pathOf(row, { name: last, value: unknownId }))
    expect(missing.status).toBe(404)
    expect(notFoundTexts).toContain(((await missing.json()) as { detail: string }).detail)
    const malformed = await callAs(row, row.as, pathOf(row, { name: names[0]!, value: 'not-a-uuid' }))
    expect(malformed.status).toBe(422)
    expect(await malformed.json()).toEqual({
      detail: [{ loc: ['path', names[0] === 'id' ? expect.stringMatching(/id$/) : names[0]], msg: 'Input should be a valid UUID, invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `n` at 1', type: 'uuid_parsing' }],
    })
  })

  it.each(withIds.map((r) => [`${r.method} ${r.path}`, r] as const))("%s answers 404 to another tenant's admin", async (_, row) => {
    const res = await t.api(`${pathOf(row)}${row.query ? `?${row.query}` : ''}`, { method: row.method, headers: await t.bearer('admin@globex.example'), json: row.body })
    expect(res.status).toBe(404)
    expect(notFoundTexts).toContain(((await res.json()) as { detail: string }).detail)
  })

  const withBodies = endpointRows.filter((r) => r.body !== undefined && !r.path.startsWith('/auth/'))
  it.each(withBodies.map((r) => [`${r.method} ${r.path}`, r] as const))('%s answers 422 for a body that is not an object', async (_, row) => {
    const res = await callAs(row, row.as, pathOf(row), [])
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail: [{ loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from', type: 'model_attributes_type' }] })
  })

  it.each(withBodies.map((r) => [`${r.method} ${r.path}`, r] as const))('%s answers 422 json_invalid for malformed JSON', async (_, row) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(row.as === 'key' ? { 'X-API-Key': demoApiKey } : await t.bearer(emails[row.as as 'viewer'])) }
    const res = await t.api(pathOf(row), { method: row.method, headers, body: '{"a": ' })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail: [{ loc: ['body', 6], msg: 'JSON decode error', type: 'json_invalid' }] })
  })

  const paginated = resources.flatMap((r) => r.endpoints).filter((e) => e.query && 'page_size' in (e.query as unknown as { shape: object }).shape)
  it.each(paginated.map((e) => [`${e.method.toUpperCase()} ${e.path}`, e] as const))('%s refuses page_size 101 and page 0 with 422', async (_, e) => {
    const row = endpointRows.find((r) => r.method === e.method.toUpperCase() && r.path.replace(/\{\w+\}/g, '{}') === e.path.replace(/\{\w+\}/g, '{}'))!
    const extra = row.query ? `&${row.query}` : ''
    const headers = row.as === 'key' ? { 'X-API-Key': demoApiKey } : await t.bearer(emails[row.as as 'viewer'])
    const res = await t.api(`${pathOf(row)}?page_size=101&page=0${extra}`, { headers })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({
      detail: [
        { loc: ['query', 'page'], msg: 'Input should be greater than or equal to 1', type: 'greater_than_equal' },
        { loc: ['query', 'page_size'], msg: 'Input should be less than or equal to 100', type: 'less_than_equal' },
      ],
    })
  })
})
