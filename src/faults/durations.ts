import { z } from 'zod'

const units = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const

/** A duration: milliseconds as a number, or text like `500ms`, `30s`, `2m`, `1h`. */
export const Duration = z
  .union([z.number().int().min(0).max(31 * 86_400_000), z.string().regex(/^\d+(?:\.\d+)?(?:ms|s|m|h)$/, 'a duration like 500ms, 30s, 2m or 1h')])
  .transform((v) => (typeof v === 'number' ? v : toMs(v)))
  .describe('milliseconds, or text such as "500ms", "30s", "2m", "1h"')

function toMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text)!
  return Math.round(Number(m[1]) * units[m[2] as keyof typeof units])
}
