/**
 * The warm path (issue 14): a cached blob is copied into its archive places through a
 * pipeline (reads ahead while a chunk is hashed and written), and still re-hashed as it is
 * copied. A cache entry that ends early part way through is dropped and fetched again; a
 * write that fails into the archive fails the delivery and is not blamed on the cache.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { BlobFetcher, defaultRetry, pipeChunks, type BlobSource } from '@kedge/oci'
import * as bed from '../bed/index.js'

const MiB = 1024 * 1024
const fast = { ...defaultRetry, attempts: 2, baseDelayMs: 1, maxDelayMs: 2 }

describe('copying a cached blob (pipeline)', () => {
  let dir: string
  let n = 0
  // Several chunks more than any pipeline depth, and not a whole number of them.
  const data = randomBytes(9 * MiB + 12345)
  const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`
  const desc = { digest, size: data.length }

  beforeAll(async () => {
    dir = await bed.tempDir('cache-copy')
  })
  afterAll(async () => {
    await bed.removeDir(dir)
  })

  /** A cache holding the blob; returns its directory and the entry's path. */
  const filledCache = () => {
    const cacheDir = join(dir, `cache-${++n}`)
    mkdirSync(join(cacheDir, 'blobs', 'sha256'), { recursive: true })
    const entry = join(cacheDir, 'blobs', 'sha256', digest.slice(7))
    writeFileSync(entry, data)
    return { cacheDir, entry }
  }
  /** A registry stand-in serving the blob; counts its requests. */
  const counting = () => {
    const calls = { n: 0 }
    const source: BlobSource = () => {
      calls.n += 1
      // A body as the registry client gives one: an iterable of views, here of one piece.
      const body = {
        [Symbol.asyncIterator]: async function* () {
          yield await Promise.resolve(data)
        },
        destroy: () => undefined,
        discard: () => undefined
      }
      return Promise.resolve({ status: 200, url: 'http://registry.test/blob', headers: {}, body })
    }
    return { calls, source }
  }
  /** A target file whose handle runs `before(call)` ahead of each cache copy's write; an Error fails it. */
  const target = async (before: (call: number) => Error | undefined) => {
    const path = join(dir, `out-${++n}`)
    const real = await open(path, 'w+')
    let calls = 0
    const handle = {
      write: (buffer: Buffer, offset: number, length: number, position: number) => {
        const failure = before(++calls)
        if (failure) return Promise.reject(failure)
        return real.write(buffer, offset, length, position)
      },
      writev: (buffers: Buffer[], position: number) => real.writev(buffers, position),
      // A download writes through the descriptor (blobs.ts, fileSink), past `before`.
      fd: real.fd
    } as unknown as FileHandle
    return { path, real, handle }
  }

  test('an intact entry is copied (every byte in place) and not fetched', async () => {
    const { cacheDir } = filledCache()
    const { calls, source } = counting()
    const out = await target(() => undefined)
    const fetcher = new BlobFetcher(cacheDir, fast)
    await fetcher.deliver(desc, [{ handle: out.handle, offset: 1000 }], source, 'test')
    await out.real.close()
    expect(calls.n).toBe(0)
    expect(fetcher.stats.reused).toBe(1)
    expect(readFileSync(out.path).subarray(1000).equals(data)).toBe(true)
  })

  test('an entry truncated part way through the copy is dropped and fetched again', async () => {
    const { cacheDir, entry } = filledCache()
    const { calls, source } = counting()
    // The first write into the archive truncates the entry: later reads find its end early.
    const out = await target(call => {
      if (call === 1) truncateSync(entry, 100_000)
      return undefined
    })
    const fetcher = new BlobFetcher(cacheDir, fast)
    await fetcher.deliver(desc, [{ handle: out.handle, offset: 0 }], source, 'test')
    await out.real.close()
    expect(calls.n).toBe(1)
    expect(fetcher.stats).toMatchObject({ reused: 0, fetched: 1 })
    expect(readFileSync(out.path).equals(data)).toBe(true)
    // Healed: the entry was fetched again, verified and put back whole.
    expect(statSync(entry).size).toBe(data.length)
    expect(readFileSync(entry).equals(data)).toBe(true)
  })

  test('a write failure into the archive fails the delivery; the cache entry stays', async () => {
    const { cacheDir, entry } = filledCache()
    const { calls, source } = counting()
    const out = await target(call =>
      call === 3 ? Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' }) : undefined
    )
    const fetcher = new BlobFetcher(cacheDir, fast)
    await expect(
      fetcher.deliver(desc, [{ handle: out.handle, offset: 0 }], source, 'test')
    ).rejects.toMatchObject({ code: 'EIO' })
    await out.real.close()
    expect(calls.n).toBe(0)
    expect(existsSync(entry)).toBe(true)
    expect(readFileSync(entry).equals(data)).toBe(true)
  })
})

describe('pipeChunks', () => {
  let dir: string
  beforeAll(async () => {
    dir = await bed.tempDir('pipe-chunks')
  })
  afterAll(async () => {
    await bed.removeDir(dir)
  })

  test('hands every chunk in order and reuses a buffer only after its work is done', async () => {
    const data = randomBytes(10 * 4096 + 77)
    const path = join(dir, 'blob')
    writeFileSync(path, data)
    const copy = Buffer.alloc(data.length)
    const positions: number[] = []
    const handle = await open(path, 'r')
    try {
      const buffers = [Buffer.alloc(4096), Buffer.alloc(4096), Buffer.alloc(4096)]
      await pipeChunks(handle, data.length, buffers, async (chunk, position) => {
        positions.push(position)
        // The work copies the chunk late: a buffer read into too early would corrupt it.
        await new Promise(resolve => setTimeout(resolve, 2))
        chunk.copy(copy, position)
      })
    } finally {
      await handle.close()
    }
    expect(positions).toEqual(Array.from({ length: 11 }, (_, i) => i * 4096))
    expect(copy.equals(data)).toBe(true)
  })

  test('a file that ends early throws, and nothing is left in flight', async () => {
    const path = join(dir, 'short')
    writeFileSync(path, randomBytes(5000))
    const handle = await open(path, 'r')
    let pending = 0
    try {
      await expect(
        pipeChunks(handle, 20_000, [Buffer.alloc(4096), Buffer.alloc(4096)], async () => {
          pending += 1
          await new Promise(resolve => setTimeout(resolve, 5))
          pending -= 1
        })
      ).rejects.toThrow(/ended at 5000 of 20000 bytes/)
      expect(pending).toBe(0)
    } finally {
      await handle.close()
    }
  })
})
