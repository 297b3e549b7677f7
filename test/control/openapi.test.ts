import { describe, expect, it } from 'vitest'
import { Validator } from '@seriousme/openapi-schema-validator'
import { useServer } from '../helpers.js'
import { endpointRows } from '../api/endpoints.js'

const t = useServer()

interface Doc {
  openapi: string
  paths: Record<string, Record<string, { security: unknown[]; responses: Record<string, { content?: Record<string, { examples?: Record<string, { value: unknown }> }> }>; parameters?: { name: string; in: string }[] }>>
}
const fetchDoc = async () => {
  const res = await fetch(`${t.url}/__mock/openapi.json`)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^application\/json/)
  return (await res.json()) as Doc
}

describe('GET /__mock/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const doc = await fetchDoc()
    expect(doc.openapi).toBe('3.1.0')
    const result = await new Validator().validate(doc as unknown as Parameters<Validator['validate']>[0])
    expect(result.errors ?? []).toEqual([])
    expect(result.valid).toBe(true)
  })

  it('lists exactly the endpoints of the reference, plus the dashboard WebSocket', async () => {
    const doc = await fetchDoc()
    const listed = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
    const reference = endpointRows.map((r) => `${r.method} ${r.path.replace(/\{id\}/g, '{*}')}`)
    const normalise = (s: string) => s.replace(/\{\w+\}/g, '{*}')
    expect(listed.map(normalise).sort()).toEqual([...reference.map(normalise), 'GET /ws/dashboard'].sort())
  })

  it('names security schemes and the catalog errors of an operation', async () => {
    const doc = await fetchDoc()
    const get = doc.paths['/machines/{machine_id}']!.get!
    expect(get.security).toEqual([{ bearerAuth: [] }, { apiKey: [] }])
    expect(Object.keys(get.responses)).toEqual(['200', '401', '402', '403', '404', '422', '429'])
    const examples = Object.values(get.responses['404']!.content!['application/json']!.examples!).map((e) => e.value)
    expect(examples).toEqual([{ detail: 'Machine not found.' }])
    const forbidden = Object.values(get.responses['403']!.content!['application/json']!.examples!).map((e) => e.value)
    expect(forbidden).toEqual([{ detail: 'API key does not have the required scope: read:machines' }])
    expect(get.parameters).toEqual([expect.objectContaining({ name: 'machine_id', in: 'path' })])
    expect(doc.paths['/ingest']!.post!.security).toEqual([{ apiKey: [] }])
    expect(doc.paths['/auth/login']!.post!.security).toEqual([])
  })

  it('describes the success body of every JSON endpoint', async () => {
    const doc = await fetchDoc()
    const bare = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).flatMap(([method, op]) =>
        Object.entries(op.responses)
          .filter(([status]) => status.startsWith('2') && status !== '204')
          .filter(([, r]) => {
            const schema = (r.content?.['application/json'] as { schema?: object } | undefined)?.schema
            return schema !== undefined && Object.keys(schema).length === 0
          })
          .map(() => `${method} ${path}`),
      ),
    )
    expect(bare).toEqual([])
  })
})
