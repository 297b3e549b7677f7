// Summarises V8 .cpuprofile files (from `npm run bench -- --profile`): the functions with the
// largest self time, and the largest inclusive time, as shares of all samples.
//
//   node bin/run-ts.js bench/profile-summary.ts [--top 25] [--callers <text>] bench/profiles/<file>.cpuprofile ...
//
// --callers prints, for the frames whose name contains <text>, the call chains leading to them
// (three frames up) with the time spent under them.
import { readFileSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

const root = resolve(fileURLToPath(import.meta.url), '../..')
const { values, positionals } = parseArgs({ options: { top: { type: 'string', default: '25' }, callers: { type: 'string' } }, allowPositionals: true })
const top = Number(values.top)
if (positionals.length === 0) throw new Error('usage: bench/profile-summary.ts [--top N] <file.cpuprofile> ...')

const where = (n: ProfileNode): string => {
  const { functionName, url, lineNumber } = n.callFrame
  let file = url.replace(/^file:\/\//, '')
  if (file.startsWith(root)) file = relative(root, file)
  file = file.replace(/^.*node_modules\//, '')
  return `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim()
}

for (const file of positionals) {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const selfUs = new Map<number, number>()
  p.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)))
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0)

  const self = new Map<string, number>()
  const inclusive = new Map<string, number>()
  for (const [id, us] of selfUs) {
    const leaf = byId.get(id)!
    self.set(where(leaf), (self.get(where(leaf)) ?? 0) + us)
    // each distinct frame on the stack once, so recursion is not counted twice
    const seen = new Set<string>()
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const key = where(byId.get(cur)!)
      if (seen.has(key)) continue
      seen.add(key)
      inclusive.set(key, (inclusive.get(key) ?? 0) + us)
    }
  }
  const show = (title: string, m: Map<string, number>) => {
    console.log(`  ${title}`)
    for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top))
      console.log(`    ${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`)
  }
  console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled`)
  show('self time', self)
  show('inclusive time', inclusive)
  if (values.callers) {
    const chains = new Map<string, number>()
    for (const [id, us] of selfUs) {
      const stack: string[] = []
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) stack.push(where(byId.get(cur)!))
      // the outermost matching frame, so nested matches are counted once
      let at = stack.length - 1
      while (at >= 0 && !stack[at]!.includes(values.callers)) at--
      if (at < 0) continue
      const chain = stack.slice(at, at + 4).reverse().join('  >  ')
      chains.set(chain, (chains.get(chain) ?? 0) + us)
    }
    show(`callers of "${values.callers}"`, chains)
  }
}
