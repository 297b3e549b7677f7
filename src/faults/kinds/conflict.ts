import { z } from 'zod'
import { ApiError, errorResponse, errors, type ErrorKey } from '../../api/errors.js'
import { defineFault } from '../fault-kind.js'

const conflictKeys = (Object.keys(errors) as ErrorKey[]).filter((k) => errors[k].status === 409)

/** 409 duplicate (default `A machine with this identifier already exists for this tenant.`). */
export const conflict = defineFault({
  kind: 'conflict',
  description: '409 duplicate',
  options: z.object({ error: z.enum(conflictKeys as [ErrorKey, ...ErrorKey[]]).default('machine_conflict').describe('catalog key of the 409') }),
  apply: (_, { error }) => errorResponse(new ApiError(error)),
})
