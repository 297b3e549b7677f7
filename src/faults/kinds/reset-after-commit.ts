import { z } from 'zod'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import { defineFault } from '../fault-kind.js'

/** The lost response: the API applies the request, then the connection resets before the answer. */
export const resetAfterCommit = defineFault({
  kind: 'reset_after_commit',
  description: 'the request is applied, then the connection resets before the response (the lost response)',
  options: z.object({}),
  async apply({ c }, _, next) {
    await next()
    c.env.incoming.socket.resetAndDestroy()
    return RESPONSE_ALREADY_SENT
  },
})
