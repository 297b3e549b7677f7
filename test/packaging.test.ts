import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { ConfigSchema, defaultConfig, envNameOf, resolveConfig } from '../src/config.js'
import { createMockServer, type MockServer } from '../src/server.js'

// No container engine runs these tests: they check what can be checked without one, so that the
// image and the compose file cannot silently drift from the code and the README.

const root = new URL('..', import.meta.url).pathname
const read = (path: string) => readFileSync(join(root, path), 'utf8')

/** The command the README says the image runs; the README shows it as `code`. */
const documentedCommand = 'node bin/haltless-mock.js --host 0.0.0.0'

/** Dockerfile instructions: comments dropped, continuation lines joined. */
function instructions(text: string): { op: string; args: string }[] {
  const joined = text
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ')
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [, op, args] = /^(\S+)\s*(.*)$/.exec(l)!
      return { op: op!.toUpperCase(), args: args! }
    })
}

/** `["node", "x"]` (exec form) or `node x` (shell form) as a list of words. */
const words = (args: string): string[] => (args.startsWith('[') ? (JSON.parse(args) as string[]) : args.split(/\s+/))

const dockerfile = instructions(read('Dockerfile'))
const last = (op: string) => dockerfile.filter((i) => i.op === op).at(-1)
/** What `docker run IMAGE` runs: ENTRYPOINT followed by CMD. */
const imageCommand = [...(last('ENTRYPOINT') ? words(last('ENTRYPOINT')!.args) : []), ...(last('CMD') ? words(last('CMD')!.args) : [])]

/** The sources of every COPY: flags and the destination dropped. */
const copySources = dockerfile
  .filter((i) => i.op === 'COPY')
  .flatMap((i) => {
    const parts = words(i.args).filter((w) => !w.startsWith('--'))
    return parts.slice(0, -1)
  })

/** The files a COPY source names: a glob (`package*.json`) in the root, or one path. */
function matches(source: string): string[] {
  const path = source.replace(/\/$/, '')
  if (!path.includes('*')) return existsSync(join(root, path)) ? [path] : []
  const re = new RegExp(`^${path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`)
  return readdirSync(root).filter((f) => re.test(f))
}

const compose = parseYaml(read('docker-compose.yml')) as {
  services: Record<string, { build?: string | { context?: string }; ports?: unknown[]; command?: unknown; entrypoint?: unknown; healthcheck?: { test?: unknown } }>
}
const service = compose.services?.['haltless-mock']

describe('Dockerfile', () => {
  test('builds on node:20-slim, a Node that satisfies package.json engines', () => {
    expect(dockerfile[0]).toEqual({ op: 'FROM', args: 'node:20-slim' })
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node
    expect(engines).toMatch(/^>=20\./)
  })

  test('runs exactly the command the README documents', () => {
    expect(imageCommand.join(' ')).toBe(documentedCommand)
    expect(read('README.md')).toContain('`' + documentedCommand + '`')
  })

  test('the command starts the CLI the package declares', () => {
    const [node, script] = imageCommand
    expect(node).toBe('node')
    expect((JSON.parse(read('package.json')) as { bin: Record<string, string> }).bin['haltless-mock']).toBe(script)
    expect(statSync(join(root, script!)).isFile()).toBe(true)
    // the script is in the image: some COPY brings it (or its folder)
    expect(copySources.some((s) => script === s.replace(/\/$/, '') || script!.startsWith(s.replace(/\/?$/, '/')))).toBe(true)
  })

  test('every file it COPYs exists', () => {
    expect(copySources.length).toBeGreaterThan(0)
    for (const source of copySources) expect(matches(source), source).not.toEqual([])
    // the lock file and .npmrc (engine-strict) go in with package.json, for `npm ci`
    const copied = copySources.flatMap(matches)
    for (const f of ['package.json', 'package-lock.json', '.npmrc', 'bin', 'src', 'scenarios']) expect(copied).toContain(f)
  })

  test('installs without dev dependencies, so everything the server imports at run time is a dependency', () => {
    expect(dockerfile.some((i) => i.op === 'RUN' && /\bnpm ci --omit=dev\b/.test(i.args))).toBe(true)
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> }
    const files = [join(root, 'bin/haltless-mock.js'), join(root, 'bin/ts-hooks.mjs'), join(root, 'bin/bundle.mjs'), ...walk(join(root, 'src')).filter((f) => f.endsWith('.ts'))]
    const missing: string[] = []
    for (const file of files) {
      const text = readFileSync(file, 'utf8')
      // value imports only: `import type` is erased before run time
      for (const m of text.matchAll(/^\s*import\s+(?!type\s)(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm)) {
        const spec = (m[1] ?? m[2])!
        if (spec.startsWith('.') || spec.startsWith('node:')) continue
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!
        if (!(name in pkg.dependencies)) missing.push(`${relative(root, file)}: ${name}`)
      }
    }
    expect(missing).toEqual([])
    expect(pkg.dependencies).toHaveProperty('esbuild') // bin/ts-hooks.mjs strips the types at run time
  })

  test('exposes the default port', () => {
    expect(last('EXPOSE')?.args).toBe(String(defaultConfig().port))
    expect(defaultConfig().port).toBe(4010)
  })
})

describe('.dockerignore', () => {
  const patterns = read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))

  test('excludes node_modules (the image installs its own)', () => {
    expect(patterns.map((p) => p.replace(/^\/|\/$/g, ''))).toContain('node_modules')
  })

  test('does not exclude anything the Dockerfile copies', () => {
    for (const f of copySources.flatMap(matches)) expect(patterns.map((p) => p.replace(/^\/|\/$/g, '')), f).not.toContain(f)
  })
})

describe('docker-compose.yml', () => {
  test('has a haltless-mock service built from this folder, publishing 4010:4010 (the default port)', () => {
    expect(service).toBeDefined()
    const context = typeof service!.build === 'string' ? service!.build : service!.build?.context
    expect(existsSync(join(root, context ?? '.', 'Dockerfile'))).toBe(true)
    expect(service!.ports).toEqual(['4010:4010'])
    expect(`${defaultConfig().port}:${defaultConfig().port}`).toBe('4010:4010')
  })

  test('keeps the image command: any command only adds flags, any entrypoint names a real file', () => {
    if (service!.command !== undefined) {
      const args = typeof service!.command === 'string' ? service!.command.split(/\s+/) : (service!.command as string[])
      expect(args[0]).toMatch(/^-/)
    }
    if (service!.entrypoint !== undefined) {
      const args = typeof service!.entrypoint === 'string' ? service!.entrypoint.split(/\s+/) : (service!.entrypoint as string[])
      for (const a of args.filter((x) => /\.(js|ts)$/.test(x))) expect(existsSync(join(root, a)), a).toBe(true)
    }
  })

  test('names only real settings in its environment', () => {
    const env = (service as { environment?: Record<string, string> }).environment ?? {}
    const known = Object.keys(ConfigSchema.shape).map(envNameOf)
    expect(Object.keys(env).length).toBeGreaterThan(0)
    for (const name of Object.keys(env)) expect(known, name).toContain(name)
  })

  test('has a proxy-profile service whose command is proxy-mode flags the CLI accepts', () => {
    const proxy = compose.services?.['haltless-mock-proxy'] as { profiles?: string[]; command?: string[]; ports?: string[] } | undefined
    expect(proxy?.profiles).toEqual(['proxy'])
    expect(proxy?.ports).toEqual(['4011:4010'])
    const args = proxy!.command!.map((a) => a.replace('${HALTLESS_UPSTREAM:-https://api.haltless.io}', 'https://api.haltless.io'))
    expect(args).toEqual(['--mode', 'proxy', '--upstream', 'https://api.haltless.io'])
    expect(resolveConfig({ flags: { mode: args[1], upstream: args[3] } })).toMatchObject({ mode: 'proxy', upstream: 'https://api.haltless.io' })
  })

  describe('the healthcheck', () => {
    const check = service?.healthcheck?.test as string[] | undefined
    let server: MockServer
    let url: string
    beforeAll(async () => {
      server = createMockServer({ logLevel: 'silent', seed: 1 })
      url = await server.listen(0, '127.0.0.1')
    })
    afterAll(() => server.close())

    /** Runs the healthcheck's node script with its URL pointed at `base`; resolves the exit code. */
    function runCheck(base: string): Promise<number | null> {
      const [, node, flag, script] = check!
      expect([node, flag]).toEqual(['node', '-e'])
      const local = script!.replace('http://127.0.0.1:4010', base)
      return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ['-e', local], { stdio: 'ignore' })
        const timer = setTimeout(() => {
          child.kill('SIGKILL')
          reject(new Error('the healthcheck did not finish within 10 s'))
        }, 10_000)
        child.once('exit', (code) => {
          clearTimeout(timer)
          resolve(code)
        })
      })
    }

    test('is a node one-liner (no curl in slim images) against /__mock/health on the default port', () => {
      expect(check?.[0]).toBe('CMD')
      expect(check?.[1]).toBe('node')
      expect(check?.[3]).toContain(`'http://127.0.0.1:${defaultConfig().port}/__mock/health'`)
    })

    test('the path it probes answers 200 {"status":"ok"}', async () => {
      const res = await fetch(`${url}/__mock/health`)
      expect(res.status).toBe(200)
      expect(await res.json()).toMatchObject({ status: 'ok' })
    })

    test('exits 0 against a running server and 1 when nothing listens', async () => {
      expect(await runCheck(url)).toBe(0)
      const closed = createMockServer({ logLevel: 'silent' })
      const gone = await closed.listen(0, '127.0.0.1')
      await closed.close()
      expect(await runCheck(gone)).toBe(1)
    })
  })
})

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]))
}

describe('the package (npm pack)', () => {
  const run = (cmd: string, args: string[], cwd = root) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = spawn(cmd, args, { cwd, env: { ...process.env, NO_COLOR: '1' } })
      let out = ''
      let err = ''
      child.stdout.on('data', (d: Buffer) => (out += d.toString()))
      child.stderr.on('data', (d: Buffer) => (err += d.toString()))
      child.on('close', (code) => resolve({ code, out, err }))
    })

  test('ships the CLI, the startMock entry, the sources and the scenarios; exports name them', async () => {
    const { code, out } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'])
    expect(code).toBe(0)
    const files = ((JSON.parse(out) as { files: { path: string }[] }[])[0]!.files).map((f) => f.path)
    for (const f of ['bin/haltless-mock.js', 'bin/ts-hooks.mjs', 'lib/index.js', 'src/testing/index.ts', 'src/cli.ts', 'scenarios/rate-limit-burst.yaml', 'README.md', 'package.json'])
      expect(files).toContain(f)
    expect(files.filter((f) => f.startsWith('test/') || f.startsWith('bench/'))).toEqual([])
    const pkg = JSON.parse(read('package.json')) as { exports: Record<string, { types: string; default: string }> }
    expect(pkg.exports['.']).toEqual({ types: './src/testing/index.ts', default: './lib/index.js' })
  })

  test('the entry loads in plain Node, and transforms only its own TypeScript files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'haltless-mock-entry-'))
    writeFileSync(join(dir, 'theirs.ts'), 'export const x: number = 1\n')
    const script = [
      `const { startMock } = await import(${JSON.stringify(join(root, 'lib/index.js'))})`,
      `const mock = await startMock({ seed: 1 })`,
      `const res = await fetch(mock.apiUrl + '/machines', { headers: { 'X-API-Key': mock.credentials.apiKey } })`,
      `console.log(res.status, (await mock.control.health()).status)`,
      `await mock.close()`,
      `await import(${JSON.stringify(join(dir, 'theirs.ts'))}).then(() => console.log('transformed'), (e) => console.log(e.code))`,
    ].join('\n')
    const { code, out, err } = await run(process.execPath, ['--input-type=module', '-e', script], dir)
    expect(err).toBe('')
    expect(code).toBe(0)
    expect(out.trim().split('\n')).toEqual(['200 ok', 'ERR_UNKNOWN_FILE_EXTENSION'])
  })

  test('the README carries the vitest example exactly as the suite runs it', () => {
    const block = /<!-- readme-example:start -->\n```ts\n([\s\S]*?)```\n<!-- readme-example:end -->/.exec(read('README.md'))
    expect(block?.[1]).toBe(read('test/testing/readme-example.test.ts'))
  })
})
