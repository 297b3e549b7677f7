import { z } from 'zod'
import { ingestItemErrors } from '../../api/errors.js'
import { parseJsonBody } from '../../api/json-body.js'
import { bodyText } from '../../api/body-limit.js'
import { defineFault } from '../fault-kind.js'

const reasons = Object.keys(ingestItemErrors) as [keyof typeof ingestItemErrors, ...(keyof typeof ingestItemErrors)[]]

/**
 * For `POST /ingest`: rejects chosen readings with a real per-item error and lets the API store
 * the rest; the 207 merges both, indexes as in the request.
 */
export const partialBatch = defineFault({
  kind: 'partial_batch',
  description: '207 with chosen readings rejected (real per-item shape); the accepted ones are stored',
  options: z.object({
    every: z.number().int().min(1).optional().describe('reject every Nth reading (1-based: 3 rejects indexes 2, 5, 8, ...)'),
    probability: z.number().min(0).max(1).optional().describe('reject each reading with this chance, seeded'),
    indexes: z.array(z.number().int().min(0)).optional().describe('reject these 0-based indexes'),
    error: z.enum(reasons).default('value_not_finite').describe('the per-item error of a rejected reading'),
  }),
  async apply({ c, rng }, o, next) {
    const parsed = parseJsonBody(await bodyText(c))
    const readings = parsed.ok && parsed.value && typeof parsed.value === 'object' ? (parsed.value as { readings?: unknown }).readings : undefined
    if (!Array.isArray(readings)) return next() // not a batch: the API's own 422 answers
    const rejected = new Set(
      readings.flatMap((_, i) =>
        (o.every !== undefined && (i + 1) % o.every === 0) || o.indexes?.includes(i) || (o.probability !== undefined && rng.float() < o.probability) ? [i] : [],
      ),
    )
    if (rejected.size === readings.length) return next()
    const kept = readings.flatMap((r, i) => (rejected.has(i) ? [] : [{ r, i }]))
    // The API reads the body through HonoRequest's cache: hand it the batch without the rejected readings.
    ;(c.req.bodyCache as Record<string, unknown>).text = Promise.resolve(JSON.stringify({ ...(parsed.ok ? (parsed.value as object) : {}), readings: kept.map((k) => k.r) }))
    const res = await next()
    if (res.status !== 207) return res
    const result = (await res.json()) as { accepted_count: number; rejected_count: number; errors: { index: number; machine_identifier: string; error: string }[] }
    const errors = [
      ...result.errors.map((e) => ({ ...e, index: kept[e.index]!.i })),
      ...[...rejected].map((i) => ({ index: i, machine_identifier: String((readings[i] as { machine_identifier?: unknown })?.machine_identifier ?? ''), error: ingestItemErrors[o.error] })),
    ].sort((a, b) => a.index - b.index)
    const headers = new Headers(res.headers)
    headers.delete('content-length')
    return new Response(JSON.stringify({ accepted_count: result.accepted_count, rejected_count: errors.length, errors }), { status: 207, headers })
  },
})
