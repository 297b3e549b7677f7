import { readFileSync } from 'node:fs'
import { Hono } from 'hono'
import type { AppEnv } from '../api/context.js'
import { errorResponse } from '../api/errors.js'
import { demoApiKey } from '../store/demo.js'

/** The page's files (plain HTML, CSS and an ES module: nothing to build), read once. */
const files: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
  'dashboard.js': 'text/javascript; charset=utf-8',
}
const cache = new Map<string, Buffer>()
const file = (name: string) => {
  let bytes = cache.get(name)
  if (!bytes) cache.set(name, (bytes = readFileSync(new URL(`./dashboard/${name}`, import.meta.url))))
  return bytes
}

/** Paths of the page's static shell: no data in them, so they are served without the admin token. */
export const isDashboardShell = (path: string): boolean => path === '/__mock/' || path === '/__mock' || /^\/__mock\/dashboard\/[\w-]+\.(?:css|js)$/.test(path)

/**
 * `/__mock/`: the dashboard. The page reads everything else through the control plane (live
 * journal, sessions, scenarios, one-off faults, rate limits, verify findings).
 */
export const dashboardControl = new Hono<AppEnv>({ strict: true })
  .get('/__mock/', (c) => c.body(new Uint8Array(file('index.html')), 200, { 'content-type': files['index.html']!, 'cache-control': 'no-cache' }))
  .get('/__mock', (c) => c.redirect('/__mock/', 302))
  // what the page needs beyond the control endpoints: the demo key its "Try a request" sends
  .get('/__mock/dashboard/config.json', (c) => c.json({ demo_api_key: c.get('deps').config.demo ? demoApiKey : null }))
  .get('/__mock/dashboard/:file', (c) => {
    const type = files[c.req.param('file')]
    if (!type || c.req.param('file') === 'index.html') return errorResponse('route_not_found')
    return c.body(new Uint8Array(file(c.req.param('file'))), 200, { 'content-type': type, 'cache-control': 'no-cache' })
  })
