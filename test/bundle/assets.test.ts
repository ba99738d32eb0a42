/**
 * Release assets over a real loopback file server (stand-in assets, real checksum files in
 * each project's format), downloaded through @actions/tool-cache; safe extraction against
 * hostile archives built here.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { pack } from 'tar-stream'
import {
  checkEntry,
  extractTarGz,
  fetchAsset,
  parseChecksum,
  sideAssets,
  UnsafeArchiveError,
  type BundleSpec
} from '@kedge/bundle'
import * as bed from '../bed/index.js'

const hex64 = 'a'.repeat(64)
const hex128 = 'b'.repeat(128)

describe('checksum files', () => {
  test('KubeEdge: a bare SHA-512', () => {
    expect(
      parseChecksum(`${hex128}\n`, { algorithm: 'sha512', format: 'bare', entry: 'x', source: 'u' })
    ).toBe(hex128)
    expect(() =>
      parseChecksum(hex64, {
        algorithm: 'sha512',
        format: 'bare',
        entry: 'x',
        source: 'https://e/checksum.txt'
      })
    ).toThrow('checksum file https://e/checksum.txt does not hold a sha512 digest (128 hex digits)')
  })
  test('sha256sum lines: the entry by name, with or without a * or a directory', () => {
    const text = `${'1'.repeat(64)}  k3s\n${'2'.repeat(64)} *k3s-images.txt\n${hex64}  ./bin/runc.arm64\n`
    const opts = { algorithm: 'sha256' as const, format: 'sum' as const, source: 'u' }
    expect(parseChecksum(text, { ...opts, entry: 'k3s' })).toBe('1'.repeat(64))
    expect(parseChecksum(text, { ...opts, entry: 'k3s-images.txt' })).toBe('2'.repeat(64))
    expect(parseChecksum(text, { ...opts, entry: 'runc.arm64' })).toBe(hex64)
    expect(() =>
      parseChecksum(text, { ...opts, entry: 'k3s-arm64', source: 'https://e/sha256sum-arm64.txt' })
    ).toThrow('checksum file https://e/sha256sum-arm64.txt lists no entry for k3s-arm64')
  })
})

async function rawTarGz(
  entries: Array<Record<string, unknown> & { name: string }>
): Promise<Buffer> {
  const archive = pack()
  const chunks: Buffer[] = []
  archive.on('data', (c: unknown) => chunks.push(c as Buffer))
  const done = new Promise<void>(resolve => archive.on('end', resolve))
  for (const e of entries) {
    const data = e.data as Buffer | undefined
    if (data) archive.entry({ mtime: new Date(0), ...e }, data)
    else archive.entry({ mtime: new Date(0), ...e })
  }
  archive.finalize()
  await done
  return gzipSync(Buffer.concat(chunks))
}

describe('safe extraction', () => {
  let dir: string
  beforeAll(async () => {
    dir = await bed.tempDir('extract')
  })
  afterAll(async () => {
    await bed.removeDir(dir)
  })

  test.each([
    ['an absolute path', { name: '/etc/passwd', data: Buffer.from('x') }, 'is an absolute path'],
    ['a .. entry', { name: 'a/../../escape', data: Buffer.from('x') }, 'climbs out of the target'],
    [
      'a symlink out',
      { name: 'link', type: 'symlink', linkname: '../../etc' },
      'outside the target'
    ],
    [
      'an absolute symlink',
      { name: 'link', type: 'symlink', linkname: '/etc/shadow' },
      'outside the target'
    ],
    [
      'a hard link out',
      { name: 'hard', type: 'link', linkname: '../outside' },
      'outside the target'
    ],
    [
      'a device',
      { name: 'dev', type: 'character-device', devmajor: 1, devminor: 3 },
      'is a character-device'
    ]
  ])('refuses %s and writes nothing outside', async (_what, entry, why) => {
    const file = join(dir, `bad-${readdirSync(dir).length}.tar.gz`)
    writeFileSync(file, await rawTarGz([{ name: 'ok.txt', data: Buffer.from('fine') }, entry]))
    const target = join(dir, `out-${readdirSync(dir).length}`)
    const run = extractTarGz(file, target)
    await expect(run).rejects.toThrow(UnsafeArchiveError)
    await expect(extractTarGz(file, target)).rejects.toThrow(why)
    expect(existsSync(join(dir, 'escape'))).toBe(false)
  })

  test('extracts the selected entries under the names given, with modes', async () => {
    const file = join(dir, 'good.tar.gz')
    writeFileSync(
      file,
      await rawTarGz([
        { name: 'keadm-v1/keadm/', type: 'directory' },
        { name: 'keadm-v1/keadm/keadm', data: Buffer.from('#!/bin/sh\n'), mode: 0o755 },
        { name: 'keadm-v1/README', data: Buffer.from('readme'), mode: 0o644 },
        { name: 'keadm-v1/keadm/inside', type: 'symlink', linkname: 'keadm' }
      ])
    )
    const out = join(dir, 'good')
    const written = await extractTarGz(file, out, {
      select: p => (p === 'keadm-v1/keadm/keadm' ? 'bin/keadm' : undefined)
    })
    expect(written).toEqual(['bin/keadm'])
    expect(statSync(join(out, 'bin/keadm')).mode & 0o777).toBe(0o755)
    expect(checkEntry('a', './x/./y', 'file')).toBe('x/y')
  })
})

describe('release assets (stand-ins on a real loopback file server, tool-cache downloads)', () => {
  let server: bed.FileServer
  let spec: BundleSpec
  let work: string
  const saved = { cache: process.env.RUNNER_TOOL_CACHE, temp: process.env.RUNNER_TEMP }
  beforeAll(async () => {
    work = await bed.tempDir('assets')
    process.env.RUNNER_TOOL_CACHE = join(work, 'tool-cache')
    process.env.RUNNER_TEMP = join(work, 'temp')
    // tool-cache's own retry waits, shortened for tests.
    Object.assign(globalThis, {
      TEST_DOWNLOAD_TOOL_RETRY_MIN_SECONDS: 0,
      TEST_DOWNLOAD_TOOL_RETRY_MAX_SECONDS: 0
    })
    server = await bed.startFileServer()
    spec = await bed.seedReleases(server)
  })
  afterAll(async () => {
    await server.stop()
    process.env.RUNNER_TOOL_CACHE = saved.cache
    process.env.RUNNER_TEMP = saved.temp
    await bed.removeDir(work)
  })

  test('every asset of both sides and arches verifies against its project-format checksum', async () => {
    for (const side of ['cloud', 'edge'] as const) {
      for (const arch of ['amd64', 'arm64'] as const) {
        for (const asset of sideAssets(spec, side, arch)) {
          const got = await fetchAsset(asset)
          expect(got.sha256).toMatch(/^[a-f0-9]{64}$/)
          expect(got.verifiedBy).toMatch(/^(sha512 from|sha256 from|sha256 pinned)/)
        }
      }
    }
    const keadm = sideAssets(spec, 'edge', 'arm64').find(a => a.name === 'keadm')
    expect(keadm && (await fetchAsset(keadm)).verifiedBy).toBe(
      `sha512 from ${server.url}/kubeedge/v1.22.2/checksum_keadm-v1.22.2-linux-arm64.tar.gz.txt`
    )
  })

  test('a second fetch comes from the tool cache, verified again, without downloading the asset', async () => {
    const runc = sideAssets(spec, 'edge', 'amd64').find(a => a.name === 'runc')
    if (!runc) throw new Error('no runc asset')
    await fetchAsset(runc)
    const before = server.requests.filter(r => r.path.endsWith('/runc.amd64')).length
    const again = await fetchAsset(runc)
    expect(again.cached).toBe(true)
    expect(server.requests.filter(r => r.path.endsWith('/runc.amd64')).length).toBe(before)
    expect(readFileSync(again.path, 'utf8')).toContain('runc v1.3.6 amd64')
  })

  test('a checksum mismatch fails naming the URL, the expected and the actual digest, and caches nothing', async () => {
    const k3s = sideAssets(spec, 'cloud', 'arm64').find(a => a.name === 'k3s')
    if (!k3s) throw new Error('no k3s asset')
    server.fault(`/k3s/v1.34.2+k3s1/k3s-arm64`, { corruptByteAt: 3 })
    try {
      const fresh = { ...k3s, name: 'k3s-fresh' }
      await expect(fetchAsset(fresh)).rejects.toThrow(
        new RegExp(
          `^checksum mismatch for ${server.url}/k3s/v1\\.34\\.2%2Bk3s1/k3s-arm64: expected sha256 [a-f0-9]{64}, got [a-f0-9]{64}`
        )
      )
      expect(existsSync(join(work, 'tool-cache', 'kedge-k3s-fresh'))).toBe(false)
      expect(readdirSync(join(work, 'temp')).length).toBe(0)
    } finally {
      server.clearFaults()
    }
  })

  test('a 503 is retried by tool-cache; a 404 fails at once, naming the URL', async () => {
    const helm = sideAssets(spec, 'cloud', 'amd64').find(a => a.name === 'helm')
    if (!helm) throw new Error('no helm asset')
    server.fault('/helm/helm-v3.19.5-linux-amd64.tar.gz', { status: 503, times: 1 })
    expect((await fetchAsset({ ...helm, name: 'helm-retry' })).cached).toBe(false)
    await expect(
      fetchAsset({ ...helm, name: 'helm-404', url: `${server.url}/helm/nope.tar.gz` })
    ).rejects.toThrow(`download of ${server.url}/helm/nope.tar.gz failed: HTTP 404`)
  })

  test("the k3s stand-in publishes upstream's checksum layout: sha256sum-<arch>.txt lists the airgap tarballs and the binary, never k3s-images.txt", async () => {
    for (const [arch, binary] of [
      ['amd64', 'k3s'],
      ['arm64', 'k3s-arm64']
    ] as const) {
      const base = `${server.url}/k3s/${encodeURIComponent(spec.versions.k3s)}`
      const sums = await (await fetch(`${base}/sha256sum-${arch}.txt`)).text()
      const listed = sums
        .trim()
        .split('\n')
        .map(l => l.split(/\s+/)[1])
      expect(listed).toEqual([
        `k3s-airgap-images-${arch}.tar`,
        `k3s-airgap-images-${arch}.tar.gz`,
        `k3s-airgap-images-${arch}.tar.zst`,
        binary
      ])
      // Each listed file is published, as upstream's release lists them.
      for (const file of listed) expect((await fetch(`${base}/${file}`)).status).toBe(200)
      expect((await fetch(`${base}/k3s-images.txt`)).status).toBe(200)
    }
  })

  test('k3s-images.txt: verified by its pin; with no pin, recorded (sha256) and warned, not an error', async () => {
    const list = sideAssets(spec, 'cloud', 'amd64').find(a => a.name === 'k3s-images.txt')
    if (!list) throw new Error('no k3s-images.txt asset')
    expect(list.verify).toEqual({ kind: 'pinned', sha256: bed.k3sImagesTxtDigest() })
    expect((await fetchAsset(list)).verifiedBy).toBe('sha256 pinned in the spec')
    const unpinned: BundleSpec = { ...spec, pins: { ...spec.pins, k3sImagesTxt: '' } }
    const bare = sideAssets(unpinned, 'cloud', 'arm64').find(a => a.name === 'k3s-images.txt')
    if (!bare) throw new Error('no k3s-images.txt asset')
    const warnings: string[] = []
    const got = await fetchAsset(bare, m => warnings.push(m))
    expect(got.sha256).toBe(bed.k3sImagesTxtDigest())
    expect(got.verifiedBy).toBe('unverified (no checksum published, no pin)')
    expect(warnings).toEqual([expect.stringContaining('k3s-images.txt has no published checksum')])
  })

  test('an asset with no checksum and no pin is recorded with a warning', async () => {
    const warnings: string[] = []
    const got = await fetchAsset(
      {
        name: 'script',
        url: `${server.url}/k3s-install/v1.34.2+k3s1/install.sh`,
        verify: { kind: 'unpinned' },
        place: { kind: 'file', path: 'bin/x' }
      },
      m => warnings.push(m)
    )
    expect(got.verifiedBy).toBe('unverified (no checksum published, no pin)')
    expect(warnings[0]).toContain(`sha256 ${got.sha256}`)
  })
})
