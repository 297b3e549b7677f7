// The server children: each target runs in a process of its own (bench/server.ts), started here
// and talked to over the IPC channel.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { FromServer, ServerKind, ToServer } from '../server.js'
import { BenchFailure, root } from './common.js'

export interface Child {
  kind: ServerKind
  url: string
  proc: ChildProcess
  stats(): Promise<Extract<FromServer, { type: 'stats' }>>
  stop(): Promise<void>
}

const children = new Set<Child>()

/** Starts a `kind` server and waits until it listens; with `profile`, under --cpu-prof (bench/profiles/). */
export async function startServer(kind: ServerKind, env: Record<string, string> = {}, profile = false): Promise<Child> {
  const execArgv: string[] = []
  if (profile) {
    const dir = join(root, 'bench', 'profiles')
    mkdirSync(dir, { recursive: true })
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${dir}`)
  }
  const proc = spawn(process.execPath, [...execArgv, 'bin/run-ts.js', 'bench/server.ts', kind], {
    cwd: root,
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

/** Stops every server child still running. */
export async function stopAllServers(): Promise<void> {
  for (const c of [...children]) await c.stop()
}
