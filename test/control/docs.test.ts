import { describe, expect, it } from 'vitest'
import { useServer } from '../helpers.js'

const t = useServer()

describe('GET /__mock/docs', () => {
  it('is a Swagger UI page over /__mock/openapi.json that loads nothing from another host', async () => {
    const res = await fetch(`${t.url}/__mock/docs`)
    expect([res.status, res.headers.get('content-type')]).toEqual([200, 'text/html; charset=UTF-8'])
    const html = await res.text()
    expect(html).toContain("url: '/__mock/openapi.json'")
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)
    expect(refs).toEqual(['/__mock/docs/favicon-32x32.png', '/__mock/docs/swagger-ui.css', '/__mock/docs/swagger-ui-bundle.js'])
    expect(html).not.toMatch(/https?:\/\//)
  })

  it.each([
    ['swagger-ui.css', 'text/css; charset=utf-8', '.swagger-ui'],
    ['swagger-ui-bundle.js', 'text/javascript; charset=utf-8', 'SwaggerUIBundle'],
  ])('serves %s from the package', async (file, type, marker) => {
    const res = await fetch(`${t.url}/__mock/docs/${file}`)
    expect([res.status, res.headers.get('content-type')]).toEqual([200, type])
    expect(await res.text()).toContain(marker)
  })

  it('answers 404 for any other file name', async () => {
    for (const file of ['package.json', '..%2Fpackage.json', 'index.html']) {
      const res = await fetch(`${t.url}/__mock/docs/${file}`)
      expect([res.status, await res.json()]).toEqual([404, { detail: 'Not Found' }])
    }
  })
})
