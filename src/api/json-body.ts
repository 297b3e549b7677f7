/**
 * JSON as Python's `json.loads` reads it: standard JSON plus the tokens `NaN`, `Infinity` and
 * `-Infinity` (documented: such readings must reach the per-item check, not fail as malformed).
 * A failure reports the character offset the way FastAPI's `json_invalid` loc does.
 */
export type JsonResult = { ok: true; value: unknown } | { ok: false; offset: number }

/** Deepest nesting accepted; deeper is a decode error, never a stack overflow. */
const maxDepth = 512

/** Parses `text`: JSON.parse first (fast), the lenient parser only when that fails. */
export function parseJsonBody(text: string): JsonResult {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return new LenientParser(text).parse()
  }
  // as deep as the lenient parser allows, else its error (JSON.stringify of deeper values overflows)
  return tooDeep(value, 0) ? new LenientParser(text).parse() : { ok: true, value }
}

/** Whether `value` nests deeper than maxDepth (arrays and objects). */
function tooDeep(value: unknown, depth: number): boolean {
  if (value === null || typeof value !== 'object') return false
  if (depth >= maxDepth) return true
  if (Array.isArray(value)) {
    for (const v of value) if (tooDeep(v, depth + 1)) return true
    return false
  }
  for (const k in value) if (tooDeep((value as Record<string, unknown>)[k], depth + 1)) return true
  return false
}

class LenientParser {
  private i = 0

  constructor(private s: string) {}

  parse(): JsonResult {
    try {
      this.ws()
      const value = this.value(0)
      this.ws()
      if (this.i < this.s.length) throw this.i // Python: "Extra data"
      return { ok: true, value }
    } catch (at) {
      return { ok: false, offset: typeof at === 'number' ? Math.min(at, this.s.length) : 0 }
    }
  }

  private ws(): void {
    while (this.i < this.s.length && ' \t\n\r'.includes(this.s[this.i]!)) this.i++
  }

  private value(depth: number): unknown {
    if (depth > maxDepth) throw this.i
    const ch = this.s[this.i]
    if (ch === '{') return this.object(depth)
    if (ch === '[') return this.array(depth)
    if (ch === '"') return this.string()
    for (const [word, v] of literals) if (this.s.startsWith(word, this.i)) return (this.i += word.length), v
    return this.number()
  }

  private object(depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    this.i++
    this.ws()
    if (this.s[this.i] === '}') return this.i++, out
    for (;;) {
      if (this.s[this.i] !== '"') throw this.i
      const key = this.string()
      this.ws()
      if (this.s[this.i] !== ':') throw this.i
      this.i++
      this.ws()
      // an own property, as JSON.parse makes it: `out.__proto__ = ...` would set the prototype,
      // and its fields would then pass validation as if they were the body's
      Object.defineProperty(out, key, { value: this.value(depth + 1), enumerable: true, writable: true, configurable: true })
      this.ws()
      if (this.s[this.i] === '}') return this.i++, out
      if (this.s[this.i] !== ',') throw this.i
      this.i++
      this.ws()
    }
  }

  private array(depth: number): unknown[] {
    const out: unknown[] = []
    this.i++
    this.ws()
    if (this.s[this.i] === ']') return this.i++, out
    for (;;) {
      out.push(this.value(depth + 1))
      this.ws()
      if (this.s[this.i] === ']') return this.i++, out
      if (this.s[this.i] !== ',') throw this.i
      this.i++
      this.ws()
    }
  }

  private string(): string {
    const start = this.i
    stringToken.lastIndex = start
    const m = stringToken.exec(this.s)
    if (!m) throw start // Python: "Unterminated string starting at" / "Invalid control character"
    this.i += m[0].length
    return JSON.parse(m[0]) as string
  }

  private number(): number {
    numberToken.lastIndex = this.i
    const m = numberToken.exec(this.s)
    if (!m) throw this.i // Python: "Expecting value"
    this.i += m[0].length
    return Number(m[0])
  }
}

const stringToken = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y
const numberToken = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y

const literals: [string, unknown][] = [
  ['true', true],
  ['false', false],
  ['null', null],
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
]
