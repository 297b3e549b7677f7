import { errorFault } from '../fault-kind.js'

/** 401 Invalid API key. (as for a revoked key) */
export const apiKeyRevoked = errorFault('api_key_revoked', 'api_key_invalid', '401 Invalid API key. (as for a revoked key)')
