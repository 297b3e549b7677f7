// --state-file in process: a restart keeps the state and continues the id sequence; saves are
// debounced on the server's clock, atomic, and a failed one is logged and tried again.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { ManualClock } from '../../src/clock.js'
import { resolveConfig } from '../../src/config.js'
import { InputError } from '../../src/load-file.js'
import { createMockServer, type MockServer } from '../../src/server.js'
import { saveDelayMs } from '../../src/store/state-file.js'
import { demoPassword } from '../helpers.js'

const tmp = mkdtempSync(join(tmpdir(), 'haltless-mock-state-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))
let n = 0
/** A path in a fresh directory of its own, not yet a file. */
const freshPath = () => {
  const dir = join(tmp, String(++n))
  mkdirSync(dir)
  return join(dir, 'state.json')
}

const running = new Set<MockServer>()
afterEach(async () => {
  await Promise.all([...running].map((s) => s.close()))
  running.clear()
})

/** A listening server on `stateFile` (seed 42, rate limits off, a manual clock). */
async function start(stateFile: string, clock = new ManualClock()) {
  const server = createMockServer({ seed: 42, logLevel: 'silent', rateLimitTable: null, clock, stateFile })
  running.add(server)
  const url = await server.listen(0, '127.0.0.1')
  const api = (path: string, init: { method?: string; token?: string; json?: unknown } = {}) =>
    fetch(`${url}/api/v1${path}`, {
      method: init.method ?? 'GET',
      headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
    })
  const login = async (email = 'admin@acme.example') => {
    const res = await api('/auth/login', { method: 'POST', json: { email, password: demoPassword } })
    expect(res.status).toBe(200)
    return ((await res.json()) as { access_token: string }).access_token
  }
  const createMachine = async (token: string, identifier: string) => {
    const res = await api('/machines', { method: 'POST', token, json: { name: `Machine ${identifier}`, machine_identifier: identifier, protocol: 'json' } })
    expect(res.status).toBe(201)
    return (await res.json()) as { id: string }
  }
  const close = async () => {
    await server.close()
    running.delete(server)
  }
  return { server, url, clock, api, login, createMachine, close }
}

const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as { version: number; seed: number; rng: number[]; store: { machines: { id: string; machine_identifier: string }[] } }
const identifiersIn = (file: string) => read(file).store.machines.map((m) => m.machine_identifier)
const uuidsIn = (file: string) => new Set(readFileSync(file, 'utf8').match(/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/g))

describe('--state-file across a restart', () => {
  it('keeps a created machine with the same fields, and continues the id sequence', async () => {
    const file = freshPath()
    const first = await start(file)
    const token = await first.login()
    const machine = await first.createMachine(token, 'KEEP-1')
    const before = await (await first.api(`/machines/${machine.id}`, { token })).json()
    await first.close()

    // the same seed and the same calls again: without the saved position the sequence would
    // repeat the first run's ids (the new machine would take KEEP-1's id)
    const stored = uuidsIn(file)
    const second = await start(file)
    const secondToken = await second.login()
    const next = await second.createMachine(secondToken, 'KEEP-2')
    expect(stored.has(next.id)).toBe(false)
    const after = await second.api(`/machines/${machine.id}`, { token: secondToken })
    expect(after.status).toBe(200)
    expect(await after.json()).toEqual(before)
  })

  it('keeps tokens valid: an access token from before the restart still reads, a logged-out one stays revoked', async () => {
    const file = freshPath()
    const first = await start(file)
    const kept = await first.login()
    const revoked = await first.login('operator@acme.example')
    expect((await first.api('/auth/logout', { method: 'POST', token: revoked })).status).toBe(204)
    await first.close()

    const second = await start(file)
    expect((await second.api('/machines', { token: kept })).status).toBe(200)
    expect((await second.api('/machines', { token: revoked })).status).toBe(401)
  })

  it('starts from the demo data when the file does not exist yet, and writes it on the first save', async () => {
    const file = freshPath()
    const s = await start(file)
    expect(existsSync(file)).toBe(false)
    expect((await s.api('/machines', { token: await s.login() })).status).toBe(200)
    await s.close()
    expect(identifiersIn(file).sort()).toEqual(['CNC-001', 'CNC-002', 'GLX-001', 'PRESS-01', 'ROBOT-07'])
    expect(read(file)).toMatchObject({ version: 1, seed: 42 })
  })
})

describe('saving', () => {
  it(`saves ${saveDelayMs} ms (server clock) after a change, once for every change in that time, atomically`, async () => {
    const file = freshPath()
    const s = await start(file)
    const token = await s.login()
    await s.createMachine(token, 'SAVE-1')
    await s.createMachine(token, 'SAVE-2')
    s.clock.advance(saveDelayMs - 1)
    expect(existsSync(file)).toBe(false)
    s.clock.advance(1)
    expect(identifiersIn(file)).toContain('SAVE-2')
    // one document, no temporary file left beside it
    expect(readdirSync(join(file, '..'))).toEqual(['state.json'])

    await s.createMachine(token, 'SAVE-3')
    expect(identifiersIn(file)).not.toContain('SAVE-3')
    s.clock.advance(saveDelayMs)
    expect(identifiersIn(file)).toContain('SAVE-3')
  })

  it('does not save for reads', async () => {
    const file = freshPath()
    const s = await start(file)
    const token = await s.login()
    s.clock.advance(saveDelayMs)
    const savedAt = readFileSync(file, 'utf8')
    s.clock.advance(1000)
    expect((await s.api('/machines', { token })).status).toBe(200)
    s.clock.advance(saveDelayMs)
    expect(readFileSync(file, 'utf8')).toBe(savedAt)
  })

  it('a failed save is logged, the server keeps serving, and the next change saves', async () => {
    const file = freshPath()
    const s = await start(file)
    const token = await s.login()
    const logged = vi.spyOn(s.server.deps.logger, 'error')
    // a directory where the file should go: the rename onto it fails
    mkdirSync(file)
    await s.createMachine(token, 'FAIL-1')
    s.clock.advance(saveDelayMs)
    expect(logged).toHaveBeenCalledTimes(1)
    expect(logged.mock.calls[0]![0]).toMatchObject({ file, err: expect.objectContaining({ code: 'EISDIR' }) })
    expect(logged.mock.calls[0]![1]).toBe('state not saved (tried again after the next change and at shutdown)')
    expect(readdirSync(join(file, '..'))).toEqual(['state.json'])
    expect((await s.api('/machines', { token })).status).toBe(200)

    rmdirSync(file)
    await s.createMachine(token, 'FAIL-2')
    s.clock.advance(saveDelayMs)
    expect(identifiersIn(file)).toEqual(expect.arrayContaining(['FAIL-1', 'FAIL-2']))
    expect(logged).toHaveBeenCalledTimes(1)
  })

  it('a failed save at close is logged and close still resolves', async () => {
    const file = freshPath()
    const s = await start(file)
    const logged = vi.spyOn(s.server.deps.logger, 'error')
    mkdirSync(file)
    await s.close()
    expect(logged).toHaveBeenCalledTimes(1)
  })

  it('POST /__mock/reset goes back to the demo data and saves that', async () => {
    const file = freshPath()
    const first = await start(file)
    await first.createMachine(await first.login(), 'GONE-1')
    first.clock.advance(saveDelayMs)
    expect(identifiersIn(file)).toContain('GONE-1')
    expect((await fetch(`${first.url}/__mock/reset`, { method: 'POST' })).status).toBe(200)
    first.clock.advance(saveDelayMs)
    expect(identifiersIn(file)).not.toContain('GONE-1')
    await first.close()

    const second = await start(file)
    const list = (await (await second.api('/machines?page_size=100', { token: await second.login() })).json()) as { total: number }
    expect(list.total).toBe(4)
  })

  it('PATCH /__mock/tenants is saved', async () => {
    const file = freshPath()
    const s = await start(file)
    const tenants = (await (await fetch(`${s.url}/__mock/tenants`)).json()) as { id: string; name: string }[]
    const globex = tenants.find((t) => t.name === 'Globex Corporation')!
    const res = await fetch(`${s.url}/__mock/tenants/${globex.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ subscription_tier: 'enterprise' }) })
    expect(res.status).toBe(200)
    s.clock.advance(saveDelayMs)
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { store: { tenants: { id: string; subscription_tier: string }[] } }
    expect(saved.store.tenants.find((t) => t.id === globex.id)?.subscription_tier).toBe('enterprise')
  })
})

describe('a bad state file stops start-up with the file, the field and what was expected', () => {
  const good = () => {
    const file = freshPath()
    const s = createMockServer({ seed: 42, logLevel: 'silent', rateLimitTable: null, clock: new ManualClock(), stateFile: file })
    void s.close()
    return read(file) as unknown as Record<string, unknown> & { store: Record<string, unknown[]> }
  }
  const cases: [string, (doc: ReturnType<typeof good>) => string, string][] = [
    ['not JSON', () => '{"version": 1,', 'not a state file: invalid JSON (Expected double-quoted property name in JSON at position 14)'],
    ['empty', () => '', 'not a state file: invalid JSON (the file is empty)'],
    ['an array', () => '[]', 'not a state file: expected a JSON object with version, saved_at, seed, rng and store'],
    ['another version', (d) => JSON.stringify({ ...d, version: 2 }), 'version must be 1 (the state-file version this haltless-mock reads) (got 2)'],
    ['no store', (d) => JSON.stringify({ ...d, store: undefined }), 'store is required (expected object)'],
    ['an rng of the wrong length', (d) => JSON.stringify({ ...d, rng: [1, 2] }), 'rng must be 4 integers (the id sequence\'s position) (got [1,2])'],
    ['a machine without an id', (d) => JSON.stringify({ ...d, store: { ...d.store, machines: [{ tenant_id: 'x' }] } }), 'store.machines[0].id must be a string (got nothing)'],
    ['an unknown tag', (d) => JSON.stringify({ ...d, store: { ...d.store, machines: [{ id: 'm', tenant_id: 't', location: { $foo: 1 } }] } }),
      'store.machines[0].location.$foo is not a known tag (expected one of $map, $set, $num, $date, $bytes, $bigint, $undefined, $obj)'],
  ]
  it.each(cases)('%s', (_, text, message) => {
    const file = freshPath()
    writeFileSync(file, text(good()))
    expect(() => createMockServer({ logLevel: 'silent', stateFile: file })).toThrow(new InputError(`Failed to load ${file}: ${message}`))
  })

  it('a file in a directory that does not exist', () => {
    const file = join(tmp, 'missing-dir', 'state.json')
    expect(() => createMockServer({ logLevel: 'silent', stateFile: file })).toThrow(new InputError(`Failed to load ${file}: no such file, and its directory ${join(tmp, 'missing-dir')} does not exist`))
  })
})

describe('stateFile in a config file', () => {
  it('is found next to the config file, not in the working directory', () => {
    const dir = join(tmp, 'config')
    mkdirSync(dir)
    writeFileSync(join(dir, 'mock.yaml'), 'stateFile: state.json\n')
    expect(resolveConfig({ file: join(dir, 'mock.yaml') }).stateFile).toBe(join(dir, 'state.json'))
  })
})
