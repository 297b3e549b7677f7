import { apiKeyRevoked } from './api-key-revoked.js'
import { conflict } from './conflict.js'
import { emptyReply } from './empty-reply.js'
import { forbidden } from './forbidden.js'
import { hang } from './hang.js'
import { internalError } from './internal-error.js'
import { latency } from './latency.js'
import { malformedBody } from './malformed-body.js'
import { notFound } from './not-found.js'
import { partialBatch } from './partial-batch.js'
import { pass } from './pass.js'
import { paymentRequired } from './payment-required.js'
import { rateLimited } from './rate-limited.js'
import { reset } from './reset.js'
import { resetAfterCommit } from './reset-after-commit.js'
import { respond } from './respond.js'
import { serviceUnavailable } from './service-unavailable.js'
import { signoffPasswordFailed } from './signoff-password-failed.js'
import { slowBody } from './slow-body.js'
import { tokenExpired } from './token-expired.js'
import { tokenInvalid } from './token-invalid.js'
import { tokenRevoked } from './token-revoked.js'
import { truncate } from './truncate.js'
import { userInactive } from './user-inactive.js'
import { validationErrorKind } from './validation-error.js'

/** The fault-kind registry: a new kind is one file and one entry here. */
export const kinds = [
  // domain: the API's own errors
  tokenExpired, tokenInvalid, tokenRevoked, userInactive, apiKeyRevoked, forbidden, notFound, conflict,
  validationErrorKind, rateLimited, paymentRequired, internalError, serviceUnavailable, signoffPasswordFailed, partialBatch,
  // transport: the connection and the bytes
  latency, hang, reset, resetAfterCommit, emptyReply, malformedBody, truncate, slowBody, respond,
  // none: the rule only counts, or chooses the backend
  pass,
] as const

/** Kinds by name. */
export const kindByName = new Map<string, (typeof kinds)[number]>(kinds.map((k) => [k.kind, k]))
