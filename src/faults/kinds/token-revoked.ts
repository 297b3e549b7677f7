import { z } from 'zod'
import { ApiError, errorResponse } from '../../api/errors.js'
import { defineFault } from '../fault-kind.js'
import { bearerToken } from '../../api/headers.js'
import { decodeJwt } from 'jose'

/** 401 Invalid authentication token., and the presented access token is really blocklisted. */
export const tokenRevoked = defineFault({
  kind: 'token_revoked',
  description: '401 Invalid authentication token.; the presented token is blocklisted (as after a logout elsewhere)',
  options: z.object({}),
  apply({ c, deps }) {
    const bearer = bearerToken(c)
    try {
      const jti = bearer && decodeJwt(bearer).jti
      if (jti) deps.store.blocklist.add(jti)
    } catch {
      // not a JWT: nothing to revoke, the 401 stands
    }
    return errorResponse(new ApiError('token_invalid'))
  },
})
