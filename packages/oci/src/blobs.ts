/**
 * Blob delivery: each blob goes, verified, into every place that wants it (its slot in
 * one or more archives being written) from the cheapest source:
 *  - bytes already in hand (manifests, configs);
 *  - the content-addressed cache (blobs/sha256/<hex>), re-hashed as it is copied, so a
 *    damaged cache entry is caught, dropped and fetched again;
 *  - the registry: streamed, hashed and written in one pass, teed into the cache.
 * A digest or size mismatch is retried; network errors, 429 and 5xx are retried with
 * backoff and jitter, resuming with Range where the server answers 206. A cache entry
 * appears only complete and verified (temporary name, then rename).
 */
import { createHash, randomBytes, type Hash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { HttpError } from './client.js'
import { describeError, isError } from './errors.js'
import { discard, header, type HttpResponse } from './http.js'
import { backoffDelay, defaultRetry, retryAfterMs, sleep, type RetryOptions } from './retry.js'

export interface BlobDescriptor {
  digest: string
  size: number
}

/** Where a blob's bytes go: a file and the offset its data starts at. */
export interface BlobTarget {
  handle: FileHandle
  offset: number
}

/** One try at a blob from byte `offset` on. */
export type BlobSource = (offset: number) => Promise<HttpResponse>

/** The connection broke during a transfer; what arrived is kept for a resume. */
export class TransferError extends Error {
  constructor(
    message: string,
    readonly url: string,
    cause: unknown
  ) {
    super(message, { cause })
    this.name = 'TransferError'
  }
}

/** The bytes from `url` were not the blob asked for (wrong size or digest). */
export class BlobMismatchError extends Error {
  constructor(
    message: string,
    readonly url: string
  ) {
    super(message)
    this.name = 'BlobMismatchError'
  }
}

export interface BlobStats {
  /** Blob bytes received from the network. */
  bytesFetched: number
  /** Blob GETs sent. */
  requests: number
  /** Blobs taken from the cache. */
  reused: number
  /** Blobs fetched from the network. */
  fetched: number
}

export function blobHex(digest: string): string {
  const [algorithm, hex] = digest.split(':')
  if (algorithm !== 'sha256' || !hex || !/^[a-f0-9]{64}$/.test(hex)) {
    throw new Error(`unsupported digest ${digest}: only sha256 is supported`)
  }
  return hex
}

const sha256 = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`

export class BlobFetcher {
  readonly stats: BlobStats = { bytesFetched: 0, requests: 0, reused: 0, fetched: 0 }
  private readonly scratch: string | undefined

  /** `cacheDir`: a persistent content-addressed cache, or undefined for none. */
  constructor(
    readonly cacheDir: string | undefined,
    private readonly retry: RetryOptions = defaultRetry,
    private readonly onBytes: (n: number) => void = () => undefined
  ) {
    this.scratch = cacheDir
      ? join(cacheDir, 'tmp', `run-${process.pid}-${randomBytes(4).toString('hex')}`)
      : undefined
  }

  cachePath(digest: string): string | undefined {
    return this.cacheDir ? join(this.cacheDir, 'blobs', 'sha256', blobHex(digest)) : undefined
  }

  /** Writes bytes in hand (verified) to every target, and to the cache. */
  async deliverBytes(desc: BlobDescriptor, data: Buffer, targets: BlobTarget[]): Promise<void> {
    if (data.length !== desc.size || sha256(data) !== desc.digest) {
      throw new BlobMismatchError(`bytes in hand for ${desc.digest} do not match it`, 'memory')
    }
    await Promise.all(targets.map(t => t.handle.write(data, 0, data.length, t.offset)))
    const cached = this.cachePath(desc.digest)
    if (cached && !(await stat(cached).catch(() => undefined))) {
      const part = await this.scratchFile(desc.digest)
      await part.handle.write(data, 0, data.length, 0)
      await this.commitToCache(part, desc.digest)
    }
  }

  /**
   * A small blob (a config) as bytes: from the cache when it is there and intact,
   * else fetched, verified and cached.
   */
  async fetchBytes(
    desc: BlobDescriptor,
    source: BlobSource,
    what: string,
    limit = 16 * 1024 * 1024
  ): Promise<Buffer> {
    if (desc.size > limit)
      throw new Error(`${what}: ${desc.digest} is ${desc.size} bytes, over ${limit}`)
    const cached = this.cachePath(desc.digest)
    if (cached) {
      const data = await readFile(cached).catch(() => undefined)
      if (data && data.length === desc.size && sha256(data) === desc.digest) {
        this.stats.reused += 1
        return data
      }
    }
    const chunks: Buffer[] = []
    // Downloads write in order; a restart from byte 0 resets the sink.
    const collector: Sink = {
      write: more => {
        chunks.push(...more)
        return Promise.resolve()
      },
      reset: () => {
        chunks.length = 0
      }
    }
    await this.download(desc, source, what, [collector])
    const data = Buffer.concat(chunks)
    if (cached) {
      const part = await this.scratchFile(desc.digest)
      await part.handle.write(data, 0, data.length, 0)
      await this.commitToCache(part, desc.digest)
    }
    return data
  }

  /** Puts a blob into every target: from the cache if intact, else from `source`. */
  async deliver(
    desc: BlobDescriptor,
    targets: BlobTarget[],
    source: BlobSource,
    what: string
  ): Promise<void> {
    if (await this.copyFromCache(desc, targets)) {
      this.stats.reused += 1
      return
    }
    const part = this.cacheDir ? await this.scratchFile(desc.digest) : undefined
    const sinks: Sink[] = targets.map(fileSink)
    if (part) sinks.push(fileSink({ handle: part.handle, offset: 0 }))
    try {
      await this.download(desc, source, what, sinks)
      if (part) await this.commitToCache(part, desc.digest)
    } catch (err) {
      if (part) await part.discard()
      throw err
    }
  }

  /** Copies a cached blob into the targets while re-hashing it; false if absent or damaged. */
  private async copyFromCache(desc: BlobDescriptor, targets: BlobTarget[]): Promise<boolean> {
    const cached = this.cachePath(desc.digest)
    if (!cached) return false
    const info = await stat(cached).catch(() => undefined)
    if (!info) return false
    if (info.size === desc.size) {
      const hash = createHash('sha256')
      let position = 0
      for await (const chunk of createReadStream(cached, { highWaterMark: 1024 * 1024 })) {
        const buf = chunk as Buffer
        hash.update(buf)
        await Promise.all(targets.map(t => t.handle.write(buf, 0, buf.length, t.offset + position)))
        position += buf.length
      }
      if (`sha256:${hash.digest('hex')}` === desc.digest) return true
    }
    // Damaged or truncated: drop it; the caller fetches it again.
    await rm(cached, { force: true })
    return false
  }

  private async download(
    desc: BlobDescriptor,
    source: BlobSource,
    what: string,
    sinks: Sink[]
  ): Promise<void> {
    const state: TransferState = { hash: createHash('sha256'), received: 0 }
    let lastError: unknown
    let lastUrl = ''
    for (let attempt = 1; attempt <= this.retry.attempts; attempt++) {
      try {
        lastUrl = await this.tryOnce(desc, source, sinks, state)
        this.stats.fetched += 1
        return
      } catch (err) {
        lastError = err
        if (
          err instanceof HttpError ||
          err instanceof BlobMismatchError ||
          err instanceof TransferError
        ) {
          lastUrl = err.url
        }
        if (err instanceof BlobMismatchError) restart(state, sinks)
        const transient =
          err instanceof BlobMismatchError ||
          err instanceof TransferError ||
          (err instanceof HttpError ? err.retryable : isError(err) && !isDiskError(err))
        if (!transient || attempt >= this.retry.attempts) break
        await sleep(
          backoffDelay(attempt, this.retry, err instanceof HttpError ? err.retryAfterMs : undefined)
        )
      }
    }
    const cause =
      lastError instanceof TransferError ||
      lastError instanceof HttpError ||
      lastError instanceof BlobMismatchError
        ? lastError.message
        : describeError(lastError)
    throw new Error(
      `${what}: blob ${desc.digest} (${desc.size} bytes) from ${lastUrl || 'its registry'} failed: ${cause}`,
      {
        cause: lastError
      }
    )
  }

  /** One try, resuming from `state.received`. Returns the URL the bytes came from. */
  private async tryOnce(
    desc: BlobDescriptor,
    source: BlobSource,
    sinks: Sink[],
    state: TransferState
  ): Promise<string> {
    this.stats.requests += 1
    const res = await source(state.received)
    const url = res.url
    if (res.status !== 200 && res.status !== 206) {
      discard(res)
      throw new HttpError(
        url,
        res.status,
        `HTTP ${res.status}`,
        retryAfterMs(header(res, 'retry-after') ?? null)
      )
    }
    if (res.status === 206) {
      const start = Number(/^bytes (\d+)-/.exec(header(res, 'content-range') ?? '')?.[1] ?? -1)
      if (start !== state.received) {
        discard(res)
        const expected = state.received
        restart(state, sinks)
        throw new HttpError(url, 502, `server resumed at byte ${start}, expected ${expected}`)
      }
    } else if (state.received > 0) {
      // The server ignored Range: start over.
      restart(state, sinks)
    }
    // Chunks are gathered and written together (writev), ~1 MiB at a time: far fewer
    // write calls than one per socket chunk. `state.received` counts bytes written.
    let batch: Buffer[] = []
    let batched = 0
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return
      const chunks = batch
      const position = state.received
      batch = []
      await Promise.all(sinks.map(s => s.write(chunks, position)))
      state.received += batched
      batched = 0
    }
    try {
      for await (const chunk of res.body) {
        const buf = chunk as Buffer
        if (state.received + batched + buf.length > desc.size) {
          res.body.destroy()
          throw new BlobMismatchError(`more than the expected ${desc.size} bytes`, url)
        }
        state.hash.update(buf)
        batch.push(buf)
        batched += buf.length
        this.stats.bytesFetched += buf.length
        this.onBytes(buf.length)
        if (batched >= WRITE_BATCH) await flush()
      }
      await flush()
    } catch (err) {
      if (err instanceof BlobMismatchError || isDiskError(err)) throw err
      // The connection broke: what arrived is good, so write it and resume after it.
      await flush()
      throw new TransferError(
        `connection broke after ${state.received} of ${desc.size} bytes (${describeError(err)})`,
        url,
        err
      )
    }
    if (state.received !== desc.size) {
      throw new TransferError(
        `body ended at ${state.received} of ${desc.size} bytes`,
        url,
        undefined
      )
    }
    const actual = `sha256:${state.hash.digest('hex')}`
    if (actual !== desc.digest) throw new BlobMismatchError(`content hashes to ${actual}`, url)
    return url
  }

  private async scratchFile(
    digest: string
  ): Promise<{ path: string; handle: FileHandle; discard: () => Promise<void> }> {
    const dir = this.scratch ?? ''
    await mkdir(dir, { recursive: true })
    const path = join(dir, `${blobHex(digest)}.${randomBytes(4).toString('hex')}`)
    const handle = await open(path, 'w')
    return {
      path,
      handle,
      discard: async () => {
        await handle.close().catch(() => undefined)
        await rm(path, { force: true })
      }
    }
  }

  private async commitToCache(
    part: { path: string; handle: FileHandle },
    digest: string
  ): Promise<void> {
    await part.handle.close()
    const final = this.cachePath(digest) ?? ''
    await mkdir(join(final, '..'), { recursive: true })
    await rename(part.path, final)
  }

  /** Removes this run's scratch files; the cache stays. */
  async cleanup(): Promise<void> {
    if (this.scratch) await rm(this.scratch, { recursive: true, force: true })
  }
}

interface TransferState {
  hash: Hash
  received: number
}

/** Where downloaded bytes go; `reset` forgets what was written (a restart from 0). */
interface Sink {
  write(chunks: Buffer[], position: number): Promise<void>
  reset?(): void
}

const WRITE_BATCH = 1024 * 1024

/** Back to byte 0: a fresh hash, and sinks that forget what they were given. */
function restart(state: TransferState, sinks: Sink[]): void {
  state.hash = createHash('sha256')
  state.received = 0
  for (const sink of sinks) sink.reset?.()
}

function fileSink(target: BlobTarget): Sink {
  return {
    write: async (chunks, position) => {
      await target.handle.writev(chunks, target.offset + position)
    }
  }
}

/** A local file-system failure (disk full, permissions): not worth retrying. */
function isDiskError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return (
    typeof code === 'string' &&
    ['ENOSPC', 'EDQUOT', 'EACCES', 'EROFS', 'EIO', 'EBADF'].includes(code)
  )
}
