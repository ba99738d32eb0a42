/**
 * Safe extraction of release archives (.tar.gz / .tgz): absolute paths, `..` parts and
 * links pointing outside the target are refused, as are devices and FIFOs. Only the
 * entries a caller selects are written, under the names it gives them.
 */
import { createReadStream, createWriteStream } from 'node:fs'
import { link, mkdir, symlink } from 'node:fs/promises'
import { dirname, isAbsolute, join, normalize, posix, relative } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import { extract } from 'tar-stream'

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
  }
  return clean.replace(/\/$/, '')
}

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
}

/** Extracts a .tar.gz into `dest`; returns the relative paths written. */
export async function extractTarGz(
  archive: string,
  dest: string,
  options: ExtractOptions = {}
): Promise<string[]> {
  const written: string[] = []
  const reader = extract()
  reader.on('entry', (header, stream, next) => {
    const go = async (): Promise<void> => {
      const path = checkEntry(archive, header.name, header.type, header.linkname)
      const to = options.select ? options.select(path, header.type) : path
      if (to === undefined || path === '' || path === '.') {
        await drain(stream)
        return
      }
      const target = normalize(join(dest, to))
      if (relative(dest, target).startsWith('..'))
        throw new UnsafeArchiveError(archive, header.name, 'maps outside the target')
      if (header.type === 'directory') {
        await mkdir(target, { recursive: true })
        await drain(stream)
        return
      }
      await mkdir(dirname(target), { recursive: true })
      if (header.type === 'link') {
        // A hard link names an earlier entry, relative to the archive root.
        const from = options.select
          ? options.select(checkEntry(archive, header.linkname, 'file'), 'file')
          : header.linkname
        if (!from)
          throw new UnsafeArchiveError(
            archive,
            header.name,
            'is a hard link to an entry that was not extracted'
          )
        await link(join(dest, from), target)
        await drain(stream)
      } else if (header.type === 'symlink') {
        await symlink(header.linkname, target)
        await drain(stream)
      } else {
        await pipeline(stream, createWriteStream(target, { mode: header.mode & 0o755 }))
      }
      written.push(to)
    }
    go().then(
      () => {
        next()
      },
      (err: unknown) => {
        reader.destroy(err instanceof Error ? err : new Error(String(err)))
      }
    )
  })
  await pipeline(createReadStream(archive), createGunzip(), reader)
  return written
}
