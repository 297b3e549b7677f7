import type { Context, Hono } from 'hono'
import { errorResponse } from './errors.js'

interface RouteShape {
  pattern: RegExp
  methods: Set<string>
}

/**
 * FastAPI's answers for a request no route took: a known path with another method → `405` with
 * `Allow`; a path whose slash-toggled twin exists → `307` to it (Starlette's redirect_slashes);
 * anything else → `404 Not Found`.
 */
export function unmatched(app: Hono<any>, prefix: string) {
  let shapes: RouteShape[] | undefined
  const find = (path: string) => shapes!.find((s) => s.pattern.test(path))
  return (c: Context) => {
    shapes ??= collect(app, prefix)
    // the path as the router matched it (percent-decoded): `/api/v1/%6Dachines` is `/machines`
    const path = c.req.path
    const shape = find(path)
    if (shape) return errorResponse('method_not_allowed', { Allow: [...shape.methods].join(', ') })
    if (path.startsWith(prefix) && path.length > 1) {
      const twin = path.endsWith('/') ? path.slice(0, -1) : `${path}/`
      if (find(twin)) {
        const url = new URL(c.req.url)
        url.pathname = url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : `${url.pathname}/`
        return new Response(null, { status: 307, headers: { location: url.toString(), 'content-length': '0' } })
      }
    }
    return errorResponse('route_not_found')
  }
}

function collect(app: Hono<any>, prefix: string): RouteShape[] {
  const byPath = new Map<string, Set<string>>()
  for (const r of app.routes) {
    if (r.method === 'ALL' || !r.path.startsWith(prefix)) continue
    let methods = byPath.get(r.path)
    if (!methods) byPath.set(r.path, (methods = new Set()))
    methods.add(r.method)
  }
  return [...byPath].map(([path, methods]) => ({
    pattern: new RegExp(`^${path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:[^/]+/g, '[^/]+')}$`),
    methods,
  }))
}
