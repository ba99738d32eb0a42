/**
 * The tar layout of an archive, computed before any byte is written: every entry's header
 * and data offset is a function of the sorted entry list alone. That lets blob downloads
 * write straight into their place in the final file, in any order, each byte once.
 * Headers are POSIX ustar with fixed metadata (uid/gid 0, no user names).
 */

export const BLOCK = 512

export interface TarEntry {
  name: string
  type: 'file' | 'directory' | 'symlink'
  size: number
  /** A symlink's target (relative to its directory). */
  linkname?: string
}

export interface PlannedEntry extends TarEntry {
  /** Where the header starts. */
  offset: number
  /** Where the data starts. */
  dataOffset: number
}

export interface TarPlan {
  entries: PlannedEntry[]
  /** The whole archive, the two zero end blocks included. */
  size: number
}

const padded = (n: number): number => Math.ceil(n / BLOCK) * BLOCK

/** Lays `entries` out in the order given (sort them first for a deterministic archive). */
export function planTar(entries: TarEntry[]): TarPlan {
  let offset = 0
  const planned = entries.map(entry => {
    const p = { ...entry, offset, dataOffset: offset + BLOCK }
    offset += BLOCK + padded(entry.type === 'file' ? entry.size : 0)
    return p
  })
  return { entries: planned, size: offset + 2 * BLOCK }
}

function octal(value: number, width: number): string {
  const text = value.toString(8)
  if (text.length > width - 1) throw new Error(`tar: ${value} does not fit a ${width}-byte field`)
  return `${text.padStart(width - 1, '0')}\0`
}

/** Splits a path into ustar's prefix (155) and name (100) fields. */
function splitName(path: string): { prefix: string; name: string } {
  if (Buffer.byteLength(path) <= 100) return { prefix: '', name: path }
  const cut = path.lastIndexOf('/', 155)
  const prefix = path.slice(0, cut)
  const name = path.slice(cut + 1)
  if (cut <= 0 || Buffer.byteLength(prefix) > 155 || Buffer.byteLength(name) > 100) {
    throw new Error(`tar: path too long for ustar: ${path}`)
  }
  return { prefix, name }
}

const TYPEFLAG = { file: '0', symlink: '2', directory: '5' } as const

/** A ustar header block for `entry`, with mode 0644/0755/0777, uid/gid 0 and `mtime`. */
export function ustarHeader(entry: TarEntry, mtime: Date): Buffer {
  const block = Buffer.alloc(BLOCK)
  const { prefix, name } = splitName(entry.name)
  const mode = { file: 0o644, symlink: 0o777, directory: 0o755 }[entry.type]
  const linkname = entry.type === 'symlink' ? (entry.linkname ?? '') : ''
  if (Buffer.byteLength(linkname) > 100) throw new Error(`tar: link target too long: ${linkname}`)
  block.write(name, 0, 100, 'utf8')
  block.write(octal(mode, 8), 100, 'ascii')
  block.write(octal(0, 8), 108, 'ascii')
  block.write(octal(0, 8), 116, 'ascii')
  block.write(octal(entry.type === 'file' ? entry.size : 0, 12), 124, 'ascii')
  block.write(octal(Math.floor(mtime.getTime() / 1000), 12), 136, 'ascii')
  block.write('        ', 148, 'ascii')
  block.write(TYPEFLAG[entry.type], 156, 'ascii')
  block.write(linkname, 157, 100, 'utf8')
  block.write('ustar\u000000', 257, 'binary')
  block.write(octal(0, 8), 329, 'ascii')
  block.write(octal(0, 8), 337, 'ascii')
  block.write(prefix, 345, 155, 'utf8')
  let sum = 0
  for (const byte of block) sum += byte
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii')
  return block
}
