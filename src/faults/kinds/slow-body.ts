import { z } from 'zod'
import { defineFault } from '../fault-kind.js'
import { materialize, nullBodyStatuses } from './body-write.js'

/**
 * Sends the body at `bytes_per_s`, `chunk_bytes` at a time, on the injectable clock: the first
 * chunk at once, each next one when the bytes before it would have taken their time at that rate
 * (deadlines count from the start, so rounding never adds up). The status and headers go out at
 * once through the normal pipeline; the stream stops if the client goes away.
 */
export const slowBody = defineFault({
  kind: 'slow_body',
  description: 'the body trickles out at bytes_per_s',
  options: z.object({
    bytes_per_s: z.number().int().min(1).max(100_000_000).describe('transfer rate, bytes per second'),
    chunk_bytes: z.number().int().min(1).max(65_536).default(64).describe('bytes per write'),
  }),
  async apply({ clock }, { bytes_per_s, chunk_bytes }, next) {
    const res = await materialize(await next())
    res.headers.set('content-length', String(res.body.length))
    if (res.body.length === 0 || nullBodyStatuses.has(res.status)) return new Response(null, { status: res.status, headers: res.headers })
    const body = res.body
    const startedAt = clock.now()
    let offset = 0
    // the client leaving cancels the stream, and with it the wait for the next chunk: at a slow
    // rate that wait could hold its timer (and the body) for hours
    const cancelled = new AbortController()
    // highWaterMark 0: a chunk is made only when Node asks for it, never ahead of the socket
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const wait = startedAt + Math.round((offset / bytes_per_s) * 1000) - clock.now()
        if (wait > 0) await clock.sleep(wait, cancelled.signal)
        if (cancelled.signal.aborted) return
        controller.enqueue(body.subarray(offset, offset + chunk_bytes))
        offset += chunk_bytes
        if (offset >= body.length) controller.close()
      },
      cancel() {
        cancelled.abort()
      },
    }, { highWaterMark: 0 })
    return new Response(stream, { status: res.status, headers: res.headers })
  },
})
