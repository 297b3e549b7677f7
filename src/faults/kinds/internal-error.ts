import { errorFault } from '../fault-kind.js'

/** 500 Internal server error. */
export const internalError = errorFault('internal_error', 'internal_error', '500 Internal server error.')
