import { z } from 'zod'
import { defineFault } from '../fault-kind.js'

/**
 * No fault: the request reaches its backend untouched and the answer is not labelled. For rules
 * that only count, or that only choose the backend in hybrid mode (`serve: mock`).
 */
export const pass = defineFault({
  kind: 'pass',
  description: 'no fault: the request goes through untouched (with serve: choose the backend)',
  options: z.object({}),
  apply: (_ctx, _options, next) => next(),
})
