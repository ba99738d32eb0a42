/**
 * Paces young-generation garbage collection by the bytes a download receives.
 *
 * A download still leaves short-lived JavaScript garbage behind each read (views, promises,
 * iterator results). V8, left alone, lets the young generation grow to many MiB before it
 * scavenges, and the resident set grows with it. Asking for a scavenge every 8 MiB received
 * keeps it small. The interval is measured (the scale bench's 1 GiB set, node 24): every
 * 8 MiB gave 67 MiB peak and the fastest runs; every MiB (right when node:http allocated a
 * 64 KiB buffer per read, before wire.ts) cost ~0.4 s of collector time per GiB; never, 70.
 * What survives two scavenges (a transfer's state, its pending promises) moves to the old
 * generation and stays until a full collection, which V8 puts off while the old generation
 * is small; one every 256 MiB received took the 3 GiB set from 64.0-64.4 MiB peak to
 * 62.9-63.0 on node 24, in no more time (3 interleaved runs each).
 *
 * `gc` is reached the documented way, --expose-gc, set at run time with
 * v8.setFlagsFromString (a GitHub action cannot pass node flags) and picked up from a new
 * context. When that is not possible the pacing is a no-op and V8 collects as it would.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

type Collect = (options: { type: 'minor' | 'major' }) => void

const EVERY = 8 * 1024 * 1024
/** Scavenges between full collections. */
const MAJOR_EVERY = 32
let collect: Collect | null | undefined
let since = 0
let scavenges = 0

function loadCollect(): Collect | null {
  try {
    setFlagsFromString('--expose-gc')
    const gc: unknown = runInNewContext('typeof gc === "function" ? gc : undefined')
    return typeof gc === 'function' ? (gc as Collect) : null
  } catch {
    return null
  }
}

/** Counts `bytes` received; every 8 MiB asks V8 for a scavenge, every 256 MiB a full GC. */
export function youngGarbage(bytes: number): void {
  since += bytes
  if (since < EVERY) return
  since = 0
  scavenges += 1
  if (collect === undefined) collect = loadCollect()
  collect?.({ type: scavenges % MAJOR_EVERY === 0 ? 'major' : 'minor' })
}
