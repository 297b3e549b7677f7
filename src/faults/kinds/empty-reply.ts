import { z } from 'zod'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import { defineFault } from '../fault-kind.js'

/** Closes the connection cleanly without any response (curl: "Empty reply from server"). */
export const emptyReply = defineFault({
  kind: 'empty_reply',
  description: 'the connection closes without a response',
  options: z.object({}),
  apply({ c }) {
    c.env.incoming.socket.end()
    return RESPONSE_ALREADY_SENT
  },
})
