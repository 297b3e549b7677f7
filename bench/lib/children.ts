// The server children: each target runs in a process of its own (bench/server.ts), started here
// and talked to over the IPC channel. Other programs (the peers: Prism, WireMock) run as plain
// commands, their CPU and memory read from /proc.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FromServer, ServerKind, ToServer } from '../server.js'
import { BenchFailure, root } from './common.js'

/** A child's memory and CPU time so far. */
export interface ChildStats {
  rssBytes: number
  /** Peak resident set. */
  maxRssBytes: number
  cpuUserUs: number
  cpuSystemUs: number
}

export interface Child {
  /** A bench/server.ts kind, or the name of a command child. */
  kind: ServerKind | string
  url: string
  proc: ChildProcess
  stats(): Promise<ChildStats>
  stop(): Promise<void>
}

const children = new Set<Child>()

/**
 * Starts a `kind` server and waits until it listens; with `profile`, under --cpu-prof (bench/profiles/).
 * `cwd` is the checkout whose bench/server.ts (and sources) run: this one unless another is named.
 */
export async function startServer(kind: ServerKind, env: Record<string, string> = {}, profile = false, cwd = root): Promise<Child> {
  const execArgv: string[] = []
  if (profile) {
    const dir = join(root, 'bench', 'profiles')
    mkdirSync(dir, { recursive: true })
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${dir}`)
  }
  const proc = spawn(process.execPath, [...execArgv, 'bin/run-ts.js', 'bench/server.ts', kind], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const exited = once(proc, 'exit')
  const ready = await new Promise<FromServer>((resolve, reject) => {
    proc.once('message', resolve)
    proc.once('exit', (code) => reject(new BenchFailure(`${kind} server exited with ${code} before listening`)))
  })
  if (ready.type !== 'ready') throw new BenchFailure(`${kind} server: unexpected first message ${JSON.stringify(ready)}`)
  const child: Child = {
    kind,
    url: ready.url,
    proc,
    stats: () =>
      new Promise((resolve, reject) => {
        if (!proc.connected) return reject(new BenchFailure(`${kind} server is gone (exit ${proc.exitCode ?? proc.signalCode})`))
        const died = (code: number | null, signal: string | null) => reject(new BenchFailure(`${kind} server exited (${code ?? signal}) during the run`))
        proc.once('exit', died)
        proc.once('message', (m: FromServer) => {
          proc.off('exit', died)
          if (m.type === 'stats') resolve(m)
        })
        proc.send({ type: 'stats' } satisfies ToServer)
      }),
    async stop() {
      children.delete(child)
      if (proc.connected) proc.send({ type: 'stop' } satisfies ToServer)
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    },
  }
  children.add(child)
  return child
}

/** Sends SIGTERM (then SIGKILL after 10 s) and waits for the exit. */
async function terminate(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return
  const exited = once(proc, 'exit')
  proc.kill('SIGTERM')
  const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}

let clockTicksPerS: number | undefined
/** USER_HZ, the unit of utime and stime in /proc/<pid>/stat (100 on every common Linux). */
function ticksPerS(): number {
  if (clockTicksPerS === undefined) {
    try {
      clockTicksPerS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
    } catch {
      clockTicksPerS = 100
    }
  }
  return clockTicksPerS
}

/**
 * Memory and CPU of any process from /proc (Linux): VmRSS and VmHWM of /proc/<pid>/status, utime and
 * stime of /proc/<pid>/stat (all threads; 10 ms resolution at USER_HZ 100).
 */
export function procStats(pid: number): ChildStats {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kB = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // fields after the command name (which may hold spaces, so split after its closing parenthesis): state is field 3, utime 14, stime 15
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const us = (i: number) => (Number(fields[i - 3]) / ticksPerS()) * 1e6
  return { rssBytes: kB('VmRSS'), maxRssBytes: kB('VmHWM'), cpuUserUs: us(14), cpuSystemUs: us(15) }
}

export interface CommandOptions {
  cwd?: string
  env?: Record<string, string>
  /**
   * Resolves the server's base URL (http://host:port) once it serves: given the child and a function
   * returning everything the child printed so far. Rejecting, or the child exiting first, fails the start.
   */
  ready(proc: ChildProcess, output: () => string): Promise<string>
}

/**
 * Starts any server program as `command args` (no IPC channel; stats from /proc, so Linux only) and
 * waits until `ready` resolves its URL. Its stdout and stderr are read continuously (the last 64 kB
 * are kept for error messages), so a chatty server never blocks on a full pipe.
 */
export async function startCommand(name: string, command: string, args: string[], options: CommandOptions): Promise<Child> {
  const proc = spawn(command, args, { cwd: options.cwd ?? root, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const keep = (d: Buffer) => {
    output += d.toString()
    if (output.length > 65_536) output = output.slice(-65_536)
  }
  proc.stdout!.on('data', keep)
  proc.stderr!.on('data', keep)
  const failed = new Promise<never>((_, reject) => {
    proc.once('error', (err) => reject(new BenchFailure(`${name}: could not start ${command}: ${err.message}`)))
    proc.once('exit', (code, signal) => reject(new BenchFailure(`${name} exited (${code ?? signal}) before serving; its output:\n${output.trim().slice(-2000)}`)))
  })
  failed.catch(() => {})
  let url: string
  try {
    url = await Promise.race([options.ready(proc, () => output), failed])
  } catch (err) {
    await terminate(proc)
    throw err
  }
  const child: Child = {
    kind: name,
    url,
    proc,
    async stats() {
      if (proc.exitCode !== null || proc.signalCode !== null) throw new BenchFailure(`${name} exited (${proc.exitCode ?? proc.signalCode}) during the run; its output:\n${output.trim().slice(-2000)}`)
      return procStats(proc.pid!)
    },
    async stop() {
      children.delete(child)
      await terminate(proc)
    },
  }
  children.add(child)
  return child
}

/** Stops every server child still running. */
export async function stopAllServers(): Promise<void> {
  for (const c of [...children]) await c.stop()
}
