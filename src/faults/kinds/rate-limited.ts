import { z } from 'zod'
import { ApiError, errorResponse } from '../../api/errors.js'
import { defineFault } from '../fault-kind.js'

/**
 * 429 Rate limit exceeded. with headers that agree with each other and with the clock:
 * `Retry-After` = retry_after_s, `X-RateLimit-Reset` = now + retry_after_s, `Remaining: 0`.
 */
export const rateLimited = defineFault({
  kind: 'rate_limited',
  description: '429 Rate limit exceeded. with Retry-After, X-RateLimit-Limit, -Remaining: 0 and -Reset',
  options: z.object({
    retry_after_s: z.number().int().min(1).max(86_400).default(1).describe('Retry-After, seconds'),
    limit: z.number().int().min(1).max(1_000_000_000).default(300).describe('X-RateLimit-Limit (default 300, the documented example)'),
  }),
  apply({ clock }, { retry_after_s, limit }) {
    const nowS = Math.floor(clock.now() / 1000)
    return errorResponse(
      new ApiError('rate_limited', {
        'Retry-After': String(retry_after_s),
        'X-RateLimit-Limit': String(limit),
        'X-RateLimit-Remaining': '0',
        'X-RateLimit-Reset': String(nowS + retry_after_s),
      }),
    )
  },
})
