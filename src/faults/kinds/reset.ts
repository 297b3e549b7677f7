import { z } from 'zod'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import { defineFault } from '../fault-kind.js'

/** Destroys the connection before any byte of a response: the client sees ECONNRESET. */
export const reset = defineFault({
  kind: 'reset',
  description: 'the connection is reset before any byte is sent (the request never reaches the API)',
  options: z.object({}),
  apply({ c }) {
    c.env.incoming.socket.resetAndDestroy()
    return RESPONSE_ALREADY_SENT
  },
})
