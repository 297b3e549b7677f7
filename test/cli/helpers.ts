// Shared by the CLI tests: the real command line, as a user runs it (`node bin/haltless-mock.js ...`
// from the package root), run to completion or started until its banner is printed.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'
import { demoPassword } from '../helpers.js'

const root = new URL('../..', import.meta.url).pathname
export const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version
/** How long any one child may take to exit or to print its banner (the sources are transformed on start; CI machines are slow). */
const waitMs = 15_000
/** Per test: a test waits for up to two children. */
export const timeout = 2 * waitMs + 5_000

/** The parent's environment without any HALTLESS_MOCK_* setting, plus `env`. */
function childEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HALTLESS_MOCK_')))
  return { ...clean, ...env }
}

export const children = new Set<ChildProcess>()

function spawnCli(args: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, ['bin/haltless-mock.js', ...args], { cwd: root, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}

/** Kills `child` if it still runs and waits for it to be gone. */
export async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const gone = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGKILL')
  await gone
}

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

/**
 * Resolves when `child` has exited and its output is read (`close`); kills it and rejects if that
 * takes longer than `waitMs`.
 */
export function exitOf(child: ChildProcess): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void kill(child)
      reject(new Error(`the CLI did not exit within ${waitMs} ms`))
    }, waitMs)
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer)
      resolve({ code, signal })
    })
  })
}

/** Runs the CLI to completion. */
export async function run(args: string[], env: Record<string, string> = {}): Promise<Exit & { stdout: string; stderr: string }> {
  const child = spawnCli(args, env)
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s))
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s))
  const exit = await exitOf(child)
  return { ...exit, stdout, stderr }
}

/** A running `haltless-mock` whose banner has been printed. */
export interface Running {
  child: ChildProcess
  /** `http://127.0.0.1:<port>` */
  url: string
  banner: string
  stderr(): string
}

/** Starts the CLI and reads its stdout until the whole banner is there (never sleeps). */
export function start(args: string[], env: Record<string, string> = {}): Promise<Running> {
  const child = spawnCli(args, env)
  let stdout = ''
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void kill(child)
      reject(new Error(`no banner within ${waitMs} ms; stdout: ${stdout}; stderr: ${stderr}`))
    }, waitMs)
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer)
      reject(new Error(`the CLI exited (${code ?? signal}) before its banner; stdout: ${stdout}; stderr: ${stderr}`))
    }
    child.once('exit', onExit)
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      stdout += s
      // the banner's last line: the demo API key, the note that there is no demo data, or (proxy) the drift line
      if (!/X-API-Key: |no demo data|  drift http/.test(stdout) || !stdout.endsWith('\n')) return
      clearTimeout(timer)
      child.off('exit', onExit)
      const url = /^haltless-mock \S+ (?:serving the Haltless API at|forwarding) (http:\/\/127\.0\.0\.1:\d+)\/api\/v1\b/m.exec(stdout)?.[1]
      if (!url) return reject(new Error(`unexpected banner: ${stdout}`))
      resolve({ child, url, banner: stdout, stderr: () => stderr })
    })
  })
}

export function login(url: string, email = 'admin@acme.example', password = demoPassword): Promise<Response> {
  return fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) })
}

/**
 * A fresh temporary directory for a test file, and the safety net: after the file's tests, every
 * CLI child still running is killed and the directory is removed. Call it at the top of the file.
 */
export function useTmpDir(): { tmp: string; file(name: string, text: string): string } {
  const tmp = mkdtempSync(join(tmpdir(), 'haltless-mock-cli-'))
  /** Writes `text` to `<tmp>/<name>` and returns the absolute path. */
  function file(name: string, text: string): string {
    const path = join(tmp, name)
    mkdirSync(join(path, '..'), { recursive: true })
    writeFileSync(path, text)
    return path
  }
  // a safety net: every test waits for its own children, and the serving tests kill theirs after each
  afterAll(async () => {
    await Promise.all([...children].map(kill))
    rmSync(tmp, { recursive: true, force: true })
  })
  return { tmp, file }
}
