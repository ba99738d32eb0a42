/** The loopback release-asset server and its fault hooks (a real HTTP server on 127.0.0.1). */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { request } from 'node:http'
import * as bed from './bed/index.js'

describe('file server (real loopback HTTP)', () => {
  let server: bed.FileServer
  const asset = bed.deterministicBytes('asset', 100000)
  beforeAll(async () => {
    server = await bed.startFileServer()
    server.put('/releases/v1/keadm.tar.gz', asset)
  })
  afterAll(async () => {
    await server.stop()
  })
  const url = (p: string) => `${server.url}${p}`
  const path = '/releases/v1/keadm.tar.gz'

  test('serves files, 404s the rest, and writes checksum files in both formats', async () => {
    const res = await fetch(url(path))
    expect(res.status).toBe(200)
    expect(Buffer.from(await res.arrayBuffer()).equals(asset)).toBe(true)
    expect((await fetch(url('/nope'))).status).toBe(404)

    const bare = server.putChecksum('/releases/v1/checksum_keadm.tar.gz.txt', [path], {
      algorithm: 'sha512',
      format: 'bare'
    })
    expect(bare).toBe(`${bed.hexDigest('sha512', asset)}\n`)
    const sum = server.putChecksum('/releases/v1/sha256sum-amd64.txt', [path], {
      algorithm: 'sha256',
      format: 'sum'
    })
    expect(sum).toBe(`${bed.hexDigest('sha256', asset)}  keadm.tar.gz\n`)
    expect(await (await fetch(url('/releases/v1/sha256sum-amd64.txt'))).text()).toBe(sum)
  })

  test('answers a Range request with 206 and the tail', async () => {
    const res = await fetch(url(path), { headers: { range: 'bytes=99000-' } })
    expect(res.status).toBe(206)
    expect(res.headers.get('content-range')).toBe('bytes 99000-99999/100000')
    expect(Buffer.from(await res.arrayBuffer()).equals(asset.subarray(99000))).toBe(true)
  })

  test('a status fault applies the given number of times, then the file is served', async () => {
    server.fault(path, { status: 503, times: 2 })
    expect((await fetch(url(path))).status).toBe(503)
    expect((await fetch(url(path))).status).toBe(503)
    expect((await fetch(url(path))).status).toBe(200)
    server.clearFaults()
  })

  test('a corrupted byte changes exactly one byte', async () => {
    server.fault(path, { corruptByteAt: 1234, times: 1 })
    const body = Buffer.from(await (await fetch(url(path))).arrayBuffer())
    expect(body.length).toBe(asset.length)
    const diff = [...body].flatMap((b, i) => (b === asset[i] ? [] : [i]))
    expect(diff).toEqual([1234])
  })

  test('truncation announces the full length and cuts the body', async () => {
    server.fault(path, { truncateAt: 5000, times: 1 })
    const received = await new Promise<{ length: number; announced: string; aborted: boolean }>(
      resolve => {
        request(url(path), res => {
          let length = 0
          res.on('data', (c: Buffer) => (length += c.length))
          const done = (aborted: boolean) => () => {
            resolve({ length, announced: res.headers['content-length'] ?? '', aborted })
          }
          res.on('aborted', done(true))
          res.on('error', done(true))
          res.on('end', done(false))
        }).end()
      }
    )
    expect(received.announced).toBe('100000')
    expect(received.length).toBe(5000)
    expect(received.aborted).toBe(true)
  })

  test('a dropped connection fails the request; a delay holds the answer back', async () => {
    server.fault(path, { drop: true, times: 1 })
    await expect(fetch(url(path))).rejects.toThrow()
    server.fault(path, { delayMs: 300, times: 1 })
    const started = Date.now()
    expect((await fetch(url(path))).status).toBe(200)
    expect(Date.now() - started).toBeGreaterThanOrEqual(290)
    const recorded = server.requests.filter(r => r.path === path).map(r => r.status)
    expect(recorded).toContain(-1)
  })
})
