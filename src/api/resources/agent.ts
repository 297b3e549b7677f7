import { z } from 'zod'
import { Resource } from '../endpoint.js'
import { isoSeconds } from '../../clock.js'

/** `GET /agent/heartbeat`: the edge agent's liveness call, API key with scope `agent` (reference section 19). */
export const agentResource = new Resource('/agent', 'Edge agent').get('/heartbeat', {
  summary: "Edge agent heartbeat (records the key's last_used_at)", access: { credential: 'key', scope: 'agent' }, status: 200,
  response: z.object({ status: z.literal('ok'), server_time: z.string() }),
  // access() has already stamped the key's last_used_at.
  handle: (c) => c.json({ status: 'ok', server_time: isoSeconds(c.get('deps').clock.now()) }),
})
