/**
 * Output paths are checked before the first request: a path under /proc or /sys, or one
 * that exists and is not what kedge writes there (a FIFO, a device, a directory where a
 * file goes), fails at once with a clear error instead of hanging or half-writing.
 */
import { lstat, statfs } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'

/** statfs magic numbers of the kernel's pseudo file systems. */
const PSEUDO_FS: Record<number, string> = {
  0x9fa0: '/proc',
  0x62656572: '/sys',
  0x27e0eb: 'a cgroup file system',
  0x63677270: 'a cgroup file system',
  0x64626720: 'debugfs'
}

function kindOf(info: {
  isFile(): boolean
  isDirectory(): boolean
  isSymbolicLink(): boolean
  isFIFO(): boolean
  isSocket(): boolean
}): string {
  if (info.isFile()) return 'a regular file'
  if (info.isDirectory()) return 'a directory'
  if (info.isSymbolicLink()) return 'a symbolic link'
  if (info.isFIFO()) return 'a FIFO'
  if (info.isSocket()) return 'a socket'
  return 'a device'
}

/** The pseudo file system `path` (or its nearest existing parent) is on, if any. */
async function pseudoFileSystem(path: string): Promise<string | undefined> {
  for (const top of ['/proc', '/sys']) {
    if (path === top || path.startsWith(`${top}/`)) return top
  }
  let at = path
  for (;;) {
    const info = await statfs(at).catch(() => undefined)
    if (info) return PSEUDO_FS[info.type]
    const up = dirname(at)
    if (up === at) return undefined
    at = up
  }
}

/**
 * Checks where an output goes. `label` names the input in errors (output, images-json);
 * `kind` is what kedge writes there.
 */
export async function checkOutputPath(
  label: string,
  given: string,
  kind: 'file' | 'directory'
): Promise<void> {
  const path = resolve(given)
  const fail = (why: string): never => {
    throw new Error(
      `${label} ${given}: it is ${why}; give a path for a new ${kind} on a normal file system`
    )
  }
  const pseudo = await pseudoFileSystem(path)
  if (pseudo) fail(pseudo.startsWith('/') ? `under ${pseudo}` : `on ${pseudo}`)
  const info = await lstat(path).catch(() => undefined)
  if (!info) return
  if (kind === 'file' && !info.isFile()) fail(`${kindOf(info)}, not a regular file`)
  if (kind === 'directory' && !info.isDirectory()) fail(`${kindOf(info)}, not a directory`)
}
