/**
 * A deterministic, parallel .tar.gz writer.
 *
 * The tar stream comes from tar-stream: entries sorted by path, mtime from
 * SOURCE_DATE_EPOCH (or 0), uid/gid 0, no user names, modes normalized to 0755/0644.
 * It is cut into chunks that are gzipped independently, on the libuv thread pool (so on
 * every core), and written in order as consecutive gzip members: a standard .tar.gz that
 * GNU tar, busybox tar and gunzip read. A chunk whose sample does not compress (image
 * blobs, .tgz, .zst: already compressed) is stored at deflate level 0; the rest is
 * compressed at DEFAULT_LEVEL. Everything depends on content alone, so the same tree gives the
 * same bytes. The output is written to a temporary name and renamed when complete.
 */
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { lstat, mkdir, readdir, rename, rm } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { dirname, join, relative, sep } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { promisify } from 'node:util'
import { deflateRawSync, gzip } from 'node:zlib'
import { pack } from 'tar-stream'
import { archiveMtime, temporaryPath } from '@kedge/oci'

const gzipAsync = promisify(gzip)

export const CHUNK = 4 * 1024 * 1024
/**
 * Deflate level for compressible chunks. Measured on ELF binaries (npm run bench):
 * level 4 took 0.66x the time of level 6 for +0.5% size; levels 1-3 were no faster.
 */
export const DEFAULT_LEVEL = 4
const SAMPLE = 16 * 1024

export interface TreeEntry {
  /** Path inside the archive, '/'-separated, no leading slash. */
  name: string
  type: 'file' | 'directory'
  /** For files: where the bytes are. */
  source?: string
  size: number
  executable: boolean
}

/** Every file and directory under `root`, sorted, named `prefix/...`; links are refused. */
export async function walkTree(root: string, prefix: string): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = [
    { name: `${prefix}/`, type: 'directory', size: 0, executable: true }
  ]
  const visit = async (dir: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const full = join(dir, name)
      const info = await lstat(full)
      const rel = `${prefix}/${relative(root, full).split(sep).join('/')}`
      if (info.isDirectory()) {
        entries.push({ name: `${rel}/`, type: 'directory', size: 0, executable: true })
        await visit(full)
      } else if (info.isFile()) {
        entries.push({
          name: rel,
          type: 'file',
          source: full,
          size: info.size,
          executable: (info.mode & 0o111) !== 0
        })
      } else {
        throw new Error(
          `${full}: only files and directories go into a bundle (found a link or special file)`
        )
      }
    }
  }
  await visit(root)
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

/** True when a sample of `chunk` barely compresses: store it instead. */
export function looksCompressed(chunk: Buffer): boolean {
  const sample = chunk.subarray(0, SAMPLE)
  if (sample.length < 512) return false
  return deflateRawSync(sample, { level: 1 }).length > sample.length * 0.9
}

export interface TarGzResult {
  path: string
  bytes: number
  sha256: string
  /** How many chunks were stored (level 0) and compressed (at `level`). */
  stored: number
  compressed: number
}

/** Writes `entries` as a deterministic .tar.gz at `target`. */
export async function writeTarGz(
  target: string,
  entries: TreeEntry[],
  options: {
    mtime?: Date
    parallelism?: number
    level?: number
    /** Called as input is read: (bytes of the files read so far, bytes of all files). */
    onProgress?: (done: number, total: number) => void
  } = {}
): Promise<TarGzResult> {
  const mtime = options.mtime ?? archiveMtime()
  const parallelism = Math.max(1, options.parallelism ?? availableParallelism())
  const level = options.level ?? DEFAULT_LEVEL
  await mkdir(dirname(target), { recursive: true })
  const temp = temporaryPath(target)
  const out = createWriteStream(temp)
  // Any failure, reading or writing, ends the tar stream the consumer loop reads.
  const tar = pack()
  out.on('error', err => {
    tar.destroy(err)
  })
  const hash = createHash('sha256')
  let bytes = 0
  let stored = 0
  let compressed = 0

  const total = entries.reduce((n, e) => n + (e.type === 'file' ? e.size : 0), 0)
  let read = 0
  // Compressed members come back in any order; they are written in order.
  const pending: Array<Promise<Buffer>> = []
  const inFlightLimit = parallelism * 2
  const writeNext = async (): Promise<void> => {
    const member = await pending.shift()
    if (!member) return
    hash.update(member)
    bytes += member.length
    if (!out.write(member))
      await new Promise<void>(resolve =>
        out.once('drain', () => {
          resolve()
        })
      )
  }
  const submit = async (chunk: Buffer): Promise<void> => {
    const store = looksCompressed(chunk)
    if (store) stored += 1
    else compressed += 1
    pending.push(gzipAsync(chunk, { level: store ? 0 : level }))
    while (pending.length >= inFlightLimit) await writeNext()
  }

  const produce = (async () => {
    for (const entry of entries) {
      const header = {
        name: entry.name,
        mtime,
        uid: 0,
        gid: 0,
        uname: '',
        gname: '',
        mode: entry.type === 'directory' || entry.executable ? 0o755 : 0o644,
        type: entry.type,
        size: entry.type === 'file' ? entry.size : 0
      }
      if (entry.type === 'directory') {
        tar.entry(header)
      } else {
        await pipeline(
          createReadStream(entry.source ?? '', { highWaterMark: 1024 * 1024 }),
          tar.entry(header)
        )
      }
    }
    tar.finalize()
  })().catch((err: unknown) => {
    tar.destroy(err instanceof Error ? err : new Error(String(err)))
    throw err
  })

  try {
    let buffer: Buffer[] = []
    let buffered = 0
    for await (const piece of tar) {
      let data = piece as Buffer
      read = Math.min(total, read + data.length)
      options.onProgress?.(read, total)
      while (data.length > 0) {
        const take = Math.min(CHUNK - buffered, data.length)
        buffer.push(data.subarray(0, take))
        buffered += take
        data = data.subarray(take)
        if (buffered === CHUNK) {
          await submit(Buffer.concat(buffer))
          buffer = []
          buffered = 0
        }
      }
    }
    if (buffered > 0) await submit(Buffer.concat(buffer))
    await produce
    while (pending.length > 0) await writeNext()
    await new Promise<void>((resolve, reject) => {
      out.end((err?: Error | null) => {
        if (err) reject(err)
        else resolve()
      })
    })
    await rename(temp, target)
  } catch (err) {
    tar.destroy()
    out.destroy()
    await Promise.allSettled(pending)
    await produce.catch(() => undefined)
    await rm(temp, { force: true })
    throw err
  }
  return { path: target, bytes, sha256: hash.digest('hex'), stored, compressed }
}
