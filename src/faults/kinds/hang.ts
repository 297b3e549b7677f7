import { z } from 'zod'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import { ApiError, errorResponse } from '../../api/errors.js'
import { defineFault } from '../fault-kind.js'

/** Most requests held at once by `hang`; past it the next answers 503 (never a leaked socket). */
export const maxConcurrentHangs = 100
let hanging = 0

/** Requests `hang` holds right now (in this process). */
export const activeHangs = (): number => hanging

/**
 * Never answers: the request is held until the client gives up (or `max_ms` passes, then the
 * connection is reset). At most `maxConcurrentHangs` at once; past that, 503 in the API's format.
 */
export const hang = defineFault({
  kind: 'hang',
  description: 'no answer: held until the client gives up, or reset after max_ms',
  options: z.object({ max_ms: z.number().int().min(1).max(3_600_000).optional().describe('reset the connection after this long, milliseconds') }),
  async apply({ c, clock }, { max_ms }) {
    const socket = c.env.incoming.socket
    // the client already gave up (while a rule read its body): 'close' will not come again
    if (socket.destroyed) return RESPONSE_ALREADY_SENT
    if (hanging >= maxConcurrentHangs) return errorResponse(new ApiError('service_unavailable', { 'Retry-After': '1' }))
    hanging++
    // the max_ms timer is cancelled when the client leaves first, so no timer outlives its request
    const gone = new AbortController()
    try {
      await new Promise<void>((resolve) => {
        socket.once('close', () => (gone.abort(), resolve()))
        if (max_ms !== undefined)
          void clock.sleep(max_ms, gone.signal).then(() => {
            if (!socket.destroyed) socket.resetAndDestroy()
            resolve()
          })
      })
    } finally {
      hanging--
    }
    return RESPONSE_ALREADY_SENT
  },
})
