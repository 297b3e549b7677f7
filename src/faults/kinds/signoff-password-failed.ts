import { errorFault } from '../fault-kind.js'

/** 403: the sign-off password re-authentication failed. */
export const signoffPasswordFailed = errorFault('signoff_password_failed', 'signoff_reauth_failed', '403: the sign-off password re-authentication failed.')
