import { describe, expect, it } from 'vitest'
import { resetBeforeEach, useServer } from '../helpers.js'
import { demoId } from '../../src/store/demo.js'

const t = useServer()
const at = resetBeforeEach(t)
const hour = 3_600_000
const day = 24 * hour

const acme = demoId('tenant:acme')
const cnc1 = demoId('machine:acme:CNC-001')
const cnc2 = demoId('machine:acme:CNC-002')
const scheduled = () => ({
  id: demoId('maintenance:acme:1'), tenant_id: acme, machine_id: cnc1, title: 'Quarterly spindle lubrication',
  description: 'Grease spindle bearings and check way oil level.', type: 'preventive', status: 'scheduled',
  scheduled_start: at(2 * day), scheduled_end: at(2 * day + 4 * hour), created_at: at(-3 * day), updated_at: at(-3 * day),
})
const completed = () => ({
  id: demoId('maintenance:acme:2'), tenant_id: acme, machine_id: cnc2, title: 'Replace worn spindle bearing',
  description: 'Vibration above 4 mm/s on the spindle housing.', type: 'corrective', status: 'completed',
  scheduled_start: at(-day - 4 * hour), scheduled_end: at(-day), created_at: at(-2 * day), updated_at: at(-day),
})
const newEvent = { machine_id: cnc1, title: 'Spindle check', scheduled_start: '2026-04-10T08:00:00.250Z', scheduled_end: '2026-04-10T10:00:00Z' }

describe('GET /maintenance', () => {
  it("lists the tenant's events, earliest start first, in the pagination envelope", async () => {
    const res = await t.api('/maintenance', { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ items: [completed(), scheduled()], total: 2, page: 1, page_size: 20, total_pages: 1 })
  })

  it.each([
    ['machine_id', () => `machine_id=${cnc1}`, () => [scheduled()]],
    ['status', () => 'status=completed', () => [completed()]],
    ['start_after', () => `start_after=${at()}`, () => [scheduled()]],
    ['end_before', () => `end_before=${at(-day)}`, () => [completed()]],
    ['start_after and end_before', () => `start_after=${at(-day - 4 * hour)}&end_before=${at(2 * day + 4 * hour)}`, () => [completed(), scheduled()]],
    ['page', () => 'page_size=1&page=2', () => [scheduled()]],
  ])('filters by %s (inclusive bounds)', async (_, query, items) => {
    const body = await (await t.api(`/maintenance?${query()}`, { headers: await t.bearer('viewer@acme.example') })).json()
    expect(body.items).toEqual(items())
  })

  it.each([
    ['status=done', { loc: ['query', 'status'], msg: "Input should be 'scheduled', 'in_progress', 'completed' or 'cancelled'", type: 'enum' }],
    ['start_after=yesterday', { loc: ['query', 'start_after'], msg: 'Input should be a valid datetime or date, invalid character in year', type: 'datetime_from_date_parsing' }],
    ['machine_id=CNC-001', { loc: ['query', 'machine_id'], msg: 'Input should be a valid UUID, invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `N` at 2', type: 'uuid_parsing' }],
    ['page_size=101', { loc: ['query', 'page_size'], msg: 'Input should be less than or equal to 100', type: 'less_than_equal' }],
  ])('answers 422 for %s', async (query, item) => {
    const res = await t.api(`/maintenance?${query}`, { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail: [item] })
  })
})

describe('maintenance event lifecycle', () => {
  it('creates with defaults, reads, replaces and deletes an event', async () => {
    const headers = await t.bearer('operator@acme.example')
    const created = await t.api('/maintenance', { method: 'POST', headers, json: newEvent })
    expect(created.status).toBe(201)
    const event = await created.json()
    expect(event).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/), tenant_id: acme, machine_id: cnc1, title: 'Spindle check', description: null,
      type: 'preventive', status: 'scheduled', scheduled_start: '2026-04-10T08:00:00Z', scheduled_end: '2026-04-10T10:00:00Z',
      created_at: at(), updated_at: at(),
    })
    expect(await (await t.api(`/maintenance/${event.id}`, { headers: await t.bearer('viewer@acme.example') })).json()).toEqual(event)

    t.clock.advance(60_000)
    const replaced = await t.api(`/maintenance/${event.id}`, {
      method: 'PUT', headers,
      json: { machine_id: cnc2, title: 'Spindle check (moved)', description: 'Moved a day', scheduled_start: '2026-04-11T08:00:00Z', scheduled_end: '2026-04-11T09:00:00Z', type: 'inspection' },
    })
    expect(replaced.status).toBe(200)
    const moved = {
      ...event, machine_id: cnc2, title: 'Spindle check (moved)', description: 'Moved a day', type: 'inspection',
      scheduled_start: '2026-04-11T08:00:00Z', scheduled_end: '2026-04-11T09:00:00Z', updated_at: at(60_000),
    }
    expect(await replaced.json()).toEqual(moved)

    const done = await t.api(`/maintenance/${event.id}`, { method: 'PUT', headers, json: { ...newEvent, status: 'completed' } })
    expect(await done.json()).toEqual({ ...event, status: 'completed', updated_at: at(60_000) })

    const deleted = await t.api(`/maintenance/${event.id}`, { method: 'DELETE', headers })
    expect(deleted.status).toBe(204)
    expect(await deleted.text()).toBe('')
    const gone = await t.api(`/maintenance/${event.id}`, { headers })
    expect(gone.status).toBe(404)
    expect(await gone.json()).toEqual({ detail: 'Maintenance event not found.' })
  })

  it('accepts every documented type and a status on create', async () => {
    const headers = await t.bearer('admin@acme.example')
    const res = await t.api('/maintenance', { method: 'POST', headers, json: { ...newEvent, type: 'predictive', status: 'in_progress', description: 'From the model' } })
    expect(res.status).toBe(201)
    expect(await res.json()).toMatchObject({ type: 'predictive', status: 'in_progress', description: 'From the model' })
  })
})

describe('maintenance refusals', () => {
  it.each([
    ['POST', '/maintenance', newEvent],
    ['PUT', `/maintenance/${demoId('maintenance:acme:1')}`, newEvent],
    ['DELETE', `/maintenance/${demoId('maintenance:acme:1')}`, undefined],
  ])('%s %s refuses a viewer with 403', async (method, path, json) => {
    const res = await t.api(path, { method, headers: await t.bearer('viewer@acme.example'), json })
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({ detail: 'Insufficient permissions.' })
  })

  it.each([
    ['GET', undefined],
    ['PUT', newEvent],
    ['DELETE', undefined],
  ])("%s answers 404 for another tenant's event", async (method, json) => {
    const res = await t.api(`/maintenance/${demoId('maintenance:globex:1')}`, { method, headers: await t.bearer('admin@acme.example'), json })
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ detail: 'Maintenance event not found.' })
  })

  it.each([
    ['POST', '/maintenance'],
    ['PUT', `/maintenance/${demoId('maintenance:acme:1')}`],
  ])('%s %s answers 404 for a machine of another tenant', async (method, path) => {
    const res = await t.api(path, { method, headers: await t.bearer('admin@acme.example'), json: { ...newEvent, machine_id: demoId('machine:globex:GLX-001') } })
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ detail: 'Machine not found.' })
  })

  it('answers 422 for a path id that is not a UUID', async () => {
    const res = await t.api('/maintenance/42', { headers: await t.bearer('viewer@acme.example') })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail: [{ loc: ['path', 'event_id'], msg: 'Input should be a valid UUID, invalid length: expected length 32 for simple format, found 2', type: 'uuid_parsing' }] })
  })

  const endAfterStart = { loc: ['body'], msg: 'Value error, scheduled_end must be after scheduled_start', type: 'value_error' }
  it.each([
    ['no fields', {}, [
      { loc: ['body', 'machine_id'], msg: 'Field required', type: 'missing' },
      { loc: ['body', 'title'], msg: 'Field required', type: 'missing' },
      { loc: ['body', 'scheduled_start'], msg: 'Field required', type: 'missing' },
      { loc: ['body', 'scheduled_end'], msg: 'Field required', type: 'missing' },
    ]],
    ['an end before the start', { ...newEvent, scheduled_end: '2026-04-10T07:00:00Z' }, [endAfterStart]],
    ['an end equal to the start', { ...newEvent, scheduled_end: newEvent.scheduled_start }, [endAfterStart]],
    ['an unknown type (window not checked while a field fails)', { ...newEvent, type: 'reactive', scheduled_end: '2026-04-10T07:00:00Z' }, [
      { loc: ['body', 'type'], msg: "Input should be 'preventive', 'corrective', 'predictive' or 'inspection'", type: 'enum' },
    ]],
    ['an unknown status', { ...newEvent, status: 'done' }, [
      { loc: ['body', 'status'], msg: "Input should be 'scheduled', 'in_progress', 'completed' or 'cancelled'", type: 'enum' },
    ]],
    ['a title too long', { ...newEvent, title: 'x'.repeat(256) }, [{ loc: ['body', 'title'], msg: 'String should have at most 255 characters', type: 'string_too_long' }]],
  ])('POST answers 422 for %s', async (_, json, detail) => {
    const res = await t.api('/maintenance', { method: 'POST', headers: await t.bearer('operator@acme.example'), json })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail })
  })

  it('PUT checks the window too', async () => {
    const res = await t.api(`/maintenance/${demoId('maintenance:acme:1')}`, {
      method: 'PUT', headers: await t.bearer('operator@acme.example'), json: { ...newEvent, scheduled_end: '2026-04-09T10:00:00Z' },
    })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ detail: [endAfterStart] })
  })
})
