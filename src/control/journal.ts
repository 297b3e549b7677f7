import { createHash } from 'node:crypto'
import { Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import { z } from 'zod'
import type { AppEnv } from '../api/context.js'
import { queryInt, validate } from '../api/validate.js'

const JournalQuery = z.object({
  session: z.string().min(1).max(200).optional(),
  limit: queryInt(1, 100_000, 100_000),
  since: queryInt(0, Number.MAX_SAFE_INTEGER, 0),
})

/** One request as the journal keeps it: flat, no headers or bodies, so no secret can land here. */
export interface JournalEntry {
  id: number
  /** ISO 8601 with milliseconds, from the server's clock. */
  time: string
  session: string
  method: string
  path: string
  /** The status the client got; null when no response was sent (reset, hang, empty reply). */
  status: number | null
  duration_ms: number
  /** `<scenario>/<rule>` of the fault injected, or null. */
  rule: string | null
  fault: string | null
  seed: number
  rate_limit_remaining: number | null
  /** Proxy mode: kinds of drift in the upstream's answer ([] when it fits); null when not checked. */
  drift: string[] | null
  /** The Retry-After (seconds) the answer carried, or null. */
  retry_after: number | null
  /** Which credential was sent, as a fingerprint (`jwt:` or `key:` + 12 hex of its SHA-256), or null. */
  credential: string | null
  /** The `detail` of an error answer (a catalog text), or null. */
  error: string | null
}

/**
 * The request journal: a ring buffer per session (oldest dropped first), and listeners for the
 * live stream. Entries are numbered across sessions, so `since` pages through them.
 */
/** Most sessions the journal keeps entries for. */
const maxSessions = 10_000

/** What the ring keeps: an entry with its time still a number (formatted when read). */
type Record = Omit<JournalEntry, 'time' | 'credential'> & {
  timeMs: number
  /** `jwt:<token>` or `key:<key>`: kept in memory only, shown as a fingerprint. */
  secret: string | null
}

export class Journal {
  /**
   * Per session: a fixed-size ring and the index of its oldest entry. A full ring overwrites its
   * oldest record in place, so a busy server allocates nothing per request for the journal and
   * no entry lives long enough to burden the garbage collector's old generation.
   */
  private bySession = new Map<string, { ring: Record[]; head: number }>()
  private listeners = new Set<(e: JournalEntry) => void>()
  private nextId = 1

  /** `perSession` entries kept per session; 0 keeps none. */
  constructor(readonly perSession: number) {}

  /** Records one request; `timeMs` is when it arrived, on the server's clock. */
  add(entry: Omit<Record, 'id'>): void {
    if (this.perSession === 0) return
    let buf = this.bySession.get(entry.session)
    if (!buf) {
      // bounded in sessions too: the longest-known session's entries go first
      if (this.bySession.size >= maxSessions) this.bySession.delete(this.bySession.keys().next().value!)
      this.bySession.set(entry.session, (buf = { ring: [], head: 0 }))
    }
    let record: Record
    if (buf.ring.length < this.perSession) buf.ring.push((record = { id: 0, ...entry }))
    else {
      record = Object.assign(buf.ring[buf.head]!, entry)
      buf.head = (buf.head + 1) % this.perSession
    }
    record.id = this.nextId++
    if (this.listeners.size > 0) {
      const e = present(record)
      for (const listener of this.listeners) listener(e)
    }
  }

  /** Entries, oldest first: of one session or all, after id `since`, the newest `limit`. */
  list(opts: { session?: string; since?: number; limit?: number } = {}): JournalEntry[] {
    const bufs = opts.session !== undefined ? [this.bySession.get(opts.session)].filter((b) => b !== undefined) : [...this.bySession.values()]
    let out = bufs.flatMap((b) => [...b.ring.slice(b.head), ...b.ring.slice(0, b.head)])
    if (bufs.length > 1) out.sort((a, b) => a.id - b.id)
    if (opts.since !== undefined) out = out.filter((e) => e.id > opts.since!)
    return (opts.limit !== undefined ? out.slice(-opts.limit) : out).map(present)
  }

  /** Forgets one session's entries, or all. */
  clear(session?: string): void {
    if (session === undefined) this.bySession.clear()
    else this.bySession.delete(session)
  }

  /** How many live-stream listeners are attached. */
  listenerCount(): number {
    return this.listeners.size
  }

  /** Calls `listener` with every new entry until the returned function is called. */
  subscribe(listener: (e: JournalEntry) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}

/** A record as the API shows it (a copy: the ring's record will be reused). */
const present = ({ timeMs, secret, ...r }: Record): JournalEntry => ({
  id: r.id, time: new Date(timeMs).toISOString(), session: r.session, method: r.method, path: r.path, status: r.status,
  duration_ms: r.duration_ms, rule: r.rule, fault: r.fault, seed: r.seed, rate_limit_remaining: r.rate_limit_remaining,
  drift: r.drift, retry_after: r.retry_after, credential: fingerprint(secret), error: r.error,
})

/**
 * The credential a request sent, as the journal keeps it in memory (`jwt:<token>` or
 * `key:<key>`; a bearer token wins, as in authentication), or null. Shown only as a fingerprint.
 */
export function credentialSecret(bearer: string | undefined, apiKey: string | undefined): string | null {
  return bearer ? `jwt:${bearer}` : apiKey ? `key:${apiKey}` : null
}

/** `jwt:1a2b3c4d5e6f` for a credential: tells requests with the same token apart, reveals nothing. */
function fingerprint(secret: string | null): string | null {
  if (secret === null) return null
  const colon = secret.indexOf(':')
  return `${secret.slice(0, colon)}:${createHash('sha256').update(secret.slice(colon + 1)).digest('hex').slice(0, 12)}`
}

/** `/__mock/journal` (read, clear) and `/__mock/events` (server-sent events of new entries). */
export const journalControl = new Hono<AppEnv>()
  .get('/journal', validate('query', JournalQuery), (c) => {
    const q = c.req.valid('query')
    return c.json(c.get('deps').journal.list(q))
  })
  .delete('/journal', (c) => {
    c.get('deps').journal.clear(c.req.query('session'))
    return c.body(null, 204)
  })
  .get('/events', (c) => {
    const session = c.req.query('session')
    return streamSSE(c, async (stream) => {
      const queue: JournalEntry[] = []
      let wake: (() => void) | undefined
      const stop = c.get('deps').journal.subscribe((e) => {
        if (session !== undefined && e.session !== session) return
        queue.push(e)
        wake?.()
      })
      stream.onAbort(() => {
        stop()
        wake?.()
      })
      while (!stream.aborted) {
        const e = queue.shift()
        if (e) await stream.writeSSE({ event: 'request', id: String(e.id), data: JSON.stringify(e) })
        else await new Promise<void>((resolve) => (wake = resolve))
      }
      stop()
    })
  })
