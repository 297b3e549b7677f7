import { z } from 'zod'
import { ApiError, errorResponse, errors, type ErrorKey } from '../../api/errors.js'
import { defineFault } from '../fault-kind.js'

const notFoundKeys = (Object.keys(errors) as ErrorKey[]).filter((k) => errors[k].status === 404)

/** 404 with a resource's own message (default `Machine not found.`). */
export const notFound = defineFault({
  kind: 'not_found',
  description: "404 with a resource's not-found message",
  options: z.object({ error: z.enum(notFoundKeys as [ErrorKey, ...ErrorKey[]]).default('machine_not_found').describe('catalog key of the 404') }),
  apply: (_, { error }) => errorResponse(new ApiError(error)),
})
