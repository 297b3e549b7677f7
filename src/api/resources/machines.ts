import { z } from 'zod'
import { Resource } from '../endpoint.js'
import { callerMachine } from './lookups.js'
import { jwtOperate as write } from '../access.js'
import { ApiError, found } from '../errors.js'
import { pageOf, paginate, pagination, uuidParam } from '../validate.js'
import { text255 } from './users-view.js'
import { audit } from './audit.js'
import { isoSeconds } from '../../clock.js'
import type { Machine } from '../../store/records.js'

const protocols = ['opc_ua', 'modbus_tcp', 'csv', 'json'] as const
export const machineStatuses = ['healthy', 'warning', 'critical', 'offline'] as const
/** Sortable fields (emulator choice; the reference documents only the default `name`). */
const sortFields = ['name', 'machine_identifier', 'status', 'created_at'] as const

const MachineCreate = z.object({
  name: text255,
  machine_identifier: text255,
  protocol: z.enum(protocols),
  location: text255.nullish(),
})
const MachineUpdate = z.object({
  name: text255.optional(),
  machine_identifier: text255.optional(),
  protocol: z.enum(protocols).optional(),
  location: text255.nullish(),
  is_active: z.boolean().optional(),
})
const MachineQuery = z.object({
  ...pagination,
  group_id: uuidParam.optional(),
  search: z.string().max(200).optional(),
  status: z.enum(machineStatuses).optional(),
  sort_by: z.enum(sortFields).default('name'),
  sort_dir: z.enum(['asc', 'desc']).default('asc'),
})

const MachineOut = z.object({
  id: z.uuid(), name: z.string(), machine_identifier: z.string(), protocol: z.enum(protocols), location: z.string().nullable(),
  status: z.enum(machineStatuses), tenant_id: z.uuid(), is_active: z.boolean(), created_at: z.iso.datetime(), updated_at: z.iso.datetime(),
})
const MachineListItem = MachineOut.pick({ id: true, name: true, machine_identifier: true, status: true, protocol: true, location: true, created_at: true })

const read = { credential: 'jwt_or_key', permission: 'read', scope: 'read:machines' } as const

/** The machine object (201, GET one, PATCH). */
export const presentMachine = (m: Machine) => ({
  id: m.id,
  name: m.name,
  machine_identifier: m.machine_identifier,
  protocol: m.protocol,
  location: m.location,
  status: m.status,
  tenant_id: m.tenant_id,
  is_active: m.is_active,
  created_at: isoSeconds(m.created_at),
  updated_at: isoSeconds(m.updated_at),
})

const presentListItem = (m: Machine) => ({
  id: m.id,
  name: m.name,
  machine_identifier: m.machine_identifier,
  status: m.status,
  protocol: m.protocol,
  location: m.location,
  created_at: isoSeconds(m.created_at),
})

/** `/machines`: list, create, get, patch, soft delete (reference section 6). */
export const machinesResource = new Resource('/machines', 'Machines')
  .get('/', {
    summary: 'List machines', access: read, query: MachineQuery, status: 200, response: pageOf(MachineListItem),
    handle(c, { query: q }) {
      let list = c.get('deps').store.machinesOf(c.get('caller').tenant.id)
      if (q.group_id) list = list.filter((m) => m.group_id === q.group_id)
      if (q.status) list = list.filter((m) => m.status === q.status)
      if (q.search) {
        const needle = q.search.toLowerCase()
        list = list.filter((m) => m.name.toLowerCase().includes(needle) || m.machine_identifier.toLowerCase().includes(needle))
      }
      const dir = q.sort_dir === 'asc' ? 1 : -1
      const key = q.sort_by
      list = [...list].sort((a, b) => (a[key] < b[key] ? -dir : a[key] > b[key] ? dir : 0))
      const page = paginate(list, q.page, q.page_size)
      return c.json({ ...page, items: page.items.map(presentListItem) })
    },
  })
  .post('/', {
    summary: 'Create a machine', access: write, body: MachineCreate, status: 201, errors: ['machine_conflict'], response: MachineOut,
    handle(c, { body }) {
      const { store, clock } = c.get('deps')
      const caller = c.get('caller')
      if (store.machineByIdentifier(caller.tenant.id, body.machine_identifier)) throw new ApiError('machine_conflict')
      const now = clock.now()
      const machine = store.addMachine({
        id: store.id(), tenant_id: caller.tenant.id, name: body.name, machine_identifier: body.machine_identifier,
        protocol: body.protocol, location: body.location ?? null, group_id: null, status: 'offline',
        is_active: true, created_at: now, updated_at: now, deleted_at: null,
      })
      audit(c, 'create_machine', 'machine', machine.id, { name: machine.name, machine_identifier: machine.machine_identifier })
      return c.json(presentMachine(machine), 201)
    },
  })
  .get('/:machine_id', {
    summary: 'Get a machine', access: read, status: 200, errors: ['machine_not_found'], response: MachineOut,
    handle(c, { params }) {
      const machine = callerMachine(c, params.machine_id)
      return c.json(presentMachine(machine))
    },
  })
  .patch('/:machine_id', {
    summary: 'Update a machine', access: write, body: MachineUpdate, status: 200, errors: ['machine_not_found', 'machine_conflict'], response: MachineOut,
    handle(c, { params, body }) {
      const { store, clock } = c.get('deps')
      const tenantId = c.get('caller').tenant.id
      const machine = found(store.machine(tenantId, params.machine_id), 'machine_not_found')
      if (body.machine_identifier !== undefined && body.machine_identifier !== machine.machine_identifier && store.machineByIdentifier(tenantId, body.machine_identifier))
        throw new ApiError('machine_conflict')
      const changed = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined))
      Object.assign(machine, changed, { updated_at: clock.now() })
      audit(c, 'update_machine', 'machine', machine.id, changed)
      return c.json(presentMachine(machine))
    },
  })
  .delete('/:machine_id', {
    summary: 'Delete a machine (soft)', access: write, status: 204, errors: ['machine_not_found'],
    handle(c, { params }) {
      const { store, clock } = c.get('deps')
      const machine = found(store.machine(c.get('caller').tenant.id, params.machine_id), 'machine_not_found')
      store.deleteMachine(machine, clock.now())
      audit(c, 'delete_machine', 'machine', machine.id, { machine_identifier: machine.machine_identifier })
      return c.body(null, 204)
    },
  })
