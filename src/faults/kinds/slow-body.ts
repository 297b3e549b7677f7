import { z } from 'zod'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import { defineFault } from '../fault-kind.js'
import { materialize, writeHead } from './body-write.js'

/** Sends the body at `bytes_per_s`, in chunks, on the injectable clock. */
export const slowBody = defineFault({
  kind: 'slow_body',
  description: 'the body trickles out at bytes_per_s',
  options: z.object({
    bytes_per_s: z.number().int().min(1).max(100_000_000).describe('transfer rate, bytes per second'),
    chunk_bytes: z.number().int().min(1).max(65_536).default(64).describe('bytes per write'),
  }),
  async apply({ c, clock }, { bytes_per_s, chunk_bytes }, next) {
    const res = await materialize(await next())
    const out = c.env.outgoing
    writeHead(out, res.status, res.headers, res.body.length)
    for (let i = 0; i < res.body.length && !out.destroyed; i += chunk_bytes) {
      const chunk = res.body.subarray(i, i + chunk_bytes)
      out.write(chunk)
      await clock.sleep(Math.round((chunk.length / bytes_per_s) * 1000))
    }
    out.end()
    return RESPONSE_ALREADY_SENT
  },
})
