import type { Context, MiddlewareHandler } from 'hono'
import type { Duplex } from 'node:stream'
import type { AppEnv, Deps } from './api/context.js'
import { ApiError, errorDetailOf, errorHeaders, errors } from './api/errors.js'
import { checkBodySize } from './api/body-limit.js'
import { bearerToken, header } from './api/headers.js'
import { credentialSecret, type Journal } from './control/journal.js'
import { sessionHeader } from './faults/engine.js'

/** What a step of the pipeline answers: a Response at once when nothing had to wait, else its promise. */
export type Answer = Response | Promise<Response>
/** The last step: an emulated route, the upstream, or the answer to a path no route takes. */
export type Backend = (c: Context<AppEnv>) => Answer

/** What the pipeline needs from the server it runs in. */
export interface PipelineParts {
  deps: Deps
  /** Browsers: a dev app on another localhost port may call the emulator (refresh cookie included). */
  cors: MiddlewareHandler<AppEnv>
  /** Called once a request is answered, whatever answered it (state file, debug log), with the time it took in ms. */
  answered?: (c: Context<AppEnv>, res: Response, elapsedMs: number) => void
}

/**
 * The request pipeline, top to bottom: context → browsers (CORS) → scenario engine → body size →
 * backend, then the journal. Every API request runs it as the one handler Hono finds for it, so a
 * request that nothing makes wait (no fault, no body, a known credential) is answered in the same
 * tick it was parsed in, without a promise per step; each step that must wait (an Origin, a fault,
 * a body) takes its slow path for that request only. The control plane runs it as middleware.
 */
export function createPipeline({ deps, cors, answered }: PipelineParts) {
  const { clock, journal } = deps
  /**
   * 4. the scenario engine: the first rule that fires wraps its fault around the rest; the control
   * plane is never faulted. The catalog error of an answer made without a throw (a fault's, no
   * route's) is noted here for the journal, before CORS may copy the answer.
   */
  const faulted = (c: Context<AppEnv>, backend: Backend): Answer =>
    andThen(deps.engine.idle || c.req.path.startsWith('/__mock') ? sized(c, backend) : deps.engine.handle(c, () => sized(c, backend)), (res) => noteErrorDetail(c, res))

  return function pipeline(c: Context<AppEnv>, backend: Backend): Answer {
    // 1. context: every handler reaches the server's state through c.get('deps')
    c.set('deps', deps)
    // (the session is read first: the proxy strips X-Mock-* headers before forwarding)
    const journaled = c.req.path.startsWith('/api/') && journal.perSession > 0
    const session = journaled ? header(c, sessionHeader) || 'default' : ''
    const startMs = clock.now()
    const perfStart = answered ? performance.now() : 0
    // 2. browsers; 3. anything thrown on the way is an answer in the API's format
    const answer = attempt(c, () => (header(c, 'origin') !== undefined ? viaMiddleware(c, cors, () => faulted(c, backend)) : faulted(c, backend)))
    // 6. journal: one entry per API request, once it is answered
    return andThen(answer, (res) => {
      if (journaled) journalize(c, session, startMs, res)
      answered?.(c, res, performance.now() - perfStart)
      return res
    })
  }

  // Reads context variables only: touching res.headers would make @hono/node-server build a
  // full Headers object for every response.
  function journalize(c: Context<AppEnv>, session: string, startMs: number, res: Response): void {
    const fault = c.get('fault')
    journalEntry(deps, session, c.req.method, c.req.path, startMs, {
      status: c.get('noResponse') ? null : (c.get('upstreamStatus') ?? res.status),
      rule: fault?.rule ?? null, fault: fault?.kind ?? null,
      rate_limit_remaining: c.get('rateLimitRemaining') ?? null, drift: c.get('drift') ?? null,
      retry_after: c.get('retryAfter') ?? null, secret: credentialSecret(bearerToken(c), header(c, 'x-api-key')), error: c.get('errorDetail') ?? null,
    })
  }
}

/** What a journal entry says of the answer (the rest every request has). */
export type AnswerFacts = Pick<Parameters<Journal['add']>[0], 'status' | 'rule' | 'fault' | 'rate_limit_remaining' | 'drift' | 'retry_after' | 'secret' | 'error'>

/** One journal entry: what every request has (time, session, route, duration, seed) plus what it was answered. */
export function journalEntry(deps: Deps, session: string, method: string, path: string, startMs: number, answer: AnswerFacts): void {
  deps.journal.add({ timeMs: startMs, session, method, path, duration_ms: deps.clock.now() - startMs, seed: deps.engine.seedOf(session), ...answer })
}

/**
 * 5. body size (413) before anything reads the body; a request without one skips it. The rest of
 * an oversized body is never read, so that connection closes. A fault that reads the body first
 * (a rule on body fields, partial_batch) goes through the same check (bodyText). What the backend
 * throws is answered here, so a fault around it sees an error answer like any other.
 */
function sized(c: Context<AppEnv>, backend: Backend): Answer {
  if (header(c, 'content-length') === undefined && header(c, 'transfer-encoding') === undefined) return attempt(c, backend)
  return viaMiddleware(c, checkBodySize, () => attempt(c, backend))
}

/** Notes the catalog `detail` of an answer errorResponse() made (thrown errors note theirs in renderError). */
function noteErrorDetail(c: Context<AppEnv>, res: Response): Response {
  const detail = errorDetailOf(res)
  if (detail !== undefined && !c.get('noResponse')) c.set('errorDetail', detail)
  return res
}

/** `f(answer)`, at once when the answer is there, else when it is. */
export function andThen(answer: Answer, f: (res: Response) => Response): Answer {
  return answer instanceof Promise ? answer.then(f) : f(answer)
}

/** What `step` answers, with anything it throws (at once or later) answered in the API's format. */
export function attempt(c: Context<AppEnv>, step: (c: Context<AppEnv>) => Answer): Answer {
  try {
    const answer = step(c)
    return answer instanceof Promise ? answer.catch((err: unknown) => renderError(err, c)) : answer
  } catch (err) {
    return renderError(err, c)
  }
}

/** Runs a Hono middleware with `next` as what comes after it; its answer is the context's response. */
export async function viaMiddleware(c: Context<AppEnv>, middleware: MiddlewareHandler<AppEnv>, next: () => Answer): Promise<Response> {
  const res = await middleware(c, async () => setAnswer(c, await next()))
  return res instanceof Response ? res : c.res
}

/** Makes `res` the context's response (replacing, not merging, one set before). */
export function setAnswer(c: Context<AppEnv>, res: Response): void {
  if (c.finalized && c.res === res) return
  c.res = undefined as unknown as Response
  c.res = res
}

/** Every error, ours or not, in the API's format (also Hono's onError for the control plane). */
export function renderError(thrown: unknown, c: Context<AppEnv>): Response {
  // the client went away before its body was complete: Node's parser has answered 400 (or the
  // connection is gone), the server did not fail, and the journal says what the client got:
  // that 400, or nothing when the connection went without a word written to it
  const err = isClientAbort(thrown) ? new ApiError('bad_request') : thrown
  if (err !== thrown && answeredNothing(c.env?.incoming?.socket)) c.set('noResponse', true)
  if (err instanceof ApiError) {
    if (typeof err.body.detail === 'string' && !c.get('noResponse')) c.set('errorDetail', err.body.detail)
    // c.json keeps headers set earlier in the request (X-RateLimit-* without Node's response)
    for (const [k, v] of Object.entries(errorHeaders(err))) c.header(k, v)
    return c.json(err.body, err.status as 400)
  }
  c.get('deps')?.logger.error({ err: thrown, method: c.req.method, path: c.req.path }, 'unhandled error')
  return c.json({ detail: errors.internal_error.detail }, 500)
}

/** Reading the body failed because the connection ended mid-body (Node's `aborted`). */
const isClientAbort = (err: unknown): boolean => (err as NodeJS.ErrnoException | undefined)?.code === 'ECONNRESET' && (err as Error).message === 'aborted'

/** The connection is gone and nothing was ended on it (no 400 from answerClientError). */
const answeredNothing = (socket: Duplex | undefined): boolean => socket !== undefined && socket.destroyed && !socket.writableEnded
