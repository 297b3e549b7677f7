// What every part of the benchmark shares: where the package is, the route under load, and the
// error that stops a run.
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The package root (bench/lib/../..). */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const route = '/api/v1/machines'

/** A failed check: the run stops and exits non-zero instead of printing a number. */
export class BenchFailure extends Error {}

export const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits
