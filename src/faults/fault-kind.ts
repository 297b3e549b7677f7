import type { Context } from 'hono'
import { z } from 'zod'
import type { AppEnv, Deps } from '../api/context.js'
import type { Clock } from '../clock.js'
import type { Rng } from '../rng.js'
import { ApiError, errorResponse, errors, type ErrorKey } from '../api/errors.js'
import type { Session } from './session.js'

/** What a fault kind may use: the request, the server, time, and its own seeded randomness. */
export interface FaultContext {
  c: Context<AppEnv>
  deps: Deps
  clock: Clock
  /** Seeded by (seed, session, rule, match ordinal): the same run gives the same draws. */
  rng: Rng
  session: Session
  /** `<scenario>/<rule>` of the rule that fired. */
  ruleId: string
}

/**
 * One fault kind: its options schema (flat beside `kind` in a scenario rule) and `apply`, which
 * works like a middleware: answer at once (a Haltless error, a reset), or call `next()` for the
 * backend's response and act on it (delay, truncate, slow down).
 */
export interface FaultKind<S extends z.ZodObject = z.ZodObject> {
  kind: string
  description: string
  options: S
  apply(ctx: FaultContext, options: z.output<S>, next: () => Promise<Response>): Response | Promise<Response>
}

/** Declares a fault kind (keeps `options` and `apply` typed together). */
export const defineFault = <S extends z.ZodObject>(def: FaultKind<S>): FaultKind<S> => def

/** A kind that answers with one catalog error, with optional extra headers. */
export function errorFault(kind: string, error: ErrorKey, description: string): FaultKind<z.ZodObject<{}>> {
  return defineFault({ kind, description, options: z.object({}), apply: () => errorResponse(new ApiError(error)) })
}

/** A kind that answers one of the catalog's errors of `status`, chosen by its `error` option. */
export function catalogChoiceFault(kind: string, status: number, fallback: ErrorKey, description: string) {
  const keys = (Object.keys(errors) as ErrorKey[]).filter((k) => errors[k].status === status) as [ErrorKey, ...ErrorKey[]]
  return defineFault({
    kind,
    description,
    options: z.object({ error: z.enum(keys).default(fallback).describe(`catalog key of the ${status}`) }),
    apply: (_, { error }) => errorResponse(new ApiError(error)),
  })
}
