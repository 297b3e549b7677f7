import { Hono } from 'hono'
import type { AppEnv } from './context.js'
import { auth } from './auth.js'
import { machines } from './machines.js'
import { readings } from './readings.js'
import { ingest } from './ingest.js'
import { apiKeys } from './api-keys.js'
import { users } from './users.js'

/** The emulated Haltless API under `/api/v1`: one line per resource router. */
export const api = new Hono<AppEnv>()
  .route('/auth', auth)
  .route('/machines', machines)
  .route('/machines', readings)
  .route('/ingest', ingest)
  .route('/settings/api-keys', apiKeys)
  .route('/users', users)
