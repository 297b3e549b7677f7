import { Hono } from 'hono'
import type { AppEnv } from '../api/context.js'

/**
 * `/__mock/drift`: what drift detection found in the upstream's answers (proxy and hybrid modes),
 * oldest first, with how many answers were checked; `DELETE` forgets it. In mock mode, or with `--no-drift`, the list is empty and
 * `enabled` is false.
 */
export const driftControl = new Hono<AppEnv>()
  .get('/drift', (c) => {
    const drift = c.get('deps').drift
    return c.json({ enabled: drift !== null, ...(drift?.stats() ?? { answers: 0, bodies_checked: 0, sample_every: null }), findings: drift?.list() ?? [] })
  })
  .delete('/drift', (c) => {
    c.get('deps').drift?.clear()
    return c.body(null, 204)
  })
