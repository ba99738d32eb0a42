/**
 * The parallel .tar.gz writer: real GNU tar and busybox tar extract it, gunzip reads the
 * multi-member stream, two writes are byte-identical, compressed content is stored.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { walkTree, writeTarGz } from '@kedge/bundle'
import * as bed from '../bed/index.js'

describe('deterministic parallel tar.gz (GNU tar and busybox extract it)', () => {
  let dir: string
  let tree: string
  beforeAll(async () => {
    dir = await bed.tempDir('targz')
    tree = join(dir, 'tree')
    mkdirSync(join(tree, 'bin'), { recursive: true })
    mkdirSync(join(tree, 'images'), { recursive: true })
    mkdirSync(join(tree, 'empty-dir'), { recursive: true })
    writeFileSync(join(tree, 'bin', 'keadm'), bed.standIn('keadm', 9 * 1024 * 1024))
    chmodSync(join(tree, 'bin', 'keadm'), 0o700)
    writeFileSync(
      join(tree, 'images', 'edge.tar'),
      bed.deterministicBytes('blobs', 10 * 1024 * 1024)
    )
    writeFileSync(join(tree, 'charts.tgz'), gzipSync(Buffer.from('chart '.repeat(1000))))
    writeFileSync(join(tree, 'README.txt'), 'hello\n')
    chmodSync(join(tree, 'README.txt'), 0o600)
  })
  afterAll(async () => {
    await bed.removeDir(dir)
  })

  test('GNU tar lists sorted entries with fixed metadata; both tars extract identical trees', async () => {
    const out = join(dir, 'a.tar.gz')
    const result = await writeTarGz(out, await walkTree(tree, 'kubeedge-edge-1.22.0-arm64'))
    expect(result.bytes).toBe(statSync(out).size)
    const listing = execFileSync('tar', ['-tvzf', out], { encoding: 'utf8' }).trim().split('\n')
    expect(listing.map(l => l.split(/\s+/).slice(5).join(' '))).toEqual([
      'kubeedge-edge-1.22.0-arm64/',
      'kubeedge-edge-1.22.0-arm64/README.txt',
      'kubeedge-edge-1.22.0-arm64/bin/',
      'kubeedge-edge-1.22.0-arm64/bin/keadm',
      'kubeedge-edge-1.22.0-arm64/charts.tgz',
      'kubeedge-edge-1.22.0-arm64/empty-dir/',
      'kubeedge-edge-1.22.0-arm64/images/',
      'kubeedge-edge-1.22.0-arm64/images/edge.tar'
    ])
    expect(listing[1]).toMatch(/^-rw-r--r-- 0\/0 .* 1970-01-01 00:00 /)
    expect(listing[3]).toMatch(/^-rwxr-xr-x 0\/0 /)
    for (const tool of [
      ['tar', '-xzf'],
      ['busybox', 'tar', '-xzf']
    ]) {
      const target = join(dir, `x-${tool[0] ?? ''}`)
      mkdirSync(target)
      execFileSync(tool[0] ?? '', [...tool.slice(1), out, '-C', target])
      const root = join(target, 'kubeedge-edge-1.22.0-arm64')
      for (const f of ['bin/keadm', 'images/edge.tar', 'charts.tgz', 'README.txt']) {
        expect(readFileSync(join(root, f)).equals(readFileSync(join(tree, f)))).toBe(true)
      }
      expect(existsSync(join(root, 'empty-dir'))).toBe(true)
    }
    // gunzip reads the concatenated members as one stream.
    expect(
      execFileSync('sh', ['-c', `gunzip -c ${out} | wc -c`], { encoding: 'utf8' }).trim()
    ).toMatch(/^\d+$/)
    execFileSync('gzip', ['-t', out])
  })

  test('two writes of the same tree are byte-identical, also with another parallelism', async () => {
    const entries = await walkTree(tree, 'b')
    const one = await writeTarGz(join(dir, 'one.tar.gz'), entries)
    const two = await writeTarGz(join(dir, 'two.tar.gz'), entries, { parallelism: 1 })
    expect(two.sha256).toBe(one.sha256)
    expect(
      readFileSync(join(dir, 'one.tar.gz')).equals(readFileSync(join(dir, 'two.tar.gz')))
    ).toBe(true)
    const later = await writeTarGz(join(dir, 'epoch.tar.gz'), entries, {
      mtime: new Date(1_700_000_000_000)
    })
    expect(later.sha256).not.toBe(one.sha256)
  })

  test('incompressible chunks are stored, compressible ones compressed', async () => {
    const result = await writeTarGz(join(dir, 'mix.tar.gz'), await walkTree(tree, 'm'))
    expect(result.stored).toBeGreaterThanOrEqual(2)
    expect(result.compressed).toBeGreaterThanOrEqual(2)
    // The random 10 MiB is stored (~10 MiB); the 9 MiB stand-in binary at least halves.
    const MiB = 1024 * 1024
    expect(result.bytes).toBeGreaterThan(10 * MiB)
    expect(result.bytes).toBeLessThan(10 * MiB * 1.001 + 4.5 * MiB)
  })

  test('a failure leaves no output, not even a partial file', async () => {
    const entries = await walkTree(tree, 'f')
    const broken = entries.map(e =>
      e.name.endsWith('README.txt') ? { ...e, source: join(dir, 'gone') } : e
    )
    // The output directory is created; a missing input fails the write and leaves nothing.
    await expect(writeTarGz(join(dir, 'out', 'fail.tar.gz'), broken)).rejects.toThrow(
      `ENOENT: no such file or directory, open '${join(dir, 'gone')}'`
    )
    expect(readdirSync(join(dir, 'out'))).toEqual([])
  })

  test('links in the tree are refused', async () => {
    const linked = join(dir, 'linked')
    mkdirSync(linked)
    execFileSync('ln', ['-s', '/etc/passwd', join(linked, 'passwd')])
    await expect(walkTree(linked, 'l')).rejects.toThrow(
      'only files and directories go into a bundle'
    )
  })
})
