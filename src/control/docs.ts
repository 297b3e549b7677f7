import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { Hono } from 'hono'
import type { AppEnv } from '../api/context.js'
import { errorResponse } from '../api/errors.js'

/** The Swagger UI files the page uses, served from the swagger-ui-dist package (never a CDN). */
const assets: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
}
const cache = new Map<string, Buffer>()
let root: string | undefined

function asset(name: string): Buffer {
  let bytes = cache.get(name)
  if (!bytes) {
    root ??= dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))
    cache.set(name, (bytes = readFileSync(join(root, name))))
  }
  return bytes
}

const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Haltless API (haltless-mock)</title>
  <link rel="icon" href="/__mock/docs/favicon-32x32.png">
  <link rel="stylesheet" href="/__mock/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/__mock/docs/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: '/__mock/openapi.json', dom_id: '#swagger-ui', deepLinking: true, tryItOutEnabled: true })
  </script>
</body>
</html>
`

/** `/__mock/docs`: Swagger UI over `/__mock/openapi.json`, every asset served from this server. */
export const docsControl = new Hono<AppEnv>()
  .get('/docs', (c) => c.html(page))
  .get('/docs/:file', (c) => {
    const type = assets[c.req.param('file')]
    if (!type) return errorResponse('route_not_found')
    return c.body(new Uint8Array(asset(c.req.param('file'))), 200, { 'content-type': type, 'cache-control': 'public, max-age=3600' })
  })
