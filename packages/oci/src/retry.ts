/** Retries with exponential backoff and full jitter. */

export interface RetryOptions {
  /** Total tries, the first included. */
  attempts: number
  baseDelayMs: number
  maxDelayMs: number
}

export const defaultRetry: RetryOptions = { attempts: 5, baseDelayMs: 500, maxDelayMs: 15000 }

/** The wait before try number `attempt + 1` (attempt counts from 1). */
export function backoffDelay(
  attempt: number,
  options: RetryOptions,
  retryAfterMs?: number
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1))
  const jittered = Math.random() * ceiling
  return retryAfterMs !== undefined
    ? Math.min(options.maxDelayMs, Math.max(retryAfterMs, jittered))
    : jittered
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
