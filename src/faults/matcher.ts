/** Path patterns: `*` is one segment, `**` any number of segments (zero included). */
export interface PathPattern {
  /** The literal part before the first wildcard: the index key. */
  prefix: string
  regex: RegExp | null
}

const compiled = new Map<string, PathPattern>()

/** Compiles `/api/v1/machines/*` style patterns (once per distinct pattern). A pattern without wildcards is matched exactly. */
export function compilePath(pattern: string): PathPattern {
  let p = compiled.get(pattern)
  if (!p) {
    if (compiled.size >= 10_000) compiled.clear()
    compiled.set(pattern, (p = compileNew(pattern)))
  }
  return p
}

function compileNew(pattern: string): PathPattern {
  const segments = pattern.split('/')
  const firstWild = segments.findIndex((s) => s.includes('*'))
  if (firstWild === -1) return { prefix: pattern, regex: null }
  const prefix = segments.slice(0, firstWild).join('/')
  let source = ''
  for (let i = 1; i < segments.length; i++) {
    const s = segments[i]!
    if (s === '**') source += '(?:/[^/]*)*'
    else source += '/' + s.split('*').map(escape).join('[^/]*')
  }
  return { prefix, regex: new RegExp(`^${source}/?$`) }
}

/** Whether `path` matches the compiled pattern. */
export function matchPath(p: PathPattern, path: string): boolean {
  if (!path.startsWith(p.prefix)) return false
  return p.regex ? p.regex.test(path) : path === p.prefix
}

const escape = (s: string): string => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')

/**
 * FNV-1a then murmur3's finalizer, 32 bits: turns (seed, session, rule, ordinal) into the seed of
 * one decision. The finalizer matters: FNV alone leaves neighbouring ordinals' hashes so alike that
 * the generator's first draws are biased.
 */
export function hash32(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}
