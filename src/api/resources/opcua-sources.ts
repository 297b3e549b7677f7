import { z } from 'zod'
import { Resource } from '../endpoint.js'
import { jwtOperate } from '../access.js'
import { ApiError } from '../errors.js'
import { uuidParam } from '../validate.js'
import { isoSeconds } from '../../clock.js'
import { defineTable } from '../../store/table.js'

export const securityModes = ['None', 'Sign', 'SignAndEncrypt'] as const
/** `auth_type` values (the reference documents `username`; the others are OPC UA's user token types). */
export const opcuaAuthTypes = ['anonymous', 'username', 'certificate'] as const

/** An OPC UA source the direct-ingestion service polls; `password` is kept, never presented. */
interface OpcuaSource {
  id: string
  tenant_id: string
  machine_id: string
  endpoint_url: string
  security_mode: (typeof securityModes)[number]
  security_policy: string | null
  auth_type: (typeof opcuaAuthTypes)[number]
  username: string | null
  password: string | null
  poll_interval_seconds: number
  node_ids: string[]
  enabled: boolean
  created_at: number
}

const opcuaSources = defineTable<OpcuaSource>('opcua_sources')

/** `opc.tcp://host[:port][/path]`: anything else is pydantic's `value_error`. */
const endpointUrl = z
  .string()
  .max(2048)
  .superRefine((s, ctx) => {
    if (!/^opc\.tcp:\/\/[^/\s]+/i.test(s)) ctx.addIssue({ code: 'custom', params: { type: 'value_error', msg: 'Value error, endpoint_url must start with opc.tcp://' } })
  })

const SourceCreate = z.object({
  machine_id: uuidParam,
  endpoint_url: endpointUrl,
  security_mode: z.enum(securityModes).default('None'),
  security_policy: z.string().max(100).nullish(),
  auth_type: z.enum(opcuaAuthTypes).default('anonymous'),
  username: z.string().max(255).nullish(),
  password: z.string().max(255).nullish(),
  poll_interval_seconds: z.int().min(1).max(86_400).default(10),
  node_ids: z.array(z.string().min(1).max(1000)).min(1).max(1000),
  enabled: z.boolean().default(true),
})

const sourceShape = z.object({
  id: z.uuid(), machine_id: z.uuid(), endpoint_url: z.string(), security_mode: z.enum(securityModes), security_policy: z.string().nullable(),
  auth_type: z.enum(opcuaAuthTypes), username: z.string().nullable(), poll_interval_seconds: z.int(), node_ids: z.array(z.string()),
  enabled: z.boolean(), created_at: z.string(),
})

const presentSource = (s: OpcuaSource) => ({
  id: s.id,
  machine_id: s.machine_id,
  endpoint_url: s.endpoint_url,
  security_mode: s.security_mode,
  security_policy: s.security_policy,
  auth_type: s.auth_type,
  username: s.username,
  poll_interval_seconds: s.poll_interval_seconds,
  node_ids: s.node_ids,
  enabled: s.enabled,
  created_at: isoSeconds(s.created_at),
})

/** `POST /ingest/opcua/sources`: register an OPC UA source for a machine (reference section 19). */
export const opcuaSourcesResource = new Resource('/ingest/opcua/sources', 'Direct ingestion').post('/', {
  summary: 'Register an OPC UA source', access: jwtOperate, body: SourceCreate, status: 201,
  errors: ['machine_not_found'], response: sourceShape,
  handle(c, { body }) {
    const { store, clock } = c.get('deps')
    const tenantId = c.get('caller').tenant.id
    if (!store.machine(tenantId, body.machine_id)) throw new ApiError('machine_not_found')
    const source = opcuaSources(store).add({
      ...body, id: store.id(), tenant_id: tenantId, security_policy: body.security_policy ?? null,
      username: body.username ?? null, password: body.password ?? null, created_at: clock.now(),
    })
    return c.json(presentSource(source), 201)
  },
})
