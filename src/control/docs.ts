import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { Hono } from 'hono'
import type { AppEnv } from '../api/context.js'
import { staticFiles } from './static-files.js'

/** The Swagger UI files the page uses, served from the swagger-ui-dist package (never a CDN). */
const assets = staticFiles(
  () => dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json')),
  { 'swagger-ui.css': 'text/css; charset=utf-8', 'swagger-ui-bundle.js': 'text/javascript; charset=utf-8', 'favicon-32x32.png': 'image/png' },
  'public, max-age=3600',
)

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
  .get('/docs/:file', (c) => assets(c, c.req.param('file')))
