/**
 * Blob delivery: each blob goes, verified, into every place that wants it (its slot in
 * one or more archives being written) from the cheapest source:
 *  - bytes already in hand (manifests, configs);
 *  - the content-addressed cache (blobs/sha256/<hex>), re-hashed as it is copied, so a
 *    damaged cache entry is caught, dropped and fetched again;
 *  - the registry: streamed, hashed and written in one pass, teed into the cache.
 * A digest or size mismatch is retried; network errors, 429 and 5xx are retried with
 * backoff and jitter, resuming with Range where the server answers 206. The retry budget
 * is time (since the first failure) and tries in a row that brought no new bytes: a try
 * that made progress does not use it up. A cache entry appears only complete and verified
 * (temporary name, then rename); cache.ts keeps reads and writes inside the cache.
 */
import { createHash, type Hash } from 'node:crypto'
import { writeSync } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import { BlobCache, pipeChunks, readChunks } from './cache.js'
import { HttpError } from './client.js'
import { describeError, isError, isPermanentError } from './errors.js'
import { discard, header, type HttpResponse } from './http.js'
import { limiter } from './limit.js'
import { rateLimitStop, readRateLimit } from './ratelimit.js'
import { StagingPool } from './staging.js'
import { youngGarbage } from './young-gc.js'
import {
  backoffDelay,
  defaultRetry,
  retryAfterMs,
  retryExhausted,
  sleep,
  type RetryOptions
} from './retry.js'

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

const sha256 = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`

export class BlobFetcher {
  readonly stats: BlobStats = { bytesFetched: 0, requests: 0, reused: 0, fetched: 0 }
  private readonly cache: BlobCache | undefined
  private readonly staging = new StagingPool()
  private readonly copies = limiter(WARM_COPIES)

  /** `cacheDir`: a persistent content-addressed cache, or undefined for none. */
  constructor(
    readonly cacheDir: string | undefined,
    private readonly retry: RetryOptions = defaultRetry,
    private readonly onBytes: (n: number) => void = () => undefined
  ) {
    this.cache = cacheDir ? new BlobCache(cacheDir) : undefined
  }

  /** Writes bytes in hand (verified) to every target, and to the cache. */
  async deliverBytes(desc: BlobDescriptor, data: Buffer, targets: BlobTarget[]): Promise<void> {
    if (data.length !== desc.size || sha256(data) !== desc.digest) {
      throw new BlobMismatchError(`bytes in hand for ${desc.digest} do not match it`, 'memory')
    }
    await Promise.all(targets.map(t => t.handle.write(data, 0, data.length, t.offset)))
    await this.storeBytes(desc, data)
  }

  /** Puts bytes in hand (already verified) into the cache, unless there. */
  async storeBytes(desc: BlobDescriptor, data: Buffer): Promise<void> {
    if (!this.cache || (await this.cache.has(desc))) return
    const part = await this.cache.scratch(desc.digest)
    try {
      await part.handle.write(data, 0, data.length, 0)
      await this.cache.commit(part, desc.digest)
    } catch (err) {
      await part.discard()
      throw err
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
    const cached = await this.readCached(desc)
    if (cached) {
      this.stats.reused += 1
      return cached
    }
    const chunks: Buffer[] = []
    // Downloads write in order; a restart from byte 0 resets the sink.
    const collector: Sink = {
      write: data => {
        chunks.push(Buffer.from(data))
      },
      reset: () => {
        chunks.length = 0
      }
    }
    await this.download(desc, source, what, [collector])
    const data = Buffer.concat(chunks)
    await this.storeBytes(desc, data)
    return data
  }

  /** A cached blob's bytes (at most its size), verified; undefined (and dropped) if damaged. */
  async readCached(desc: BlobDescriptor): Promise<Buffer | undefined> {
    const handle = await this.cache?.open(desc)
    if (!handle || !this.cache) return undefined
    const data = Buffer.alloc(desc.size)
    try {
      await readChunks(handle, desc.size, (chunk, position) => {
        chunk.copy(data, position)
      })
    } catch {
      await handle.close()
      await this.cache.drop(desc.digest)
      return undefined
    }
    await handle.close()
    if (sha256(data) === desc.digest) return data
    await this.cache.drop(desc.digest)
    return undefined
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
    const part = this.cache ? await this.cache.scratch(desc.digest) : undefined
    const sinks: Sink[] = targets.map(fileSink)
    if (part) sinks.push(fileSink({ handle: part.handle, offset: 0 }))
    try {
      await this.download(desc, source, what, sinks)
      if (part) await this.cache?.commit(part, desc.digest)
    } catch (err) {
      if (part) await part.discard()
      throw err
    }
  }

  /**
   * Copies a cached blob into the targets while re-hashing it; false if absent or damaged.
   * A pipeline per blob (pipeChunks): the next chunks are read (threadpool) while this one
   * is hashed (main thread) and the last one written, in a few reused buffers; only
   * WARM_COPIES blobs copy at once, so the main thread hashes without the threadpool's
   * reads and writes of many blobs crowding it out (2 cores).
   */
  private async copyFromCache(desc: BlobDescriptor, targets: BlobTarget[]): Promise<boolean> {
    const handle = await this.cache?.open(desc)
    if (!handle || !this.cache) return false
    const failed: { write?: unknown } = {}
    let intact = false
    try {
      const hash = await this.copies(() => pipeToTargets(handle, desc.size, targets, failed))
      intact = hash === desc.digest
    } catch {
      // A failed write to the archive is the run's problem; a failed read, the entry's.
      if ('write' in failed) throw failed.write
    } finally {
      await handle.close()
    }
    // Damaged or truncated: drop it; the caller fetches it again.
    if (!intact) await this.cache.drop(desc.digest)
    return intact
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
    let tries = 0
    let idle = 0
    let firstFailure = 0
    let why = ''
    for (;;) {
      const before = state.received
      tries += 1
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
        // A try that brought new bytes (kept for a resume) does not use up the budget.
        idle = state.received > before ? 0 : idle + 1
        firstFailure ||= Date.now()
        const transient =
          err instanceof BlobMismatchError ||
          err instanceof TransferError ||
          (err instanceof HttpError
            ? err.retryable
            : isError(err) && !isDiskError(err) && !isPermanentError(err))
        if (!transient) break
        const tooLong = rateLimitStop(
          err instanceof HttpError ? err : undefined,
          `${what}: blob ${desc.digest}`,
          this.retry.budgetMs,
          firstFailure
        )
        if (tooLong) throw tooLong
        const delay = backoffDelay(
          Math.max(1, idle),
          this.retry,
          err instanceof HttpError ? err.retryAfterMs : undefined
        )
        why = retryExhausted(this.retry, idle, Date.now() + delay - firstFailure)
        if (why) break
        await sleep(delay)
      }
    }
    const cause =
      lastError instanceof TransferError ||
      lastError instanceof HttpError ||
      lastError instanceof BlobMismatchError
        ? lastError.message
        : describeError(lastError)
    throw new Error(
      `${what}: blob ${desc.digest} (${desc.size} bytes) from ${lastUrl || 'its registry'} failed${why ? ` (${why}; ${tries} tries)` : ''}: ${cause}`,
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
        retryAfterMs(header(res, 'retry-after') ?? null),
        readRateLimit(new URL(url).host, res.headers)
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
    // Each view of the connection's read buffer (wire.ts: valid until the next is asked for)
    // is hashed and handed to the StagedWriter, which writes it before the next is read.
    const stage = this.staging.acquire()
    const writer = new StagedWriter(stage, sinks, state)
    let accepted = state.received
    try {
      for await (const buf of res.body) {
        if (accepted + buf.length > desc.size) {
          res.body.destroy()
          throw new BlobMismatchError(`more than the expected ${desc.size} bytes`, url)
        }
        accepted += buf.length
        state.hash.update(buf)
        this.stats.bytesFetched += buf.length
        this.onBytes(buf.length)
        writer.push(buf)
        youngGarbage(buf.length)
      }
      writer.flush()
    } catch (err) {
      if (err instanceof BlobMismatchError || isDiskError(err) || writer.failed) throw err
      // The connection broke: what arrived is good, so write it and resume after it.
      writer.flush()
      throw new TransferError(
        `connection broke after ${state.received} of ${desc.size} bytes (${describeError(err)})`,
        url,
        err
      )
    } finally {
      this.staging.release(stage)
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

  /** Removes this run's scratch files; the cache stays. */
  async cleanup(): Promise<void> {
    await this.cache?.cleanup()
  }
}

interface TransferState {
  hash: Hash
  received: number
}

/**
 * Where downloaded bytes go; `reset` forgets what was written (a restart from 0). `data` is
 * a reused buffer, valid only during the call, so a sink that keeps bytes copies them.
 */
interface Sink {
  write(data: Buffer, position: number): void
  reset?(): void
}

/** Reads at least this large are written as they are (StagedWriter.push). */
const DIRECT_WRITE = 32 * 1024

/**
 * Writes received chunks to every sink at once, on the main thread: a large one as it is,
 * small ones gathered first in one reused stage (staging.ts). A write into the page cache takes less time than handing it
 * to the threadpool and back: with threadpool writes a 3 GiB fetch made ~170,000 futex
 * calls, and writing here took it from 7.2-8.4 s to 6.2-6.8 s, with 1.5 s less kernel and
 * 1 s less user time (node 24, 2 cores shared with the registry). `state.received` grows
 * only when a write is done, so a resume starts after bytes that are really on disk.
 */
class StagedWriter {
  /** True once a write to a sink failed. */
  failed = false
  private filled = 0

  constructor(
    private readonly stage: Buffer,
    private readonly sinks: Sink[],
    private readonly state: TransferState
  ) {}

  /**
   * Takes `chunk`: a large one with nothing staged is written as it is (no copy, and the
   * stage's pages are never touched: a plain-HTTP read is 64 KiB); smaller ones (a TLS
   * record is at most 16 KiB) are copied in, and the stage written each time it is full.
   */
  push(chunk: Buffer): void {
    if (this.filled === 0 && chunk.length >= DIRECT_WRITE) {
      this.write(chunk)
      return
    }
    let from = 0
    while (from < chunk.length) {
      const copied = chunk.copy(this.stage, this.filled, from)
      this.filled += copied
      from += copied
      if (this.filled === this.stage.length) this.flush()
    }
  }

  /** Writes what is staged to every sink; throws a write's failure. */
  flush(): void {
    if (this.filled === 0) return
    this.write(this.stage.subarray(0, this.filled))
    this.filled = 0
  }

  private write(data: Buffer): void {
    try {
      for (const sink of this.sinks) sink.write(data, this.state.received)
    } catch (err) {
      this.failed = true
      throw err
    }
    this.state.received += data.length
  }
}

/**
 * Cache copies: chunk size, buffers per blob, blobs copied at once (see copyFromCache).
 * A chunk is read (threadpool), hashed (main thread) and written (threadpool) while it is
 * still in the core's L2 cache (512 KiB per core on the EPYC this was measured on), so
 * the hash and the write's copy read cache, not memory. A warm 1 GiB run (npm run bench
 * --scale set, node 24, 2 cores), medians of 7 interleaved with the warm limit's 1.10 s:
 * 1 MiB chunks took 1.72 s (1.5-1.9 s of kernel time); 256 KiB chunks, two per blob and
 * two blobs at once, 1.12 s (0.6-0.8 s of kernel time) and 3 MiB less resident.
 * Deeper pipelines (4-8 per blob), 3 blobs at once, or 64-192 KiB chunks measured slower.
 */
const COPY_CHUNK = 256 * 1024
const COPY_DEPTH = 2
const WARM_COPIES = 2

/** Copy buffers, reused from blob to blob (and run to run): none is allocated per chunk. */
const spareBuffers: Buffer[] = []

/**
 * Copies `size` bytes of a cache entry into every target through a pipeline, hashing them;
 * returns the digest of what was read. A write failure is recorded in `failed.write`.
 */
async function pipeToTargets(
  handle: FileHandle,
  size: number,
  targets: BlobTarget[],
  failed: { write?: unknown }
): Promise<string> {
  const hash = createHash('sha256')
  const count = Math.max(1, Math.min(COPY_DEPTH, Math.ceil(size / COPY_CHUNK)))
  const buffers = Array.from(
    { length: count },
    () => spareBuffers.pop() ?? Buffer.allocUnsafeSlow(COPY_CHUNK)
  )
  try {
    await pipeChunks(handle, size, buffers, async (chunk, position) => {
      hash.update(chunk)
      try {
        await Promise.all(
          targets.map(t => t.handle.write(chunk, 0, chunk.length, t.offset + position))
        )
      } catch (err) {
        failed.write ??= err
        throw err
      }
    })
  } finally {
    // pipeChunks returns with nothing in flight: the buffers are free again.
    spareBuffers.push(...buffers)
  }
  return `sha256:${hash.digest('hex')}`
}

/** Back to byte 0: a fresh hash, and sinks that forget what they were given. */
function restart(state: TransferState, sinks: Sink[]): void {
  state.hash = createHash('sha256')
  state.received = 0
  for (const sink of sinks) sink.reset?.()
}

function fileSink(target: BlobTarget): Sink {
  return {
    write: (data, position) => {
      for (let done = 0; done < data.length;) {
        done += writeSync(
          target.handle.fd,
          data,
          done,
          data.length - done,
          target.offset + position + done
        )
      }
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
