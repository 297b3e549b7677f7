import { z } from 'zod'
import { defineFault } from '../fault-kind.js'
import { materialize, nullBodyStatuses } from './body-write.js'

/** Keeps status and headers but corrupts the JSON body (cut short and unterminated), with a true Content-Length. */
export const malformedBody = defineFault({
  kind: 'malformed_body',
  description: 'the body is not valid JSON (status and content type unchanged)',
  options: z.object({}),
  async apply(_, __, next) {
    const res = await materialize(await next())
    const text = res.body.toString('utf8')
    const broken = Buffer.from(`${text.slice(0, Math.max(1, Math.floor(text.length / 2)))}\u0000<`, 'utf8')
    res.headers.set('content-length', String(broken.length))
    // a 204 (or 205, 304) cannot carry the broken body: it becomes a 200
    return new Response(broken, { status: nullBodyStatuses.has(res.status) ? 200 : res.status, headers: res.headers })
  },
})
