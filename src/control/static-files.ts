import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Context } from 'hono'
import { errorResponse } from '../api/errors.js'

/**
 * A fixed set of files from one directory, each read on its first request and kept: the returned
 * function answers `name` with its bytes and content type, any other name with the API's 404.
 * `dir` is asked only when a file is first read (a package's directory is resolved lazily).
 */
export function staticFiles(dir: () => string, types: Record<string, string>, cacheControl: string) {
  const cache = new Map<string, Uint8Array<ArrayBuffer>>()
  return (c: Context, name: string): Response => {
    const type = types[name]
    if (!type) return errorResponse('route_not_found')
    let bytes = cache.get(name)
    if (!bytes) cache.set(name, (bytes = new Uint8Array(readFileSync(join(dir(), name)))))
    return c.body(bytes, 200, { 'content-type': type, 'cache-control': cacheControl })
  }
}
