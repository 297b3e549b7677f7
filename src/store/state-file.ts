/**
 * `--state-file FILE`: the store read from FILE at start, and written back atomically (a temporary
 * file renamed onto FILE) shortly after changes and at shutdown.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import type { Logger } from 'pino'
import type { Clock } from '../clock.js'
import { describeIssue, formatPath, InputError, valueAt } from '../load-file.js'
import { BadValue, restoreState, StateDocument } from './snapshot.js'

/** Wait from a change to its save, ms: also the shortest time between two saves. */
export const saveDelayMs = 200
/** A large state waits this many times its last save's duration instead, so saving takes at most a fifth of the time. */
const slowSaveFactor = 4

const readFailures: Record<string, string> = { EISDIR: 'it is a directory', EACCES: 'permission denied', EPERM: 'permission denied' }

/**
 * The state FILE holds, restored (store, id sequence, seed), or null when FILE does not exist yet
 * (its directory must). Anything else wrong is an InputError naming FILE, the field and what was
 * expected: `Failed to load state.json: version must be 1 (...) (got 2)`.
 */
export function loadStateFile(file: string, clock: Clock): ReturnType<typeof restoreState> | null {
  const fail = (what: string) => new InputError(`Failed to load ${file}: ${what}`)
  if (!existsSync(file)) {
    // a new state file, created by the first save: a mistyped directory is found now, not then
    const dir = dirname(resolve(file))
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw fail(`no such file, and its directory ${dir} does not exist`)
    return null
  }
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    throw fail((e.code && readFailures[e.code]) ?? e.message)
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (err) {
    throw fail(`not a state file: invalid JSON (${text.trim() === '' ? 'the file is empty' : (err as Error).message})`)
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw fail('not a state file: expected a JSON object with version, saved_at, seed, rng and store')
  const parsed = StateDocument.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw fail(`${formatPath(issue.path)} ${describeIssue(issue, valueAt(raw, issue.path))}`)
  }
  // restored from the parsed JSON itself, not zod's copy: decode() keeps every key as a plain property
  try {
    return restoreState(raw as StateDocument, clock)
  } catch (err) {
    if (err instanceof BadValue) throw fail(`${formatPath(['store', ...err.path])} ${err.message}`)
    throw err
  }
}

/**
 * Saves the state to FILE: `changed()` schedules a save `saveDelayMs` later on the server's clock
 * (further changes join it; after a save that took long, the wait is longer), `close()` saves at
 * once. Each save writes `FILE.tmp-<pid>`, flushes it to disk and renames it onto FILE, so FILE is
 * always a whole document. A failed save is logged and tried again after the next change (and at
 * close); it never stops the server.
 */
export class StateFile {
  private pending: { cancel(): void } | null = null
  /** How long the last save took on the server's clock (0 on a manual clock: tests wait exactly saveDelayMs). */
  private lastSaveMs = 0

  constructor(
    readonly file: string,
    private readonly clock: Clock,
    private readonly logger: Logger,
    /** The document to write, taken when the save runs. */
    private readonly snapshot: () => unknown,
  ) {}

  /** The state may have changed: it is saved `saveDelayMs` from now, or with the save already due. */
  changed(): void {
    this.pending ??= this.clock.timer(Math.max(saveDelayMs, Math.ceil(slowSaveFactor * this.lastSaveMs)), () => {
      this.pending = null
      this.save()
    })
  }

  /** Writes the state now; false (and a log line) when that failed. */
  save(): boolean {
    const tmp = `${this.file}.tmp-${process.pid}`
    const startMs = this.clock.now()
    try {
      const text = JSON.stringify(this.snapshot())
      const fd = openSync(tmp, 'w')
      try {
        writeFileSync(fd, text)
        fsyncSync(fd)
      } finally {
        closeSync(fd)
      }
      renameSync(tmp, this.file)
      this.lastSaveMs = this.clock.now() - startMs
      this.logger.debug({ file: this.file, bytes: text.length, duration_ms: this.lastSaveMs }, 'state saved')
      return true
    } catch (err) {
      try {
        rmSync(tmp, { force: true })
      } catch {
        // the temporary path is not a file we made (a directory): leave it
      }
      this.logger.error({ err, file: this.file }, 'state not saved (tried again after the next change and at shutdown)')
      return false
    }
  }

  /** The save at shutdown: any pending save runs now. */
  close(): boolean {
    this.pending?.cancel()
    this.pending = null
    return this.save()
  }
}
