import { fileURLToPath } from 'node:url'
import { Hono } from 'hono'
import type { AppEnv } from '../api/context.js'
import { demoApiKey } from '../store/demo.js'
import { staticFiles } from './static-files.js'

/** The page's files (plain HTML, CSS and an ES module: nothing to build); the HTML only at `/__mock/`. */
const dir = () => fileURLToPath(new URL('./dashboard/', import.meta.url))
const page = staticFiles(dir, { 'index.html': 'text/html; charset=utf-8' }, 'no-cache')
const assets = staticFiles(dir, { 'dashboard.css': 'text/css; charset=utf-8', 'dashboard.js': 'text/javascript; charset=utf-8' }, 'no-cache')

/** Paths of the page's static shell: no data in them, so they are served without the admin token. */
export const isDashboardShell = (path: string): boolean => path === '/__mock/' || path === '/__mock' || /^\/__mock\/dashboard\/[\w-]+\.(?:css|js)$/.test(path)

/**
 * `/__mock/`: the dashboard. The page reads everything else through the control plane (live
 * journal, sessions, scenarios, one-off faults, rate limits, verify findings).
 */
export const dashboardControl = new Hono<AppEnv>({ strict: true })
  .get('/__mock/', (c) => page(c, 'index.html'))
  .get('/__mock', (c) => c.redirect('/__mock/', 302))
  // what the page needs beyond the control endpoints: the demo key its "Try a request" sends
  .get('/__mock/dashboard/config.json', (c) => c.json({ demo_api_key: c.get('deps').config.demo ? demoApiKey : null }))
  .get('/__mock/dashboard/:file', (c) => assets(c, c.req.param('file')))
