// A seeded sweep of odd inputs over every endpoint of the inventory: nulls, huge and negative numbers,
// empty and very long strings, NUL, emoji, wrong types, impossible dates, dropped fields, and odd
// query strings. The API may refuse them (422/400/404...) but never with a 5xx.
import { it, expect } from 'vitest'
import { demoApiKey, useServer } from '../helpers.js'
import { endpointRows, ids, idByPrefix } from './endpoints.js'

const t = useServer()
const emails = { admin: 'admin@acme.example', operator: 'operator@acme.example', viewer: 'viewer@acme.example' } as Record<string, string>
const weird: unknown[] = [null, 0, -1, 1e308, -1e308, 1.5, '', ' ', 'x'.repeat(5000), '\u0000', '😀', true, [], {}, [null], { a: { b: {} } }, '2026-13-45', '9999-12-31T23:59:59Z', '00000000-0000-0000-0000-000000000000']
const fill = (path: string) => {
  const prefix = Object.keys(idByPrefix).find((p) => path.startsWith(`${p}/`))
  return path.replace(/\{(\w+)\}/g, (_, n: string) => (n === 'id' && prefix ? idByPrefix[prefix]! : ids[n]!))
}
it('answers every odd body (seeded variations of each endpoint) and query without a 5xx', async () => {
  const bad: string[] = []
  let seed = 7
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff)
  for (const row of endpointRows.filter((r) => r.body !== undefined && !r.path.startsWith('/auth/'))) {
    const headers: Record<string, string> = row.as === 'key' ? { 'X-API-Key': demoApiKey } : await t.bearer(emails[row.as === 'public' ? 'viewer' : row.as]!)
    const keys = Object.keys(row.body as object)
    for (let i = 0; i < 25; i++) {
      const body: Record<string, unknown> = { ...(row.body as object) }
      const k = keys[Math.floor(rnd() * keys.length)]!
      body[k] = weird[Math.floor(rnd() * weird.length)]
      if (rnd() < 0.3) delete body[keys[Math.floor(rnd() * keys.length)]!]
      const res = await t.api(fill(row.path), { method: row.method, headers, json: body })
      if (res.status >= 500) bad.push(`${row.method} ${row.path} ${JSON.stringify(body).slice(0, 200)} -> ${res.status} ${await res.text()}`)
      else await res.arrayBuffer()
      t.server.reset()
    }
  }
  for (const row of endpointRows.filter((r) => r.method === 'GET')) {
    const headers: Record<string, string> = row.as === 'key' ? { 'X-API-Key': demoApiKey } : await t.bearer(emails[row.as === 'public' ? 'viewer' : row.as]!)
    for (const q of ['page=0', 'page_size=101', 'days=0', 'days=366', 'start=garbage', 'limit=-1', 'machine_id=x', 'from_date=2026-02-30', 'sort_by=zzz', 'is_acknowledged=maybe', 'search=' + 'x'.repeat(300), 'days=1e3', 'page=99999999999999999999']) {
      const res = await t.api(`${fill(row.path)}?${q}${row.query ? `&${row.query}` : ''}`, { headers })
      if (res.status >= 500) bad.push(`${row.method} ${row.path}?${q} -> ${res.status} ${await res.text()}`)
      else await res.arrayBuffer()
    }
  }
  expect(bad).toEqual([])
}, 300_000)
