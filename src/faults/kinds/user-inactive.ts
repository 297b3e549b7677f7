import { errorFault } from '../fault-kind.js'

/** 403 User account is inactive. */
export const userInactive = errorFault('user_inactive', 'user_inactive', '403 User account is inactive.')
