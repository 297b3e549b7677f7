import { z } from 'zod'
import { defineFault } from '../fault-kind.js'
import { materialize, nullBodyStatuses } from './body-write.js'

/**
 * Promises the full Content-Length, sends only part of the body, then resets the connection.
 * The response goes out through the normal pipeline (so it is labelled and carries CORS headers
 * like any other); once Node has handed the short body to the socket, the socket is reset.
 */
export const truncate = defineFault({
  kind: 'truncate',
  description: 'Content-Length promised, fewer bytes sent, then the connection resets',
  options: z.object({
    bytes: z.number().int().min(0).optional().describe('bytes of the body to send (default: half)'),
  }),
  async apply({ c }, { bytes }, next) {
    const res = await materialize(await next())
    const sent = Math.min(bytes ?? Math.floor(res.body.length / 2), Math.max(0, res.body.length - 1))
    const socket = c.env.incoming.socket
    // 'finish': the short body has been handed to the socket. Ahead of Node's own listener, which
    // would otherwise start closing the socket cleanly (Connection: close) or wait for the next request.
    c.env.outgoing.prependOnceListener('finish', () => {
      if (!socket.destroyed) socket.resetAndDestroy()
    })
    res.headers.set('content-length', String(res.body.length))
    return new Response(nullBodyStatuses.has(res.status) ? null : res.body.subarray(0, sent), { status: res.status, headers: res.headers })
  },
})
