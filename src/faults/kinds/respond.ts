import { z } from 'zod'
import { defineFault } from '../fault-kind.js'

/** Any response: status, headers and body (an object or array is sent as JSON). */
export const respond = defineFault({
  kind: 'respond',
  description: 'any status, headers and body',
  options: z.object({
    status: z.number().int().min(200).max(599).describe('HTTP status (a final one: 200-599)'),
    headers: z.record(z.string(), z.string()).default({}),
    body: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional().describe('text, or JSON'),
  }),
  apply(_, { status, headers, body }) {
    const isJson = body !== undefined && typeof body !== 'string'
    const h = new Headers(headers)
    if (isJson && !h.has('content-type')) h.set('content-type', 'application/json')
    const text = body === undefined ? null : isJson ? JSON.stringify(body) : body
    return new Response([101, 204, 205, 304].includes(status) ? null : text, { status, headers: h })
  },
})
