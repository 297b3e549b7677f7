// --state-file from the command line: a restart keeps what was created, SIGTERM saves, a bad file
// stops start-up with exit code 2 and one line, a failed save is logged and the server keeps going.
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, test, vi } from 'vitest'
import { children, exitOf, kill, login, run, start, timeout, useTmpDir } from './helpers.js'

const { tmp, file } = useTmpDir()

describe('--state-file', { timeout }, () => {
  afterEach(async () => {
    await Promise.all([...children].map(kill))
  })

  test('a restart with --state-file keeps created machines', async () => {
    const dir = join(tmp, 'restart')
    mkdirSync(dir)
    const stateFile = join(dir, 'state.json')
    const first = await start(['--port', '0', '--log-level', 'silent', '--state-file', stateFile])
    const lines = first.banner.split('\n')
    expect(lines[4]).toBe(`  state file     ${stateFile} (new; saved after changes and at exit)`)
    const seed = /seed (\d+) \(random\)/.exec(lines[1]!)?.[1]
    expect(seed).toBeDefined()
    const token = ((await (await login(first.url)).json()) as { access_token: string }).access_token
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
    const created = await fetch(`${first.url}/api/v1/machines`, { method: 'POST', headers, body: JSON.stringify({ name: 'Kept', machine_identifier: 'KEPT-1', protocol: 'json' }) })
    expect(created.status).toBe(201)
    const machine = (await created.json()) as { id: string }
    const before = await (await fetch(`${first.url}/api/v1/machines/${machine.id}`, { headers })).json()
    const exited = exitOf(first.child)
    first.child.kill('SIGTERM')
    expect(await exited).toEqual({ code: 0, signal: null })
    // one whole document, no temporary file beside it
    expect(readdirSync(dir)).toEqual(['state.json'])
    expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toMatchObject({ version: 1, seed: Number(seed) })

    // the environment variable names the file this time
    const second = await start(['--port', '0', '--log-level', 'silent'], { HALTLESS_MOCK_STATE_FILE: stateFile })
    expect(second.banner.split('\n')[1]).toContain(`seed ${seed} (from the state file)`)
    expect(second.banner.split('\n')[4]).toBe(`  state file     ${stateFile} (restored; saved after changes and at exit)`)
    const secondToken = ((await (await login(second.url)).json()) as { access_token: string }).access_token
    const secondHeaders = { authorization: `Bearer ${secondToken}`, 'content-type': 'application/json' }
    const after = await fetch(`${second.url}/api/v1/machines/${machine.id}`, { headers: secondHeaders })
    expect(after.status).toBe(200)
    expect(await after.json()).toEqual(before)
    const next = await fetch(`${second.url}/api/v1/machines`, { method: 'POST', headers: secondHeaders, body: JSON.stringify({ name: 'Next', machine_identifier: 'KEPT-2', protocol: 'json' }) })
    expect(next.status).toBe(201)
    expect(((await next.json()) as { id: string }).id).not.toBe(machine.id)
  })

  test('a failed save is logged and the server keeps serving; SIGTERM still exits 0', async () => {
    const dir = join(tmp, 'failing')
    mkdirSync(dir)
    const stateFile = join(dir, 'state.json')
    const s = await start(['--port', '0', '--log-format', 'json', '--state-file', stateFile])
    // a directory where the file goes (in place of the demo state, if that was saved already): every save fails
    rmSync(stateFile, { force: true })
    mkdirSync(stateFile)
    expect((await login(s.url)).status).toBe(200)
    await vi.waitFor(() => expect(s.stderr()).toContain(`"file":"${stateFile}","msg":"state not saved (tried again after the next change and at shutdown)"`), { timeout: 5000 })
    expect((await fetch(`${s.url}/__mock/health`)).status).toBe(200)
    const exited = exitOf(s.child)
    s.child.kill('SIGTERM')
    expect(await exited).toEqual({ code: 0, signal: null })
    expect(readdirSync(dir)).toEqual(['state.json'])
  })
})

describe('a bad state file exits 2 with one line naming the file and what was wrong', { timeout }, () => {
  const cases: [string, string, string][] = [
    ['corrupt.json', '{"version": 1, "store": ', 'not a state file: invalid JSON (Unexpected end of JSON input)'],
    ['version-2.json', '{"version": 2, "saved_at": "2026-04-04T10:30:00.000Z", "seed": 1, "rng": [1, 2, 3, 4], "store": {}}', 'version must be 1 (the state-file version this haltless-mock reads) (got 2)'],
    ['list.json', '[1, 2]', 'not a state file: expected a JSON object with version, saved_at, seed, rng and store'],
  ]
  test.concurrent.for(cases)('%s', async ([name, text, message], { expect }) => {
    const path = file(name, text)
    const r = await run(['--port', '0', '--state-file', path])
    expect(r).toMatchObject({ code: 2, stdout: '', stderr: `haltless-mock: Failed to load ${path}: ${message}\n` })
  })

  test.concurrent('a directory that does not exist', async ({ expect }) => {
    const path = join(tmp, 'nowhere', 'state.json')
    const r = await run(['--port', '0', '--state-file', path])
    expect(r).toMatchObject({ code: 2, stdout: '', stderr: `haltless-mock: Failed to load ${path}: no such file, and its directory ${join(tmp, 'nowhere')} does not exist\n` })
  })
})
