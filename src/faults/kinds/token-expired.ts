import { z } from 'zod'
import { ApiError, errorResponse } from '../../api/errors.js'
import { defineFault } from '../fault-kind.js'
import { bearerToken } from '../../api/headers.js'

/**
 * 401 Authentication token has expired. The presented access token then stays expired for this
 * session (every later request with it gets the same 401) until the client refreshes.
 */
export const tokenExpired = defineFault({
  kind: 'token_expired',
  description: '401 Authentication token has expired.; the token stays expired in this session until the client refreshes',
  options: z.object({}),
  apply({ c, session, ruleId }) {
    const bearer = bearerToken(c)
    if (bearer) session.expiredTokens.set(bearer, ruleId)
    return errorResponse(new ApiError('token_expired'))
  },
})
