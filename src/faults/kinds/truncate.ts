import { z } from 'zod'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import { defineFault } from '../fault-kind.js'
import { materialize, writeHead } from './body-write.js'

/** Promises the full Content-Length, sends only part of the body, then resets the connection. */
export const truncate = defineFault({
  kind: 'truncate',
  description: 'Content-Length promised, fewer bytes sent, then the connection resets',
  options: z.object({
    bytes: z.number().int().min(0).optional().describe('bytes of the body to send (default: half)'),
  }),
  async apply({ c }, { bytes }, next) {
    const res = await materialize(await next())
    const sent = Math.min(bytes ?? Math.floor(res.body.length / 2), Math.max(0, res.body.length - 1))
    const out = c.env.outgoing
    writeHead(out, res.status, res.headers, res.body.length)
    out.write(res.body.subarray(0, sent), () => c.env.incoming.socket.resetAndDestroy())
    return RESPONSE_ALREADY_SENT
  },
})
