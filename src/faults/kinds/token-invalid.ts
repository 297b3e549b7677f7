import { errorFault } from '../fault-kind.js'

/** 401 Invalid authentication token. */
export const tokenInvalid = errorFault('token_invalid', 'token_invalid', '401 Invalid authentication token.')
