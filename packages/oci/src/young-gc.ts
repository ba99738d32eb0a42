/**
 * Paces young-generation garbage collection by the bytes a download receives.
 *
 * A download still leaves short-lived JavaScript garbage behind each read (views, promises,
 * iterator results). V8, left alone, lets the young generation grow to many MiB before it
 * scavenges, and the resident set grows with it. Asking for a scavenge every 8 MiB received
 * keeps it small. The interval is measured (the scale bench's 1 GiB set, node 24): every
 * 8 MiB gave 67 MiB peak and the fastest runs; every MiB (right when node:http allocated a
 * 64 KiB buffer per read, before wire.ts) cost ~0.4 s of collector time per GiB; never, 70.
 *
 * `gc` is reached the documented way, --expose-gc, set at run time with
 * v8.setFlagsFromString (a GitHub action cannot pass node flags) and picked up from a new
 * context. When that is not possible the pacing is a no-op and V8 collects as it would.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

type Collect = (options: { type: 'minor' }) => void

const EVERY = 8 * 1024 * 1024
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

/** Counts `bytes` received; every 8 MiB, asks V8 for a scavenge. */
export function youngGarbage(bytes: number): void {
  since += bytes
  if (since < EVERY) return
  since = 0
  if (collect === undefined) collect = loadCollect()
  collect?.({ type: 'minor' })
}
