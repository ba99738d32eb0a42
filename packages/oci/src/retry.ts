/** Retries with exponential backoff and full jitter. */

export interface RetryOptions {
  /**
   * Tries in a row that may fail without progress, the first included. For blobs, a try
   * that brought new bytes (kept for a resume) starts the count again.
   */
  attempts: number
  baseDelayMs: number
  maxDelayMs: number
  /** No retry starts later than this after the first failure. Default 15 minutes. */
  budgetMs: number
}

export const defaultRetry: RetryOptions = {
  attempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 15000,
  budgetMs: 15 * 60 * 1000
}

/**
 * Why retrying must stop, or '' to go on: `idle` tries in a row brought nothing, or the
 * next try would start `elapsedMs` after the first failure, past the budget.
 */
export function retryExhausted(options: RetryOptions, idle: number, elapsedMs: number): string {
  if (idle >= options.attempts) return `${idle} tries in a row made no progress`
  if (elapsedMs > options.budgetMs) {
    const budget =
      options.budgetMs < 10000
        ? `${options.budgetMs} ms`
        : `${Math.round(options.budgetMs / 1000)} s`
    return `the retry budget of ${budget} is spent`
  }
  return ''
}

/** The wait before try number `attempt + 1` (attempt counts from 1). */
export function backoffDelay(
  attempt: number,
  options: RetryOptions,
  retryAfterMs?: number
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1))
  const jittered = Math.random() * ceiling
  // The server's Retry-After is honoured in full; the retry budget decides whether to wait.
  return retryAfterMs !== undefined ? Math.max(retryAfterMs, jittered) : jittered
}

export function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}

/** An HTTP answer worth trying again: 408, 429 and 5xx. */
export function retryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500
}

/** Parses Retry-After (seconds or an HTTP date) into milliseconds. */
export function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined
  const seconds = Number(header)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(header)
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now())
}
