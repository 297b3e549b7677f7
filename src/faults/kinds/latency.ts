import { z } from 'zod'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import { defineFault } from '../fault-kind.js'

/**
 * Delays the request before the backend answers (or, with `at: after`, the response after it):
 * fixed `ms`, uniform in [ms, max_ms], or lognormal with median `ms` and spread `sigma`; seeded.
 */
export const latency = defineFault({
  kind: 'latency',
  description: 'delay: fixed, uniform range or lognormal (seeded), before or after the backend',
  options: z.object({
    ms: z.number().int().min(0).max(120_000).describe('delay, milliseconds (the median for lognormal)'),
    distribution: z.enum(['fixed', 'uniform', 'lognormal']).default('fixed'),
    max_ms: z.number().int().min(0).max(120_000).optional().describe('upper bound: the range end for uniform, a cap for lognormal'),
    sigma: z.number().min(0).max(5).default(0.5).describe('lognormal spread (standard deviation of the log)'),
    at: z.enum(['before', 'after']).default('before').describe('delay the request (before) or the response (after)'),
  }),
  async apply({ c, clock, rng }, o, next) {
    const delayMs = drawDelay(o, rng.float.bind(rng))
    if (o.at === 'after') {
      const res = await next()
      await clock.sleep(delayMs)
      return res
    }
    // A client that gives up during the delay never reaches the API (as with a slow network),
    // and its timer ends with it.
    const socket = c.env.incoming.socket
    const gone = new AbortController()
    const leave = () => gone.abort()
    socket.once('close', leave)
    await clock.sleep(delayMs, gone.signal)
    socket.off('close', leave)
    return gone.signal.aborted ? RESPONSE_ALREADY_SENT : next()
  },
})

/** One delay, milliseconds, for the options, from `random` (uniform in [0, 1)): the same draws give the same delay. */
export function drawDelay(o: { ms: number; distribution: string; max_ms?: number; sigma: number }, random: () => number): number {
  if (o.distribution === 'uniform') return Math.round(o.ms + random() * Math.max(0, (o.max_ms ?? o.ms) - o.ms))
  if (o.distribution === 'lognormal') {
    // Box-Muller from two seeded draws; the median of exp(N(ln ms, sigma)) is ms.
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
    return Math.min(o.max_ms ?? 120_000, Math.round(o.ms * Math.exp(o.sigma * z)))
  }
  return o.ms
}
