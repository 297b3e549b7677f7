import { compilePath, matchPath } from '../faults/matcher.js'

/**
 * Hybrid mode's `--mock-route "METHOD /path"` list as one test: does the emulator answer this
 * request? `*` as the method is any method; the path takes the scenario wildcards (`*` one
 * segment, `**` any number).
 */
export function mockRouteMatcher(routes: string[]): (method: string, path: string) => boolean {
  const compiled = routes.map((r) => {
    const [method, path] = r.split(' ') as [string, string]
    return { method, path: compilePath(path) }
  })
  if (compiled.length === 0) return () => false
  return (method, path) => compiled.some((r) => (r.method === '*' || r.method === method) && matchPath(r.path, path))
}
