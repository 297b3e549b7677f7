import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../api/context.js'
import { found } from '../api/errors.js'
import { presentSignoff, signoffs } from '../api/resources/signoffs.js'
import { uuidParam, validate } from '../api/validate.js'

/**
 * `/__mock/signoffs/{signoff_id}/tamper`: alters a stored sign-off's `signer_name` (appends
 * ` (altered)`) without touching its hash, so the API's verify answers `is_valid: false`.
 * Any tenant's sign-off; answers the altered record.
 */
export const signoffControl = new Hono<AppEnv>().post('/signoffs/:signoff_id/tamper', validate('param', z.object({ signoff_id: uuidParam })), (c) => {
  const signoff = found(signoffs(c.get('deps').store).rows.get(c.req.valid('param').signoff_id), 'signoff_not_found')
  signoff.signer_name = `${signoff.signer_name} (altered)`
  return c.json(presentSignoff(signoff))
})
