/**
 * Registry rate limits: Docker Hub's `ratelimit-limit: 100;w=21600` and
 * `ratelimit-remaining: 76;w=21600` headers, `Retry-After` and `ratelimit-reset` on a 429,
 * and the clear error when the wait would pass what the run may wait.
 */
import type { IncomingHttpHeaders } from 'node:http'
import { retryAfterMs } from './retry.js'

export interface RateLimitInfo {
  /** The host that answered (registry-1.docker.io, a mirror). */
  host: string
  limit?: number
  remaining?: number
  /** The window the limit counts over, in seconds (the `w=` part). */
  windowSeconds?: number
  /** How long until the limit resets (Retry-After or ratelimit-reset), when sent. */
  resetMs?: number
}

function first(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** `100;w=21600` -> [100, 21600] */
function quota(value: string | undefined): [number | undefined, number | undefined] {
  if (!value) return [undefined, undefined]
  const [count, ...params] = value.split(';').map(s => s.trim())
  const window = params.find(p => p.startsWith('w='))?.slice(2)
  const n = Number(count)
  const w = Number(window)
  return [Number.isFinite(n) ? n : undefined, window && Number.isFinite(w) ? w : undefined]
}

/** The rate-limit headers of an answer, or undefined when it sent none. */
export function readRateLimit(
  host: string,
  headers: IncomingHttpHeaders
): RateLimitInfo | undefined {
  const [limit, windowSeconds] = quota(first(headers, 'ratelimit-limit'))
  const [remaining] = quota(first(headers, 'ratelimit-remaining'))
  const reset = first(headers, 'ratelimit-reset')
  const resetMs = retryAfterMs(first(headers, 'retry-after') ?? null) ?? retryAfterMs(reset ?? null)
  if (limit === undefined && remaining === undefined && resetMs === undefined) return undefined
  return {
    host,
    ...(limit !== undefined ? { limit } : {}),
    ...(remaining !== undefined ? { remaining } : {}),
    ...(windowSeconds !== undefined ? { windowSeconds } : {}),
    ...(resetMs !== undefined ? { resetMs } : {})
  }
}

/** One line for logs and summaries: `registry-1.docker.io: 7 of 10 pulls left per 3600 s`. */
export function describeRateLimit(info: RateLimitInfo): string {
  const window = info.windowSeconds !== undefined ? ` per ${info.windowSeconds} s` : ''
  const left =
    info.remaining !== undefined && info.limit !== undefined
      ? `${info.remaining} of ${info.limit} pulls left${window}`
      : info.limit !== undefined
        ? `limit ${info.limit} pulls${window}`
        : 'rate limited'
  return `${info.host}: ${left}`
}

/** A 429 whose reset comes later than the run may wait: fail now, and say what to do. */
export class RateLimitError extends Error {
  constructor(
    readonly info: RateLimitInfo,
    what: string,
    budgetMs: number
  ) {
    const resetS = Math.ceil((info.resetMs ?? 0) / 1000)
    const at = new Date(Date.now() + (info.resetMs ?? 0)).toISOString().replace(/\.\d+Z$/, 'Z')
    const docker = /(^|\.)docker\.io$/.test(info.host)
    super(
      `${info.host} refused ${what} with HTTP 429 Too Many Requests (${describeRateLimit(info)}); ` +
        `the limit resets in ${resetS} s (at ${at}), later than kedge may wait (${Math.round(budgetMs / 1000)} s). ` +
        (docker
          ? 'Log in to Docker Hub to raise the limit (100 pulls an hour per user instead of 10 per address): run docker/login-action before this step, or give username and password (a token), or use a mirror.'
          : 'Authenticate to the registry (username/password, registry-auth or docker/login-action), use a mirror, or run again after the reset.')
    )
    this.name = 'RateLimitError'
  }
}

/**
 * For a 429 whose reset (Retry-After / ratelimit-reset) comes after the retry budget
 * (counted from `firstFailure`): the error to fail with at once. Otherwise undefined.
 */
export function rateLimitStop(
  err: { status?: number; rateLimit?: RateLimitInfo } | undefined,
  what: string,
  budgetMs: number,
  firstFailure: number
): RateLimitError | undefined {
  if (err?.status !== 429 || err.rateLimit?.resetMs === undefined) return undefined
  if (Date.now() - firstFailure + err.rateLimit.resetMs <= budgetMs) return undefined
  return new RateLimitError(err.rateLimit, what, budgetMs)
}
