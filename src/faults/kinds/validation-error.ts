import { z } from 'zod'
import { errorResponse, validationError } from '../../api/errors.js'
import { defineFault } from '../fault-kind.js'

/** 422 with one FastAPI item built from the given loc, msg and type. */
export const validationErrorKind = defineFault({
  kind: 'validation_error',
  description: '422 with one {loc, msg, type} item',
  options: z.object({
    loc: z.array(z.union([z.string(), z.number().int()])).min(1).default(['body']).describe('location, e.g. ["body", "email"]'),
    msg: z.string().min(1).default('Field required'),
    type: z.string().min(1).default('missing'),
  }),
  apply: (_, { loc, msg, type }) => errorResponse(validationError([{ loc, msg, type }])),
})
