/**
 * Build progress on the runner's log: one log group per phase, and within a long phase a
 * line with bytes done, the rate and the time left, at most every few seconds (and once at
 * the end), so a step that runs for minutes is never silent.
 */
import * as core from '@actions/core'
import { formatBytes } from './inputs.js'

export const PROGRESS_INTERVAL_MS = 5000

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`
}

/** `120.0 MiB of 512.0 MiB (23%), 14.0 MiB/s, ETA 28 s` */
export function formatProgress(done: number, total: number, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? done / (elapsedMs / 1000) : 0
  const percent = total > 0 ? Math.floor((done * 100) / total) : 100
  const eta =
    done >= total
      ? 'done'
      : rate > 0
        ? `ETA ${formatDuration((total - done) / rate)}`
        : 'ETA unknown'
  return `${formatBytes(done)} of ${formatBytes(total)} (${percent}%), ${formatBytes(Math.round(rate))}/s, ${eta}`
}

export interface GroupedProgress {
  phase(name: string): void
  bytes(done: number, total: number): void
  /** Ends the open group (call it in a finally). */
  close(): void
}

/** Progress as log groups; `now` is injectable for tests. */
export function groupedProgress(prefix: string, now: () => number = Date.now): GroupedProgress {
  let open = false
  let started = 0
  let logged = -Infinity
  return {
    phase(name) {
      if (open) core.endGroup()
      core.startGroup(`${prefix}: ${name}`)
      open = true
      started = now()
      logged = -Infinity
    },
    bytes(done, total) {
      const t = now()
      if (done < total && t - logged < PROGRESS_INTERVAL_MS) return
      logged = t
      core.info(formatProgress(done, total, t - started))
    },
    close() {
      if (open) core.endGroup()
      open = false
    }
  }
}
