/**
 * Delta bundles end to end against the test bed. Base bundle N and bundle N+1 are built by
 * packageBundle. The images are synthetic, pushed to a real registry, and all share one base
 * layer. The release assets are STAND-INs served by the loopback file server. N+1 moves
 * KubeEdge v1.22.0 -> v1.22.2 (new keadm, new installation-package) and a site image
 * 2.4.1 -> 2.4.2, so two images change one layer each. The delta is then imported into a
 * REAL containerd (Debian's) on top of the base, and `ctr images check` must show every
 * image complete and unpacked.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  buildDelta,
  deltaBundleName,
  deltaMain,
  deltaRefusal,
  deltaSection,
  missingBaseBlobs,
  packageBundle,
  parseContentList,
  readImagesLayout,
  type BundleJson,
  type BundleSpec,
  type DeltaResult,
  type PackageResult,
  verifyDelta
} from '@kedge/bundle'
import { parseMirrors, type ClientOptions } from '@kedge/oci'
import * as bed from '../bed/index.js'

const KB = 1024
const MB = 1024 * KB
const SIZES = { baseSize: 2 * MB, layerSize: 256 * KB }
const arch = process.arch === 'arm64' ? 'arm64' : 'amd64'
const platform = arch === 'arm64' ? bed.linuxArm64 : bed.linuxAmd64
const SITE = 'factory/plc-gateway'

const siteImage = (registry: bed.Registry, tag: string): Promise<bed.BuiltImage> =>
  bed.seedImage(registry.url, {
    repository: SITE,
    tag,
    format: 'docker',
    index: true,
    platforms: [bed.linuxAmd64, bed.linuxArm64],
    ...SIZES
  })

describe('delta names', () => {
  const json = (name: string, side: 'cloud' | 'edge', arch: 'amd64' | 'arm64'): BundleJson => ({
    schemaVersion: 1,
    name,
    side,
    arch,
    versions: {},
    images: [],
    files: []
  })
  test('cloud and edge: the new version part, -from-, the base version part, the arch', () => {
    expect(
      deltaBundleName(
        json('kubeedge-cloud-1.22.2-k3s-1.34.12+k3s1-arm64', 'cloud', 'arm64'),
        json('kubeedge-cloud-1.22.0-k3s-1.34.2+k3s1-arm64', 'cloud', 'arm64')
      )
    ).toBe('kubeedge-cloud-1.22.2-k3s-1.34.12+k3s1-from-1.22.0-k3s-1.34.2+k3s1-arm64')
    expect(
      deltaBundleName(
        json('kubeedge-edge-1.22.2-amd64', 'edge', 'amd64'),
        json('kubeedge-edge-1.22.0-amd64', 'edge', 'amd64')
      )
    ).toBe('kubeedge-edge-1.22.2-from-1.22.0-amd64')
    expect(() =>
      deltaBundleName(
        json('kubeedge-edge-1.22.2-amd64', 'edge', 'amd64'),
        json('site-edge', 'edge', 'amd64')
      )
    ).toThrow(/site-edge does not follow kubeedge-edge-<version>-amd64/)
  })
})

describe('delta bundles (real registry, stand-in assets, real containerd)', () => {
  let registry: bed.Registry
  let server: bed.FileServer
  let containerd: bed.Containerd
  let work: string
  let base: PackageResult
  let next: PackageResult
  let delta: DeltaResult
  let nextSpec: BundleSpec
  // bundle.json drops the registry mirrors (reproducible builds), so a delta build is told
  // where the base's images are, as package-bundle is.
  let client: ClientOptions
  const extracted = (tarball: string, into: string, name: string): string => {
    const dir = join(work, 'x', into)
    mkdirSync(dir, { recursive: true })
    execFileSync('tar', ['-xzf', tarball, '-C', dir])
    return join(dir, name)
  }

  beforeAll(async () => {
    work = await bed.tempDir('delta')
    process.env.RUNNER_TOOL_CACHE = join(work, 'tool-cache')
    process.env.RUNNER_TEMP = join(work, 'temp')
    registry = await bed.startRegistry()
    server = await bed.startFileServer()
    containerd = await bed.startContainerd()
    const spec = await bed.bedSpec(server, registry, SIZES)
    // The test bed serves the pinned KubeEdge (v1.22.2, N+1); N is v1.22.0.
    await bed.serveKeadm(server, 'v1.22.0')
    await bed.seedImage(registry.url, {
      repository: 'kubeedge/installation-package',
      tag: 'v1.22.0',
      format: 'oci',
      index: true,
      attestations: true,
      platforms: [bed.linuxAmd64, bed.linuxArm64],
      ...SIZES
    })
    await siteImage(registry, '2.4.1')
    await siteImage(registry, '2.4.2')
    spec.sides.edge.images.push(`${SITE}:2.4.1`)
    nextSpec = structuredClone(spec)
    client = {
      mirrors: parseMirrors(spec.registry.mirrors.join('\n')),
      insecure: spec.registry.insecure
    }
    spec.versions.kubeedge = 'v1.22.0'
    spec.sides.edge.images = spec.sides.edge.images.map(i => i.replace(':v1.22.2', ':v1.22.0'))
    nextSpec.versions.kubeedge = 'v1.22.2'
    nextSpec.sides.edge.images = spec.sides.edge.images.map(i =>
      i.replace(':v1.22.0', ':v1.22.2').replace(':2.4.1', ':2.4.2')
    )
    // The same installer in both: a delta keeps it anyway.
    const installer = join(work, 'install.js')
    writeFileSync(installer, '// kedge installer STAND-IN for the delta test\n')
    const out = (d: string): string => join(work, 'out', d)
    base = await packageBundle({ spec, side: 'edge', arch, outputDir: out('n'), installer })
    next = await packageBundle({
      spec: nextSpec,
      side: 'edge',
      arch,
      outputDir: out('n1'),
      installer
    })
    // The base release's SHA256SUMS, as a release lists its tarballs.
    writeFileSync(join(out('n'), 'SHA256SUMS'), `${base.sha256}  ${base.name}.tar.gz\n`)
    delta = await buildDelta({
      client,
      base: base.manifest,
      bundle: next.bundle,
      outputDir: out('delta')
    })
  })
  afterAll(async () => {
    await containerd.stop()
    await server.stop()
    await registry.stop()
    await bed.removeDir(work)
  })

  test('named kubeedge-edge-<new>-from-<old>-<arch>; bundle.json names the base and its sha256; SHA256SUMS covers it', () => {
    expect(delta.name).toBe(`kubeedge-edge-1.22.2-from-1.22.0-${arch}`)
    expect(delta.bundle.endsWith(`${delta.name}.tar.gz`)).toBe(true)
    const root = extracted(delta.bundle, 'delta', delta.name)
    const json = JSON.parse(readFileSync(join(root, 'meta', 'bundle.json'), 'utf8')) as {
      name: string
      files: Array<{ path: string }>
    }
    expect(json).toEqual(JSON.parse(readFileSync(delta.manifest, 'utf8')))
    const section = deltaSection(json)
    expect(section?.base).toMatchObject({ name: base.name, sha256: base.sha256 })
    expect(section?.target.name).toBe(next.name)
    execFileSync('sha256sum', ['--strict', '-c', 'SHA256SUMS'], { cwd: root })
    const listed = readFileSync(join(root, 'SHA256SUMS'), 'utf8').trim().split('\n').length
    expect(listed).toBe(json.files.length + 1) // + meta/bundle.json
  })

  test('the completeness check passes the delta and names a blob that is neither held nor listed', async () => {
    const root = extracted(delta.bundle, 'delta-verify', delta.name)
    expect(await verifyDelta(root)).toEqual([])
    const file = join(root, 'meta', 'bundle.json')
    const json = JSON.parse(readFileSync(file, 'utf8')) as {
      delta: { omittedBlobs: Array<{ digest: string }> }
    }
    const dropped = json.delta.omittedBlobs.shift()
    writeFileSync(file, JSON.stringify(json))
    expect(await verifyDelta(root)).toEqual([
      expect.stringContaining(
        `need(s) ${dropped?.digest ?? ''}, which is neither in the archive nor listed`
      )
    ])
  })

  test('leaves out unchanged binaries, keeps the changed keadm and the installer, wrapper and runtime', () => {
    const root = extracted(delta.bundle, 'delta-files', delta.name)
    const omitted = delta.delta.omittedFiles.map(f => f.path)
    expect(omitted).toEqual(
      expect.arrayContaining([
        'bin/containerd',
        'bin/ctr',
        'bin/containerd-shim-runc-v2',
        'bin/runc',
        'cni/bin/bridge'
      ])
    )
    for (const kept of [
      'bin/keadm',
      'install.js',
      'install.sh',
      'README.txt',
      'meta/images.json',
      `images/edge-images.tar`
    ]) {
      expect(omitted).not.toContain(kept)
      expect(statSync(join(root, kept)).isFile()).toBe(true)
    }
    expect(readFileSync(join(root, 'bin', 'keadm'), 'utf8')).toContain('keadm v1.22.2')
    for (const o of omitted) expect(() => statSync(join(root, o))).toThrow()
    expect(readdirSync(join(root, 'runtime')).length).toBe(1)
  })

  test('the images archive holds every manifest and config, and only the two changed layers', async () => {
    const root = extracted(delta.bundle, 'delta-images', delta.name)
    const layout = await readImagesLayout(join(root, 'images', 'edge-images.tar'))
    const full = await readImagesLayout(
      join(extracted(next.bundle, 'next', next.name), 'images', 'edge-images.tar')
    )
    expect(layout.manifests).toEqual(full.manifests)
    const changed = await Promise.all(
      [
        {
          repository: 'kubeedge/installation-package',
          tag: 'v1.22.2',
          format: 'oci' as const,
          attestations: true
        },
        { repository: SITE, tag: '2.4.2', format: 'docker' as const }
      ].map(s =>
        bed.buildImage({ ...s, index: true, platforms: [bed.linuxAmd64, bed.linuxArm64], ...SIZES })
      )
    )
    const newLayers = changed.map(
      i =>
        i.manifests.find(m => m.platform.architecture === platform.architecture)?.layers[1]?.digest
    )
    const layerEntries = (l: typeof layout): string[] => {
      const small = new Set([...l.manifests.flatMap(m => [m.digest, m.config.digest]), ...l.twins])
      return [...l.spans.keys()]
        .filter(n => /^blobs\/sha256\/[a-f0-9]{64}$/.test(n) && !small.has(`sha256:${n.slice(13)}`))
        .sort()
    }
    expect(layerEntries(layout)).toEqual(
      newLayers.map(d => `blobs/sha256/${(d ?? '').slice(7)}`).sort()
    )
    // The shared base layer and the unchanged images' layers are left out, by digest.
    const baseLayer = changed[0]?.manifests.find(
      m => m.platform.architecture === platform.architecture
    )?.layers[0]
    expect(delta.delta.omittedBlobs.map(b => b.digest)).toContain(baseLayer?.digest)
    expect(layout.spans.has('manifest.json')).toBe(false)
  })

  test('real containerd: base archive, then the delta archive: every image listed, complete and unpacked', async () => {
    const baseRoot = extracted(base.bundle, 'base-ctr', base.name)
    const deltaRoot = extracted(delta.bundle, 'delta-ctr', delta.name)
    const plat = bed.platformString(platform)
    await containerd.importImages(join(baseRoot, 'images', 'edge-images.tar'), { platform: plat })
    const present = parseContentList((await containerd.ctr(['content', 'ls', '-q'])).stdout)
    expect(missingBaseBlobs(delta.delta, present)).toEqual([])
    expect(deltaRefusal(delta.delta, base.name, [])).toBeNull()
    await containerd.importImages(join(deltaRoot, 'images', 'edge-images.tar'), { platform: plat })
    const rows = bed.parseCheck((await containerd.ctr(['images', 'check'])).stdout)
    for (const image of next.images) {
      const row = rows.find(r => r.ref === image.name)
      expect({ ref: image.name, complete: row?.complete, unpacked: row?.unpacked }).toEqual({
        ref: image.name,
        complete: true,
        unpacked: true
      })
    }
  })

  test('without the base blobs the host check refuses, and containerd cannot unpack the delta', async () => {
    const deltaRoot = extracted(delta.bundle, 'delta-fresh', delta.name)
    const fresh = parseContentList((await containerd.ctr(['content', 'ls', '-q'], 'fresh')).stdout)
    const missing = missingBaseBlobs(delta.delta, fresh)
    expect(missing.length).toBe(delta.delta.omittedBlobs.length)
    expect(deltaRefusal(delta.delta, base.name, missing)).toMatch(
      /install the full bundle .*1\.22\.2.*\.tar\.gz/i
    )
    expect(deltaRefusal(delta.delta, 'kubeedge-edge-1.21.0-amd64', [])).toMatch(
      /delta from kubeedge-edge-1\.22\.0.*runs kubeedge-edge-1\.21\.0/
    )
    await expect(
      containerd.importImages(
        join(deltaRoot, 'images', 'edge-images.tar'),
        { platform: bed.platformString(platform) },
        'fresh'
      )
    ).rejects.toThrow(/not found/)
  })

  test('base images removed since the base install: their blobs are gone, and the host check says so', async () => {
    const baseRoot = extracted(base.bundle, 'base-pruned', base.name)
    const plat = bed.platformString(platform)
    await containerd.importImages(
      join(baseRoot, 'images', 'edge-images.tar'),
      { platform: plat },
      'pruned'
    )
    const before = parseContentList(
      (await containerd.ctr(['content', 'ls', '-q'], 'pruned')).stdout
    )
    expect(missingBaseBlobs(delta.delta, before)).toEqual([])
    const refs = (await containerd.listImages('pruned')).map(i => i.ref)
    await containerd.ctr(['images', 'rm', '--sync', ...refs], 'pruned')
    const after = parseContentList((await containerd.ctr(['content', 'ls', '-q'], 'pruned')).stdout)
    expect(missingBaseBlobs(delta.delta, after).sort()).toEqual(
      delta.delta.omittedBlobs.map(b => b.digest).sort()
    )
  })

  test('kedge delta (the command): the same delta, a summary with the ratio; bad usage exits 2, a bad base 1 naming it', async () => {
    let printed = ''
    const dir = join(work, 'out', 'cli')
    const code = await deltaMain(
      [
        ...['--base', base.manifest, '--bundle', next.bundle, '--output-dir', dir],
        // the registry the base was built from (bundle.json records no mirrors)
        ...[...(client.mirrors ?? new Map<string, string[]>())].flatMap(([registry, urls]) =>
          urls.flatMap(url => ['--mirror', `${registry}=${url}`])
        ),
        ...[...(client.insecure ?? [])].flatMap(host => ['--insecure', host])
      ],
      s => (printed += s)
    )
    expect(code).toBe(0)
    expect(printed).toContain(`${join(dir, delta.name)}.tar.gz: `)
    expect(printed).toContain(`sha256 ${delta.sha256}`)
    expect(printed).toMatch(/the delta is \d+\.\d % of the full bundle/)
    expect(await deltaMain(['--bundle', next.bundle], () => undefined)).toBe(2)
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true)
    try {
      const missing = join(work, 'no-such.bundle.json')
      expect(await deltaMain(['--base', missing, '--bundle', next.bundle], () => undefined)).toBe(1)
      expect(stderr).toHaveBeenCalledWith(`kedge delta: base ${missing}: no such file\n`)
    } finally {
      stderr.mockRestore()
    }
  })

  test('the base bundle.json from a URL (SHA256SUMS beside it) gives the same delta', async () => {
    server.put('/releases/n/base.bundle.json', readFileSync(base.manifest))
    server.put('/releases/n/SHA256SUMS', `${base.sha256}  ${base.name}.tar.gz\n`)
    const again = await buildDelta({
      client,
      base: `${server.url}/releases/n/base.bundle.json`,
      bundle: extracted(next.bundle, 'next-dir', next.name),
      outputDir: join(work, 'out', 'delta-url')
    })
    expect(again.sha256).toBe(delta.sha256)
  })

  test('bad input: another side or arch, the same bundle, no base sha256', async () => {
    const dir = join(work, 'bad')
    mkdirSync(dir, { recursive: true })
    const json = JSON.parse(readFileSync(base.manifest, 'utf8')) as Record<string, unknown>
    writeFileSync(join(dir, 'cloud.json'), JSON.stringify({ ...json, side: 'cloud' }))
    const opts = { bundle: next.bundle, outputDir: join(dir, 'out'), baseSha256: base.sha256 }
    await expect(buildDelta({ client, ...opts, base: join(dir, 'cloud.json') })).rejects.toThrow(
      /same side and arch/
    )
    await expect(buildDelta({ client, ...opts, base: next.manifest })).rejects.toThrow(
      /the same bundle/
    )
    await expect(
      buildDelta({ client, ...opts, base: join(dir, 'cloud.json'), baseSha256: 'abc' })
    ).rejects.toThrow(/base-sha256 "abc"/)
    writeFileSync(join(dir, 'edge.json'), JSON.stringify(json))
    await expect(
      buildDelta({
        client,
        bundle: next.bundle,
        outputDir: join(dir, 'out'),
        base: join(dir, 'edge.json')
      })
    ).rejects.toThrow(/no SHA256SUMS at .*pass base-sha256/)
  })

  test('benchmark: delta vs full bundle vs a by-reference (Zarf-style) delta for N -> N+1', async () => {
    const full = await readImagesLayout(
      join(extracted(next.bundle, 'next-bench', next.name), 'images', 'edge-images.tar')
    )
    // Zarf's differential package drops an image only when its reference is in the base: a
    // changed tag ships the whole image (manifest, config, every layer; shared ones once).
    const baseRefs = new Set(base.images.map(i => i.name))
    const blobs = new Map<string, number>()
    for (const m of full.manifests.filter(m => !baseRefs.has(m.name))) {
      blobs.set(m.digest, m.size)
      blobs.set(m.config.digest, m.config.size)
      for (const l of m.layers) blobs.set(l.digest, l.size)
    }
    const byReference = [...blobs.values()].reduce((a, b) => a + b, 0)
    const deltaBlobs = delta.imagesArchive.delta
    const zarfBundle = delta.size - deltaBlobs + byReference
    const figures = {
      fullBundle: next.size,
      deltaBundle: delta.size,
      zarfStyleBundle: zarfBundle,
      fullImagesArchive: delta.imagesArchive.full,
      deltaImagesArchive: delta.imagesArchive.delta,
      zarfStyleImageBytes: byReference,
      deltaToFull: +(delta.size / next.size).toFixed(3),
      zarfToFull: +(zarfBundle / next.size).toFixed(3)
    }
    console.log(
      `delta benchmark (edge ${arch}, base layer 2 MiB shared, image layers 256 KiB): ${JSON.stringify(figures)}`
    )
    expect(delta.imagesArchive.delta).toBeLessThan(byReference)
    expect(byReference).toBeLessThan(delta.imagesArchive.full)
    expect(delta.size).toBeLessThan(zarfBundle)
  })
})
