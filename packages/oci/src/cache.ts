/**
 * The content-addressed blob cache on disk: <root>/blobs/sha256/<hex>, and <root>/tmp for
 * the files being written. Nothing in it is trusted:
 *  - `blobs`, `blobs/sha256` and `tmp` must be real directories; a link, file or anything
 *    else in their place is removed and the directory made again, so no write lands
 *    outside the cache;
 *  - an entry is opened without following links, and only when it is a regular file of
 *    exactly the size its descriptor gives; anything else (a link to /dev/zero or
 *    /etc/passwd, a FIFO, a directory, a device) is removed without being opened;
 *  - at most the descriptor's size is read, and the caller re-hashes what it reads.
 * What is removed is fetched again: the cache heals.
 */
import { randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import { lstat, mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'

export interface CacheEntryDescriptor {
  digest: string
  size: number
}

/** A file being written in the cache's tmp directory, renamed into place when complete. */
export interface ScratchFile {
  path: string
  handle: FileHandle
  discard: () => Promise<void>
}

export function blobHex(digest: string): string {
  const [algorithm, hex] = digest.split(':')
  if (algorithm !== 'sha256' || !hex || !/^[a-f0-9]{64}$/.test(hex)) {
    throw new Error(`unsupported digest ${digest}: only sha256 is supported`)
  }
  return hex
}

const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK
const CREATE_FLAGS =
  constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW

/** Makes `path` a real directory: whatever else is there (a link, a file) is removed first. */
async function realDirectory(path: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const info = await lstat(path).catch(() => undefined)
    if (info?.isDirectory()) return
    if (info) await rm(path, { force: true, recursive: false }).catch(() => undefined)
    try {
      await mkdir(path)
      return
    } catch (err) {
      // Another run made it at the same moment: look again.
      if ((err as { code?: string }).code !== 'EEXIST') throw err
    }
  }
  throw new Error(`cache directory ${path} keeps changing under kedge; use another cache-dir`)
}

export class BlobCache {
  private prepared: Promise<string> | undefined
  private readonly runName = `run-${process.pid}-${randomBytes(4).toString('hex')}`

  constructor(readonly root: string) {}

  path(digest: string): string {
    return join(this.root, 'blobs', 'sha256', blobHex(digest))
  }

  /** Checks (and repairs) the cache's directories once; returns this run's scratch directory. */
  private prepare(): Promise<string> {
    this.prepared ??= (async () => {
      await mkdir(this.root, { recursive: true })
      for (const dir of [['blobs'], ['blobs', 'sha256'], ['tmp']]) {
        await realDirectory(join(this.root, ...dir))
      }
      const scratch = join(this.root, 'tmp', this.runName)
      await mkdir(scratch)
      return scratch
    })()
    return this.prepared
  }

  /** Removes an entry, whatever it is (a directory too), without following links. */
  async drop(digest: string): Promise<void> {
    await rm(this.path(digest), { recursive: true, force: true })
  }

  /** True when the entry looks intact: a regular file of the right size (not re-hashed). */
  async has(desc: CacheEntryDescriptor): Promise<boolean> {
    await this.prepare()
    const info = await lstat(this.path(desc.digest)).catch(() => undefined)
    return info !== undefined && info.isFile() && info.size === desc.size
  }

  /**
   * Opens an entry for reading: a regular file of `desc.size` bytes, reached without
   * following a link. Anything else there is removed. Undefined when nothing usable is there.
   */
  async open(desc: CacheEntryDescriptor): Promise<FileHandle | undefined> {
    await this.prepare()
    const path = this.path(desc.digest)
    const before = await lstat(path).catch(() => undefined)
    if (!before) return undefined
    if (!before.isFile() || before.size !== desc.size) {
      await this.drop(desc.digest)
      return undefined
    }
    let handle: FileHandle
    try {
      handle = await open(path, READ_FLAGS)
    } catch {
      await this.drop(desc.digest)
      return undefined
    }
    const info = await handle.stat()
    if (
      !info.isFile() ||
      info.size !== desc.size ||
      info.ino !== before.ino ||
      info.dev !== before.dev
    ) {
      await handle.close()
      await this.drop(desc.digest)
      return undefined
    }
    return handle
  }

  /** A new file in this run's scratch directory, created exclusively (never through a link). */
  async scratch(digest: string): Promise<ScratchFile> {
    const dir = await this.prepare()
    const path = join(dir, `${blobHex(digest)}.${randomBytes(4).toString('hex')}`)
    const handle = await open(path, CREATE_FLAGS, 0o644)
    return {
      path,
      handle,
      discard: async () => {
        await handle.close().catch(() => undefined)
        await rm(path, { force: true })
      }
    }
  }

  /** Renames a complete, verified scratch file into place; whatever was there goes. */
  async commit(part: ScratchFile, digest: string): Promise<void> {
    await part.handle.close()
    const final = this.path(digest)
    try {
      await rename(part.path, final)
    } catch (err) {
      // A directory (or a non-empty one) in the blob's place: remove it and try once more.
      if (
        !['EISDIR', 'ENOTEMPTY', 'EEXIST', 'ENOTDIR'].includes(
          (err as { code?: string }).code ?? ''
        )
      )
        throw err
      await this.drop(digest)
      await rename(part.path, final)
    }
  }

  /** Removes this run's scratch files; the cache stays. */
  async cleanup(): Promise<void> {
    if (!this.prepared) return
    const dir = await this.prepared.catch(() => undefined)
    if (dir) await rm(dir, { recursive: true, force: true })
  }
}

/**
 * Reads exactly `size` bytes of `handle` in chunks into one reused buffer, handing each to
 * `each` (awaited before the buffer is reused). Throws when the file ends early.
 */
export async function readChunks(
  handle: FileHandle,
  size: number,
  each: (chunk: Buffer, position: number) => Promise<void> | void,
  chunkSize = 256 * 1024
): Promise<void> {
  const buffer = Buffer.allocUnsafe(Math.max(1, Math.min(chunkSize, size)))
  let position = 0
  while (position < size) {
    const want = Math.min(buffer.length, size - position)
    const { bytesRead } = await handle.read(buffer, 0, want, position)
    if (bytesRead === 0) throw new Error(`cache entry ended at ${position} of ${size} bytes`)
    await each(buffer.subarray(0, bytesRead), position)
    position += bytesRead
  }
}

/** Reads exactly `want` bytes at `position` into the start of `buffer`; throws at an early end. */
async function readFully(
  handle: FileHandle,
  buffer: Buffer,
  want: number,
  position: number,
  size: number
): Promise<void> {
  for (let got = 0; got < want;) {
    const { bytesRead } = await handle.read(buffer, got, want - got, position + got)
    if (bytesRead === 0) {
      throw new Error(`cache entry ended at ${position + got} of ${size} bytes`)
    }
    got += bytesRead
  }
}

/**
 * Reads exactly `size` bytes of `handle`, in order, through a ring of `buffers` (all one
 * length): while `each` works on chunk k, chunks k+1.. are being read. `each` is called in
 * order, synchronously consumes the chunk (hashing it) and returns the work that still
 * uses the buffer (its writes); that buffer is read into again only after that work is
 * done. Nothing is in flight when this returns or throws (the first error wins), so the
 * caller may close the handle and reuse the buffers. Throws when the file ends early.
 */
export async function pipeChunks(
  handle: FileHandle,
  size: number,
  buffers: Buffer[],
  each: (chunk: Buffer, position: number) => Promise<void>
): Promise<void> {
  const chunkSize = buffers[0]?.length ?? 0
  if (chunkSize === 0) throw new Error('pipeChunks needs at least one buffer')
  const reads: Array<Promise<void> | undefined> = []
  const uses: Array<Promise<void> | undefined> = []
  let issued = 0
  const issue = (slot: number): void => {
    const buffer = buffers[slot] as Buffer
    const position = issued
    const want = Math.min(chunkSize, size - position)
    issued += want
    const free = uses[slot] ?? Promise.resolve()
    reads[slot] = free.then(() => readFully(handle, buffer, want, position, size))
    // Marked handled here; the loop below (or the final settle) still sees the rejection.
    reads[slot].catch(() => undefined)
  }
  try {
    for (let slot = 0; slot < buffers.length && issued < size; slot++) issue(slot)
    for (let k = 0, position = 0; position < size; k++) {
      const slot = k % buffers.length
      await reads[slot]
      const length = Math.min(chunkSize, size - position)
      uses[slot] = each((buffers[slot] as Buffer).subarray(0, length), position)
      uses[slot].catch(() => undefined)
      position += length
      if (issued < size) issue(slot)
    }
    await Promise.all(uses.filter(use => use !== undefined))
  } finally {
    await Promise.allSettled([...reads, ...uses].filter(work => work !== undefined))
  }
}
