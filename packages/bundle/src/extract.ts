/**
 * Safe extraction of release archives (.tar.gz / .tgz), for any input, with or without a
 * `select` map:
 *  - absolute paths, `..` parts, devices and FIFOs are refused;
 *  - a symlink must point inside the target, with `..` only at the start of its target
 *    (`../lib/x`, never `a/../..`, which could climb through another link);
 *  - nothing is ever written through a link: every directory on the way to an entry is
 *    checked (lstat) to be a real directory, so chains such as `x -> .` then `x/y -> ..`
 *    are refused; a file is created without following a link in its place;
 *  - a hard link may only name a regular file this extraction wrote;
 *  - the entry count and the bytes the entries declare are capped (a gzip bomb stops);
 *  - on refusal, what this extraction created is removed again.
 */
import { constants, createReadStream } from 'node:fs'
import { link, lstat, mkdir, open, rm, rmdir, symlink } from 'node:fs/promises'
import { isAbsolute, join, normalize, posix, relative } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import { extract, type Header } from 'tar-stream'

export class UnsafeArchiveError extends Error {
  constructor(archive: string, entry: string, why: string) {
    super(`refusing ${archive}: entry "${entry}" ${why}`)
    this.name = 'UnsafeArchiveError'
  }
}

/** Checks one entry name (and link target); returns its normalized relative path. */
export function checkEntry(archive: string, name: string, type: string, linkname?: string): string {
  if (name.includes('\0')) throw new UnsafeArchiveError(archive, name, 'has a NUL byte')
  if (isAbsolute(name) || /^[A-Za-z]:/.test(name))
    throw new UnsafeArchiveError(archive, name, 'is an absolute path')
  const clean = posix.normalize(name.replace(/\\/g, '/'))
  if (clean === '..' || clean.startsWith('../') || name.split('/').includes('..')) {
    throw new UnsafeArchiveError(archive, name, 'climbs out of the target with ..')
  }
  if (
    ![
      'file',
      'directory',
      'symlink',
      'link',
      'pax-header',
      'pax-global-header',
      'gnu-long-path',
      'gnu-long-link-path'
    ].includes(type)
  ) {
    throw new UnsafeArchiveError(archive, name, `is a ${type}, not a file, directory or link`)
  }
  if (type === 'symlink' || type === 'link') {
    const target = linkname ?? ''
    const resolved =
      type === 'symlink' && !isAbsolute(target)
        ? posix.normalize(posix.join(posix.dirname(clean), target))
        : posix.normalize(target)
    if (isAbsolute(target) || resolved === '..' || resolved.startsWith('../')) {
      throw new UnsafeArchiveError(archive, name, `links to "${target}", outside the target`)
    }
    const parts = target.split('/').filter(p => p !== '' && p !== '.')
    const firstName = parts.findIndex(p => p !== '..')
    if (type === 'symlink' && firstName >= 0 && parts.slice(firstName).includes('..')) {
      throw new UnsafeArchiveError(
        archive,
        name,
        `links to "${target}", which climbs (..) after a name and could pass through another link`
      )
    }
  }
  return clean.replace(/\/$/, '')
}

/** An entry's data, as tar-stream hands it out. */
type EntryStream = Parameters<typeof drain>[0] & AsyncIterable<unknown>

/** Skips an entry's data. */
function drain(stream: {
  on(event: 'end', fn: () => void): unknown
  resume(): unknown
}): Promise<void> {
  return new Promise(resolve => {
    stream.on('end', () => {
      resolve()
    })
    stream.resume()
  })
}

export interface ExtractOptions {
  /** Returns where (relative to dest) to write an entry, or undefined to skip it. */
  select?: (path: string, type: string) => string | undefined
  /** Refuse the archive once its entries declare more bytes than this. Default 2 GiB. */
  maxBytes?: number
  /** Refuse the archive once it has more entries than this. Default 100 000. */
  maxEntries?: number
}

const CREATE_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW

/** What one extraction has created, to check hard links against and to undo on refusal. */
interface Extraction {
  archive: string
  dest: string
  /** Absolute paths created, in order (directories, files, links). */
  made: string[]
  /** Relative paths of the regular files written. */
  files: Set<string>
  entries: number
  bytes: number
}

/**
 * Makes the directories of `rel` (relative to dest) one by one, each a real directory:
 * a link or a file on the way is refused, so nothing is ever written through a link.
 */
async function realDirs(x: Extraction, entry: string, rel: string): Promise<void> {
  let at = x.dest
  for (const part of rel.split('/').filter(p => p !== '' && p !== '.')) {
    at = join(at, part)
    const info = await lstat(at).catch(() => undefined)
    if (!info) {
      await mkdir(at, { mode: 0o755 })
      x.made.push(at)
    } else if (!info.isDirectory()) {
      const what = info.isSymbolicLink() ? 'a symbolic link' : 'not a directory'
      throw new UnsafeArchiveError(
        x.archive,
        entry,
        `would be written through "${relative(x.dest, at)}", which is ${what}`
      )
    }
  }
}

/** Clears the place of a new file or link: an old file or link goes, a directory stays (refused). */
async function clearPlace(x: Extraction, entry: string, target: string): Promise<void> {
  const info = await lstat(target).catch(() => undefined)
  if (!info) return
  if (info.isDirectory()) {
    throw new UnsafeArchiveError(x.archive, entry, 'would replace a directory')
  }
  await rm(target, { force: true })
}

/** Writes one entry (already checked and mapped to `to`) under dest. */
async function writeEntry(
  x: Extraction,
  header: Header,
  stream: EntryStream,
  to: string,
  linkFrom: string | undefined
): Promise<void> {
  const target = normalize(join(x.dest, to))
  const rel = relative(x.dest, target)
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel))
    throw new UnsafeArchiveError(x.archive, header.name, 'maps outside the target')
  if (header.type === 'directory') {
    await realDirs(x, header.name, rel)
    return
  }
  await realDirs(x, header.name, posix.dirname(rel))
  await clearPlace(x, header.name, target)
  if (header.type === 'link') {
    if (!linkFrom || !x.files.has(linkFrom)) {
      throw new UnsafeArchiveError(
        x.archive,
        header.name,
        `is a hard link to "${header.linkname}", which is not a file this archive wrote`
      )
    }
    await link(join(x.dest, linkFrom), target)
    x.made.push(target)
    x.files.add(rel)
  } else if (header.type === 'symlink') {
    await symlink(header.linkname, target)
    x.made.push(target)
  } else {
    const handle = await open(target, CREATE_FILE, header.mode & 0o755)
    x.made.push(target)
    await pipeline(stream, handle.createWriteStream())
    x.files.add(rel)
  }
}

/** Counts an entry against the caps. */
function count(x: Extraction, name: string, size: number, options: ExtractOptions): void {
  x.entries += 1
  x.bytes += size
  const maxEntries = options.maxEntries ?? 100_000
  const maxBytes = options.maxBytes ?? 2 * 1024 ** 3
  if (x.entries > maxEntries) {
    throw new UnsafeArchiveError(x.archive, name, `is past the limit of ${maxEntries} entries`)
  }
  if (x.bytes > maxBytes) {
    throw new UnsafeArchiveError(
      x.archive,
      name,
      `takes the archive past the limit of ${maxBytes} bytes (a gzip bomb?)`
    )
  }
}

/** Removes what a refused extraction created, newest first. */
async function undo(x: Extraction): Promise<void> {
  for (const path of [...x.made].reverse()) {
    const info = await lstat(path).catch(() => undefined)
    if (info?.isDirectory()) await rmdir(path).catch(() => undefined)
    else if (info) await rm(path, { force: true }).catch(() => undefined)
  }
}

/** Extracts a .tar.gz into `dest`; returns the relative paths written. */
export async function extractTarGz(
  archive: string,
  dest: string,
  options: ExtractOptions = {}
): Promise<string[]> {
  await mkdir(dest, { recursive: true })
  const x: Extraction = { archive, dest, made: [], files: new Set(), entries: 0, bytes: 0 }
  const written: string[] = []
  const reader = extract()
  reader.on('entry', (header, stream, next) => {
    const go = async (): Promise<void> => {
      count(x, header.name, header.size, options)
      const path = checkEntry(archive, header.name, header.type, header.linkname)
      const to = options.select ? options.select(path, header.type) : path
      if (to === undefined || path === '' || path === '.') {
        await drain(stream)
        return
      }
      // A hard link names an earlier entry, relative to the archive root.
      const linkFrom =
        header.type === 'link'
          ? options.select
            ? options.select(checkEntry(archive, header.linkname, 'file'), 'file')
            : checkEntry(archive, header.linkname, 'file')
          : undefined
      await writeEntry(x, header, stream, to, linkFrom && posix.normalize(linkFrom))
      if (header.type === 'file') {
        written.push(to)
        return
      }
      await drain(stream)
      if (header.type !== 'directory') written.push(to)
    }
    go().then(
      () => {
        next()
      },
      (err: unknown) => {
        // The entry's own stream is torn down with the reader; its error is this one.
        stream.on('error', () => undefined)
        reader.destroy(err instanceof Error ? err : new Error(String(err)))
      }
    )
  })
  try {
    await pipeline(createReadStream(archive), createGunzip(), reader)
  } catch (err) {
    await undo(x)
    throw err
  }
  return written
}
