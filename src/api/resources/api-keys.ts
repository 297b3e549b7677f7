import { z } from 'zod'
import { Resource } from '../endpoint.js'
import { jwtAnyRole, jwtAdmin } from '../access.js'
import { audit } from './audit.js'
import { ApiError } from '../errors.js'
import { datetime } from '../validate.js'
import { defaultScopes, scopeNames, scopePresets } from '../permissions.js'
import { text255 } from './users-view.js'
import { isoSecondsOrNull } from '../../clock.js'
import type { ApiKey } from '../../store/records.js'

const presetNames = Object.keys(scopePresets) as [keyof typeof scopePresets, ...(keyof typeof scopePresets)[]]
const scopeOrPreset = z.enum([...scopeNames, ...presetNames])
/** `scopes`: a list of scope names, or a preset as a bare string or a one-element list. */
const Scopes = z.union([z.enum(presetNames), z.array(scopeOrPreset).min(1)]).transform((v): string[] => {
  const list = typeof v === 'string' ? [v] : v
  const expanded = list.flatMap((s) => (s in scopePresets ? [...scopePresets[s as keyof typeof scopePresets]] : [s]))
  return [...new Set(expanded)]
})
const KeyCreate = z.object({ name: text255, expires_at: datetime.nullish(), scopes: Scopes.optional() })
const KeyOut = z.object({
  id: z.uuid(), name: z.string(), key_prefix: z.string(), scopes: z.array(z.string()),
  expires_at: z.iso.datetime().nullable(), created_at: z.iso.datetime(), last_used_at: z.iso.datetime().nullable(),
})
const KeyCreated = KeyOut.omit({ last_used_at: true }).extend({ key: z.string(), plaintext_key: z.string(), tenant_id: z.uuid() })
const alphanumerics = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

const presentKey = (k: ApiKey) => ({
  id: k.id, name: k.name, key_prefix: k.key_prefix, scopes: k.scopes,
  expires_at: isoSecondsOrNull(k.expires_at), created_at: isoSecondsOrNull(k.created_at), last_used_at: isoSecondsOrNull(k.last_used_at),
})

/** `/settings/api-keys`: list (any role), create and revoke (admin) (reference section 16). */
export const apiKeysResource = new Resource('/settings/api-keys', 'API keys')
  .get('/', {
    summary: 'List API keys (prefix only)', access: jwtAnyRole, status: 200, response: z.array(KeyOut),
    handle(c) {
      const tenantId = c.get('caller').tenant.id
      const list = [...c.get('deps').store.apiKeys.values()].filter((k) => k.tenant_id === tenantId && k.revoked_at === null)
      return c.json(list.map(presentKey))
    },
  })
  .post('/', {
    summary: 'Create an API key', access: jwtAdmin, body: KeyCreate, status: 201, response: KeyCreated,
    handle(c, { body }) {
      const { store, clock, rng, config } = c.get('deps')
      const secret = config.apiKeyPrefix + rng.string(32, alphanumerics)
      const key = store.addApiKey({
        id: store.id(), tenant_id: c.get('caller').tenant.id, name: body.name, key: secret, key_prefix: secret.slice(0, 8),
        scopes: body.scopes ?? [...defaultScopes], expires_at: body.expires_at ?? null, created_at: clock.now(),
        last_used_at: null, revoked_at: null,
      })
      audit(c, 'create_api_key', 'api_key', key.id, { name: key.name, scopes: key.scopes })
      return c.json({
        id: key.id, name: key.name, key: secret, plaintext_key: secret, key_prefix: key.key_prefix, scopes: key.scopes,
        tenant_id: key.tenant_id, expires_at: isoSecondsOrNull(key.expires_at), created_at: isoSecondsOrNull(key.created_at),
      }, 201)
    },
  })
  .delete('/:key_id', {
    summary: 'Revoke an API key', access: jwtAdmin, status: 204, errors: ['api_key_not_found'],
    handle(c, { params }) {
      const { store, clock } = c.get('deps')
      const key = store.apiKeys.get(params.key_id)
      if (!key || key.tenant_id !== c.get('caller').tenant.id || key.revoked_at !== null) throw new ApiError('api_key_not_found')
      key.revoked_at = clock.now()
      audit(c, 'revoke_api_key', 'api_key', key.id, { name: key.name })
      return c.body(null, 204)
    },
  })
