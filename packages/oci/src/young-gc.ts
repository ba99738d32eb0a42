/**
 * Paces young-generation garbage collection by the bytes a download receives.
 *
 * node's HTTP client hands every socket read to JavaScript in a freshly allocated buffer
 * (64 KiB). V8 counts those as external memory and, left alone, scavenges them only once
 * about 32 MiB of young buffers have piled up, and collects promoted ones only after
 * 64 MiB more: that slack, not kedge's own data, was most of the fetch's resident set.
 * Asking for a scavenge every MiB received keeps it small, and costs little (a
 * scavenge of a heap this size takes well under a millisecond).
 *
 * `gc` is reached the documented way, --expose-gc, set at run time with
 * v8.setFlagsFromString (a GitHub action cannot pass node flags) and picked up from a new
 * context. When that is not possible the pacing is a no-op and V8 collects as it would.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

type Collect = (options: { type: 'minor' }) => void

const EVERY = 1024 * 1024
let collect: Collect | null | undefined
let since = 0

function loadCollect(): Collect | null {
  try {
    setFlagsFromString('--expose-gc')
    const gc: unknown = runInNewContext('typeof gc === "function" ? gc : undefined')
    return typeof gc === 'function' ? (gc as Collect) : null
  } catch {
    return null
  }
}

/** Counts `bytes` received; every MiB, asks V8 for a scavenge. */
export function youngGarbage(bytes: number): void {
  since += bytes
  if (since < EVERY) return
  since = 0
  if (collect === undefined) collect = loadCollect()
  collect?.({ type: 'minor' })
}
