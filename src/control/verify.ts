import { Hono } from 'hono'
import type { AppEnv } from '../api/context.js'
import type { JournalEntry } from './journal.js'
import { errors } from '../api/errors.js'

/** One way a client misbehaved, with the journal entries that show it. */
export interface Finding {
  kind: 'retried_before_retry_after' | 'hammered_during_outage' | 'retried_write_after_reset' | 'used_expired_token' | 'refreshed_more_than_once'
  detail: string
  entries: number[]
}

/** Requests per second during a run of 503s above which the client is hammering (emulator choice). */
export const outageRateLimit = 1
/** Faults after which a write may or may not have been applied: a retry needs an idempotency plan. */
const ambiguousFaults = new Set(['reset', 'reset_after_commit', 'empty_reply', 'truncate', 'hang'])
const writes = new Set(['POST', 'PATCH'])
const refreshPath = '/api/v1/auth/refresh'

/**
 * Client-behaviour checks over one session's journal (oldest first):
 * - a request to the same method and path sooner than the Retry-After the client was given;
 * - more than one request per second to the API while it answered 503 (a run of three or more);
 * - a POST or PATCH repeated after its first try was cut off by a reset (possibly applied twice);
 * - a token sent again after the API said it had expired;
 * - more than one refresh in a row after an expiry (one refresh per expiry is enough).
 */
export function verifyEntries(entries: JournalEntry[]): Finding[] {
  const findings: Finding[] = []
  const ms = (e: JournalEntry) => Date.parse(e.time)
  entries.forEach((e, i) => {
    const next = entries.slice(i + 1).find((n) => n.method === e.method && n.path === e.path)
    if (e.retry_after !== null && next && ms(next) < ms(e) + e.retry_after * 1000) {
      findings.push({
        kind: 'retried_before_retry_after',
        detail: `${next.method} ${next.path} ${((ms(next) - ms(e)) / 1000).toFixed(1)} s after a ${e.status} with Retry-After: ${e.retry_after}`,
        entries: [e.id, next.id],
      })
    }
    if (next && e.status === null && e.fault !== null && ambiguousFaults.has(e.fault) && writes.has(e.method)) {
      findings.push({
        kind: 'retried_write_after_reset',
        detail: `${e.method} ${e.path} sent again after ${e.fault}: the first may have been applied`,
        entries: [e.id, next.id],
      })
    }
  })
  entries.forEach((e, i) => {
    const expired = e.status === 401 && (e.error === errors.token_expired.detail || e.fault === 'token_expired')
    if (!expired) return
    const later = entries.slice(i + 1)
    const reused = e.credential !== null && later.find((n) => n.credential === e.credential && n.path !== refreshPath)
    if (reused) {
      findings.push({ kind: 'used_expired_token', detail: `${reused.method} ${reused.path} sent with a token already answered as expired`, entries: [e.id, reused.id] })
    }
    const refreshes: JournalEntry[] = []
    for (const n of later) {
      if (n.method !== 'POST' || n.path !== refreshPath) break
      refreshes.push(n)
    }
    if (refreshes.length > 1) {
      findings.push({ kind: 'refreshed_more_than_once', detail: `${refreshes.length} refreshes in a row after one expiry`, entries: [e.id, ...refreshes.map((r) => r.id)] })
    }
  })
  // runs of consecutive 503s
  for (let i = 0; i < entries.length; ) {
    let j = i
    while (j < entries.length && entries[j]!.status === 503) j++
    const run = entries.slice(i, j)
    if (run.length >= 3) {
      const seconds = Math.max((ms(run.at(-1)!) - ms(run[0]!)) / 1000, 0.001)
      const rate = (run.length - 1) / seconds
      if (rate > outageRateLimit) {
        findings.push({ kind: 'hammered_during_outage', detail: `${run.length} requests in ${seconds.toFixed(1)} s while the API answered 503 (${rate.toFixed(1)}/s)`, entries: run.map((e) => e.id) })
      }
    }
    i = Math.max(j, i + 1)
  }
  return findings
}

/** `GET /__mock/sessions/{session}/verify`: the checks over that session's journal. */
export const verifyControl = new Hono<AppEnv>().get('/sessions/:session/verify', (c) => {
  const session = c.req.param('session')
  const entries = c.get('deps').journal.list({ session })
  return c.json({ session, checked_entries: entries.length, findings: verifyEntries(entries) })
})
