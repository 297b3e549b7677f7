import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { bundled } from '../../bin/bundle.mjs'
import { children, kill, login, run, start, timeout, version } from './helpers.js'

afterAll(async () => Promise.all([...children].map(kill)))

describe('start-up bundle (bin/bundle.mjs)', () => {
  it('bundles the CLI once into the cache, keyed by the sources, and reuses it', async () => {
    const url = await bundled('src/cli.ts')
    expect(url).toMatch(/^file:\/\/.*\/src-cli-ts-[0-9a-f]{16}\.mjs$/)
    const file = new URL(url!).pathname
    expect(existsSync(file)).toBe(true)
    expect(await bundled('src/cli.ts')).toBe(url)
    // no older bundle is left beside it
    expect(readdirSync(join(file, '..')).filter((f) => f.startsWith('src-cli-ts-') && f.endsWith('.mjs'))).toEqual([file.split('/').at(-1)])
  }, timeout)

  it('serves from the bundle: the files read beside the sources (scenarios, dashboard) are found', async () => {
    const cli = await start(['--port', '0', '--seed', '1'])
    expect((await login(cli.url)).status).toBe(200)
    const scenarios = (await (await fetch(`${cli.url}/__mock/scenarios`)).json()) as { name: string }[]
    expect(scenarios.map((s) => s.name)).toContain('rate-limit-burst')
    const page = await fetch(`${cli.url}/__mock/`)
    expect([page.status, (await page.text()).includes('<title>haltless-mock dashboard</title>')]).toEqual([200, true])
    expect((await fetch(`${cli.url}/__mock/docs/swagger-ui.css`)).status).toBe(200)
    expect(((await (await fetch(`${cli.url}/__mock/health`)).json()) as { version: string }).version).toBe(version)
    await kill(cli.child)
  }, timeout)

  it('HALTLESS_MOCK_NO_BUNDLE=1 runs the sources through the hooks instead', async () => {
    const out = await run(['--version'], { HALTLESS_MOCK_NO_BUNDLE: '1' })
    expect([out.code, out.stdout.trim(), out.stderr]).toEqual([0, version, ''])
  }, timeout)
})
