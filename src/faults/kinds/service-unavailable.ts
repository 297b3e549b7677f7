import { z } from 'zod'
import { ApiError, errorResponse } from '../../api/errors.js'
import { defineFault } from '../fault-kind.js'

/** 503 Service temporarily unavailable. with `Retry-After`. */
export const serviceUnavailable = defineFault({
  kind: 'service_unavailable',
  description: '503 Service temporarily unavailable. with Retry-After',
  options: z.object({ retry_after_s: z.number().int().min(1).max(86_400).default(1).describe('Retry-After, seconds') }),
  apply: (_, { retry_after_s }) => errorResponse(new ApiError('service_unavailable', { 'Retry-After': String(retry_after_s) })),
})
