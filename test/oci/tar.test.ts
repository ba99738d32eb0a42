/** The planned tar layout, read back by two independent readers: tar-stream and GNU tar. */
import { describe, expect, test } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { extract } from 'tar-stream'
import { BLOCK, planTar, ustarHeader, type TarEntry } from '@kedge/oci'

function build(entries: Array<TarEntry & { data?: Buffer }>, mtime: Date): Buffer {
  const plan = planTar(entries)
  const out = Buffer.alloc(plan.size)
  plan.entries.forEach((p, i) => {
    ustarHeader(p, mtime).copy(out, p.offset)
    entries[i]?.data?.copy(out, p.dataOffset)
  })
  return out
}

const long = `${'d'.repeat(60)}/${'e'.repeat(60)}/file-with-a-long-name.json`
const entries: Array<TarEntry & { data?: Buffer }> = [
  { name: 'blobs/', type: 'directory', size: 0 },
  { name: 'blobs/sha256/', type: 'directory', size: 0 },
  { name: `blobs/sha256/${'a'.repeat(64)}`, type: 'file', size: 1000, data: Buffer.alloc(1000, 7) },
  { name: 'empty', type: 'file', size: 0, data: Buffer.alloc(0) },
  { name: 'index.json', type: 'file', size: 512, data: Buffer.alloc(512, 1) },
  { name: long, type: 'file', size: 3, data: Buffer.from('abc') }
]

describe('tar layout (ustar)', () => {
  test('offsets follow headers and 512-byte padding; two end blocks close it', () => {
    const plan = planTar(entries)
    expect(plan.entries.map(e => e.offset)).toEqual([0, 512, 1024, 2560, 3072, 4096])
    expect(plan.entries.map(e => e.dataOffset - e.offset)).toEqual(Array(6).fill(BLOCK))
    expect(plan.size).toBe(4096 + 512 + 512 + 1024)
  })

  test('tar-stream reads back every entry with its metadata and bytes', async () => {
    const archive = build(entries, new Date(1_700_000_000_000))
    const seen: Array<{
      name: string
      type: string
      size: number
      uid: number
      mode: number
      mtime: number
      body: Buffer
    }> = []
    const reader = extract()
    reader.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = []
      stream.on('data', (c: unknown) => chunks.push(c as Buffer))
      stream.on('end', () => {
        seen.push({
          name: header.name,
          type: header.type,
          size: header.size,
          uid: header.uid,
          mode: header.mode,
          mtime: header.mtime.getTime(),
          body: Buffer.concat(chunks)
        })
        next()
      })
    })
    await new Promise<void>((resolve, reject) => {
      reader.on('finish', resolve)
      reader.on('error', reject)
      Readable.from([archive]).pipe(reader)
    })
    expect(seen.map(s => [s.name, s.type, s.size])).toEqual(
      entries.map(e => [e.name.replace(/\/$/, e.type === 'directory' ? '/' : ''), e.type, e.size])
    )
    for (const [i, s] of seen.entries()) {
      expect(s.body.equals(entries[i]?.data ?? Buffer.alloc(0))).toBe(true)
      expect(s.uid).toBe(0)
      expect(s.mtime).toBe(1_700_000_000_000)
      expect(s.mode).toBe(s.type === 'directory' ? 0o755 : 0o644)
    }
  })

  test('GNU tar lists it without complaint', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kedge-tar-'))
    try {
      const file = join(dir, 'x.tar')
      writeFileSync(file, build(entries, new Date(0)))
      const listing = execFileSync('tar', ['-tvf', file], { encoding: 'utf8' })
      expect(listing).toContain(long)
      expect(listing).toMatch(/-rw-r--r-- 0\/0\s+1000 1970-01-01 00:00 blobs\/sha256\/a{64}/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('a path that cannot be split into ustar fields is refused', () => {
    expect(() =>
      ustarHeader({ name: 'x'.repeat(120), type: 'file', size: 1 }, new Date(0))
    ).toThrow('path too long for ustar')
  })
})
