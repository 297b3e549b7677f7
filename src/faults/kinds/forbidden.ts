import { z } from 'zod'
import { ApiError, errorResponse, scopeError } from '../../api/errors.js'
import { scopeNames } from '../../api/permissions.js'
import { defineFault } from '../fault-kind.js'

/** 403 Insufficient permissions., or with `scope` the API key scope refusal. */
export const forbidden = defineFault({
  kind: 'forbidden',
  description: '403 Insufficient permissions. (or, with scope, API key does not have the required scope: <scope>)',
  options: z.object({ scope: z.enum(scopeNames).optional().describe('answer the API-key scope refusal for this scope') }),
  apply: (_, { scope }) => errorResponse(scope ? scopeError(scope) : new ApiError('forbidden')),
})
