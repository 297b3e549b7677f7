// The CLI's start-up time: spawn `bin/haltless-mock.js` → its banner, and → the first 200 of
// GET /__mock/health.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { get } from 'node:http'
import { BenchFailure, root, round } from './common.js'

export interface Startup {
  /** Spawn → the banner's first line on stdout. */
  bannerMs: number
  /** Spawn → the first 200 of GET /__mock/health. */
  healthMs: number
}

/** Every run (rounded to 0.1 ms) and the medians. */
export interface StartupSummary {
  runs: Startup[]
  medianBannerMs: number
  medianHealthMs: number
}

function healthStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    get(url, { agent: false }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    }).on('error', () => resolve(0))
  })
}

async function startupOnce(): Promise<Startup> {
  const t0 = performance.now()
  const proc = spawn(process.execPath, ['bin/haltless-mock.js', '--port', '0', '--seed', '1', '--log-level', 'silent'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = once(proc, 'exit')
  let stderr = ''
  proc.stderr!.on('data', (d: Buffer) => (stderr += d))
  try {
    const base = await new Promise<string>((resolve, reject) => {
      let out = ''
      proc.stdout!.on('data', (d: Buffer) => {
        out += d
        const nl = out.indexOf('\n')
        if (nl < 0) return
        const m = /serving the Haltless API at (http:\/\/\S+?)\/api\/v1\b/.exec(out.slice(0, nl))
        m ? resolve(m[1]!) : reject(new BenchFailure(`unexpected first stdout line of the CLI: ${out.slice(0, nl)}`))
      })
      proc.once('exit', (code) => reject(new BenchFailure(`the CLI exited with ${code} before printing its URL: ${stderr}`)))
    })
    const bannerMs = performance.now() - t0
    const deadline = t0 + 30_000
    for (;;) {
      const status = await healthStatus(`${base}/__mock/health`)
      if (status === 200) return { bannerMs, healthMs: performance.now() - t0 }
      if (performance.now() > deadline) throw new BenchFailure(`GET ${base}/__mock/health: no 200 within 30 s (last ${status})`)
      await new Promise((r) => setTimeout(r, 2))
    }
  } finally {
    proc.kill('SIGTERM')
    await exited
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

/**
 * Starts the CLI `count` times, one after the other, after one unmeasured start that builds the
 * start-up bundle when the sources changed since the last one (bin/bundle.mjs).
 */
export async function measureStartup(count: number): Promise<StartupSummary> {
  await startupOnce()
  const runs: Startup[] = []
  for (let i = 0; i < count; i++) runs.push(await startupOnce())
  return {
    runs: runs.map((r) => ({ bannerMs: round(r.bannerMs, 1), healthMs: round(r.healthMs, 1) })),
    medianBannerMs: round(median(runs.map((r) => r.bannerMs)), 1),
    medianHealthMs: round(median(runs.map((r) => r.healthMs)), 1),
  }
}
