/**
 * A content-addressed blob store: blobs/sha256/<hex> under a directory that is either a
 * persistent cache (kept across runs, e.g. with actions/cache) or a run's scratch space.
 *
 * Every blob is streamed to a temporary file while hashed and renamed into place only
 * when its size and digest match. A blob already in the store is verified once per
 * process and never fetched again. Concurrent requests for one digest share one fetch.
 * Transient failures are retried with backoff; an interrupted body resumes with Range
 * where the server answers 206.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, rename, rm, stat, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { HttpError } from './client.js'
import { describeError, isError } from './errors.js'
import { backoffDelay, defaultRetry, sleep, type RetryOptions } from './retry.js'

export interface BlobDescriptor {
  digest: string
  size: number
}

/** One try at a blob from `offset` on; returns the answer and the URL it came from. */
export type BlobSource = (offset: number) => Promise<{
  res: Response
  url: string
  idle: () => void
}>

/** The connection to `url` broke during a transfer; what arrived is kept for a resume. */
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
  /** Bytes received from the network for blobs. */
  bytesFetched: number
  /** Blob GETs sent. */
  requests: number
  /** Blobs found in the store (no fetch). */
  reused: number
  /** Blobs fetched. */
  fetched: number
}

function hexOf(digest: string): string {
  const [algorithm, hex] = digest.split(':')
  if (algorithm !== 'sha256' || !hex || !/^[a-f0-9]{64}$/.test(hex)) {
    throw new Error(`unsupported digest ${digest}: only sha256 is supported`)
  }
  return hex
}

export class BlobStore {
  readonly stats: BlobStats = { bytesFetched: 0, requests: 0, reused: 0, fetched: 0 }
  private readonly verified = new Set<string>()
  private readonly inflight = new Map<string, Promise<void>>()
  private readonly tmp: string

  constructor(
    readonly dir: string,
    private readonly retry: RetryOptions = defaultRetry,
    private readonly onBytes: (n: number) => void = () => undefined
  ) {
    this.tmp = join(dir, 'tmp', `run-${process.pid}-${randomBytes(4).toString('hex')}`)
  }

  path(digest: string): string {
    return join(this.dir, 'blobs', 'sha256', hexOf(digest))
  }

  /** True when the store holds the blob, verified (once per process) against size and digest. */
  async has(desc: BlobDescriptor): Promise<boolean> {
    if (this.verified.has(desc.digest)) return true
    const file = this.path(desc.digest)
    const info = await stat(file).catch(() => undefined)
    if (!info) return false
    if (info.size === desc.size && (await hashFile(file)) === desc.digest) {
      this.verified.add(desc.digest)
      return true
    }
    await rm(file, { force: true })
    return false
  }

  /** Stores bytes already in hand (manifests), verifying them. */
  async put(desc: BlobDescriptor, data: Buffer): Promise<void> {
    const actual = `sha256:${createHash('sha256').update(data).digest('hex')}`
    if (actual !== desc.digest || data.length !== desc.size) {
      throw new BlobMismatchError(
        `content for ${desc.digest} hashes to ${actual} (${data.length} bytes)`,
        'memory'
      )
    }
    if (await this.has(desc)) return
    await mkdir(this.tmp, { recursive: true })
    const part = join(this.tmp, `${hexOf(desc.digest)}.${randomBytes(4).toString('hex')}`)
    await writeFile(part, data)
    await this.commit(part, desc.digest)
  }

  /**
   * Makes sure the store holds `desc`, fetching it from `source` if needed.
   * `what` names the image for error messages.
   */
  ensure(desc: BlobDescriptor, source: BlobSource, what: string): Promise<void> {
    let job = this.inflight.get(desc.digest)
    if (!job) {
      job = (async () => {
        if (await this.has(desc)) {
          this.stats.reused += 1
          return
        }
        await this.download(desc, source, what)
        this.stats.fetched += 1
      })()
      this.inflight.set(desc.digest, job)
    }
    return job
  }

  private async commit(part: string, digest: string): Promise<void> {
    const final = this.path(digest)
    await mkdir(join(final, '..'), { recursive: true })
    await rename(part, final)
    this.verified.add(digest)
  }

  private async download(desc: BlobDescriptor, source: BlobSource, what: string): Promise<void> {
    await mkdir(this.tmp, { recursive: true })
    const part = join(this.tmp, `${hexOf(desc.digest)}.${randomBytes(4).toString('hex')}`)
    let lastError: unknown
    let lastUrl = ''
    try {
      for (let attempt = 1; attempt <= this.retry.attempts; attempt++) {
        try {
          lastUrl = await this.tryOnce(desc, source, part)
          await this.commit(part, desc.digest)
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
          const transient =
            err instanceof BlobMismatchError ||
            err instanceof TransferError ||
            (err instanceof HttpError ? err.retryable : isError(err))
          if (!transient || attempt >= this.retry.attempts) break
          const after = err instanceof HttpError ? err.retryAfterMs : undefined
          await sleep(backoffDelay(attempt, this.retry, after))
        }
      }
    } finally {
      await rm(part, { force: true })
    }
    const cause =
      lastError instanceof TransferError || lastError instanceof HttpError
        ? lastError.message
        : describeError(lastError)
    throw new Error(
      `${what}: blob ${desc.digest} (${desc.size} bytes) from ${lastUrl || 'its registry'} failed: ${cause}`,
      { cause: lastError }
    )
  }

  /** One try; resumes from what `part` holds. Returns the URL the bytes came from. */
  private async tryOnce(desc: BlobDescriptor, source: BlobSource, part: string): Promise<string> {
    let offset = (await stat(part).catch(() => undefined))?.size ?? 0
    if (offset >= desc.size) {
      await truncate(part, 0)
      offset = 0
    }
    this.stats.requests += 1
    const { res, url, idle } = await source(offset)
    if (res.status !== 200 && res.status !== 206) {
      const text = (await res.text().catch(() => '')).slice(0, 200).trim()
      throw new HttpError(url, res.status, `HTTP ${res.status}${text ? `: ${text}` : ''}`)
    }
    if (res.status === 206) {
      const start = Number(/^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '')?.[1] ?? -1)
      if (start !== offset) {
        await res.body?.cancel()
        await truncate(part, 0)
        throw new HttpError(url, 502, `server resumed at byte ${start}, expected ${offset}`)
      }
    } else if (offset > 0) {
      // The server ignored Range: start over.
      await truncate(part, 0)
      offset = 0
    }
    const hash = createHash('sha256')
    if (offset > 0) {
      for await (const chunk of createReadStream(part)) hash.update(chunk as Buffer)
    }
    let received = offset
    const body = res.body ? Readable.fromWeb(res.body) : Readable.from([])
    const store = this.stats
    const onBytes = this.onBytes
    const size = desc.size
    try {
      await pipeline(
        body,
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            idle()
            received += chunk.length
            store.bytesFetched += chunk.length
            onBytes(chunk.length)
            if (received > size) {
              throw new BlobMismatchError(`more than the expected ${size} bytes`, url)
            }
            hash.update(chunk)
            yield chunk
          }
        },
        createWriteStream(part, { flags: offset > 0 ? 'a' : 'w' })
      )
    } catch (err) {
      if (err instanceof BlobMismatchError) throw err
      const why = describeError(err)
      throw new TransferError(
        `connection broke after ${received} of ${desc.size} bytes (${why})`,
        url,
        err
      )
    }
    if (received !== desc.size) {
      // A short body without a network error: treat as a break, resumable.
      throw new HttpError(url, 599, `body ended at ${received} of ${desc.size} bytes`)
    }
    const actual = `sha256:${hash.digest('hex')}`
    if (actual !== desc.digest) {
      await truncate(part, 0)
      throw new BlobMismatchError(`content hashes to ${actual}`, url)
    }
    return url
  }

  /** Removes this run's scratch files (the store itself stays). */
  async cleanup(): Promise<void> {
    await rm(this.tmp, { recursive: true, force: true })
  }
}

export async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256')
  await pipeline(createReadStream(file), hash)
  return `sha256:${hash.digest('hex')}`
}
