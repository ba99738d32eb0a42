/**
 * package-bundle end to end against the test bed: a real registry (images under their real
 * names, through the spec's mirror), a real loopback file server (STAND-IN release assets
 * with real checksum files), real containerd for the import, GNU tar and busybox.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { basename, join } from 'node:path'
import { fetchImages, formatReference, parseReference } from '@kedge/oci'
import {
  packageBundle,
  requiredImages,
  sideImages,
  type BundleSpec,
  type PackageResult
} from '@kedge/bundle'
import * as bed from '../bed/index.js'

const fullName = (image: string) => formatReference(parseReference(image))

interface Manifest {
  name: string
  side: string
  arch: string
  images: Array<{ name: string; manifestDigest: string; platform: string }>
  files: Array<{ path: string; sha256: string; size: number }>
  assets: Array<{ name: string; verifiedBy: string }>
  crds: Array<{ name: string }>
  installer: string | null
}

describe('package-bundle (real registry, file server with stand-in assets, containerd)', () => {
  let registry: bed.Registry
  let server: bed.FileServer
  let containerd: bed.Containerd
  let spec: BundleSpec
  let work: string
  const built = new Map<string, PackageResult>()
  const tarballs = (dir: string) =>
    existsSync(dir) ? readdirSync(dir).filter(f => f.includes('.tar')) : []

  beforeAll(async () => {
    work = await bed.tempDir('package')
    process.env.RUNNER_TOOL_CACHE = join(work, 'tool-cache')
    process.env.RUNNER_TEMP = join(work, 'temp')
    registry = await bed.startRegistry()
    server = await bed.startFileServer()
    containerd = await bed.startContainerd()
    spec = await bed.bedSpec(server, registry)
    for (const side of ['cloud', 'edge'] as const) {
      for (const arch of ['amd64', 'arm64'] as const) {
        built.set(
          `${side}-${arch}`,
          await packageBundle({ spec, side, arch, outputDir: join(work, 'out') })
        )
      }
    }
  })
  afterAll(async () => {
    await containerd.stop()
    await server.stop()
    await registry.stop()
    await bed.removeDir(work)
  })

  const extractedTo = (result: PackageResult): string => {
    const dir = join(work, 'x', basename(result.bundle))
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true })
      execFileSync('tar', ['-xzf', result.bundle, '-C', dir])
    }
    return join(dir, result.name)
  }
  const extracted = (key: string, tool: string[] = ['tar', '-xzf']) => {
    const result = built.get(key)
    if (!result) throw new Error(`no bundle ${key}`)
    const dir = join(work, 'x', `${key}-${tool[0] ?? ''}`)
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true })
      execFileSync(tool[0] ?? 'tar', [...tool.slice(1), result.bundle, '-C', dir])
    }
    return { result, root: join(dir, result.name) }
  }

  test("names follow the operators' naming; each tarball holds one top directory of the same name", () => {
    expect([...built.values()].map(b => b.name).sort()).toEqual([
      'kubeedge-cloud-1.22.2-k3s-1.34.2-k3s1-amd64',
      'kubeedge-cloud-1.22.2-k3s-1.34.2-k3s1-arm64',
      'kubeedge-edge-1.22.2-amd64',
      'kubeedge-edge-1.22.2-arm64'
    ])
    for (const b of built.values()) {
      // GitHub renames release assets with other characters (a `+` among them).
      expect(basename(b.bundle)).toMatch(/^[A-Za-z0-9._-]+$/)
      expect(basename(b.manifest)).toMatch(/^[A-Za-z0-9._-]+$/)
      // bundle.json keeps the real version, `+` and all.
      expect(JSON.parse(readFileSync(b.manifest, 'utf8'))).toMatchObject({
        versions: { k3s: 'v1.34.2+k3s1' }
      })
      const tops = new Set(
        execFileSync('tar', ['-tzf', b.bundle], { encoding: 'utf8' })
          .trim()
          .split('\n')
          .map(l => l.split('/')[0])
      )
      expect([...tops]).toEqual([b.name])
      expect(statSync(b.bundle).size).toBe(b.size)
    }
    expect(tarballs(join(work, 'out')).sort()).toEqual(
      [...built.values()].map(b => `${b.name}.tar.gz`).sort()
    )
  })

  test.each(['cloud-amd64', 'cloud-arm64', 'edge-amd64', 'edge-arm64'])(
    '%s: layout, sha256sum -c SHA256SUMS, bundle.json against the files',
    key => {
      const { result, root } = extracted(key)
      const side = key.split('-')[0]
      const common = [
        'README.txt',
        'SHA256SUMS',
        'install.sh',
        'bin/keadm',
        'meta/bundle.json',
        'meta/images.json',
        `images/${side ?? ''}-images.tar`
      ]
      const own =
        side === 'cloud'
          ? [
              'bin/k3s',
              'bin/k3s-install.sh',
              'bin/helm',
              'charts/edgemesh.tgz',
              'crds/istio/crd-gateway.yaml',
              'meta/k3s-images.txt'
            ]
          : [
              'bin/containerd',
              'bin/ctr',
              'bin/containerd-shim-runc-v2',
              'bin/runc',
              'cni/bin/bridge',
              'cni/bin/host-local',
              'cni/bin/portmap'
            ]
      for (const f of [...common, ...own]) expect(existsSync(join(root, f))).toBe(true)
      expect(statSync(join(root, 'bin', 'keadm')).mode & 0o777).toBe(0o755)
      expect(readdirSync(join(root, 'runtime'))).toEqual([
        `node-v24.11.0-linux-${key.endsWith('amd64') ? 'x64' : 'arm64'}.tar.gz`
      ])

      const check = execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: root, encoding: 'utf8' })
      expect(check).not.toContain('FAILED')
      const manifest = JSON.parse(
        readFileSync(join(root, 'meta', 'bundle.json'), 'utf8')
      ) as Manifest
      expect(manifest.name).toBe(result.name)
      expect(readFileSync(result.manifest, 'utf8')).toBe(
        readFileSync(join(root, 'meta', 'bundle.json'), 'utf8')
      )
      for (const f of manifest.files) {
        expect(statSync(join(root, f.path)).size).toBe(f.size)
        expect(
          execFileSync('sha256sum', [join(root, f.path)], { encoding: 'utf8' }).slice(0, 64)
        ).toBe(f.sha256)
      }
      const listed = new Set(manifest.files.map(f => f.path))
      const sums = readFileSync(join(root, 'SHA256SUMS'), 'utf8')
        .trim()
        .split('\n')
        .map(l => l.slice(66))
      expect(sums.filter(p => !listed.has(p))).toEqual(['meta/bundle.json'])
      expect(manifest.installer).toBeNull()
      expect(readFileSync(join(root, 'README.txt'), 'utf8')).toContain('built without install.js')
      expect(manifest.assets.every(a => /^(sha512|sha256) (from|pinned)/.test(a.verifiedBy))).toBe(
        true
      )
      // Every image this side's workloads run is in it, for this arch, with its digest.
      const names = new Set(manifest.images.map(i => i.name))
      for (const image of requiredImages(spec, side === 'cloud' ? 'cloud' : 'edge')) {
        const full = image.includes('/') ? `docker.io/${image}` : `docker.io/library/${image}`
        expect(names.has(full)).toBe(true)
      }
      expect(manifest.images.every(i => i.platform.startsWith(`linux/${manifest.arch}`))).toBe(true)
      if (side === 'cloud') {
        expect(names.has('docker.io/rancher/mirrored-coredns-coredns:1.13.1')).toBe(true)
        expect(manifest.crds.map(c => c.name).sort()).toEqual([
          'destinationrules.networking.istio.io',
          'gateways.networking.istio.io',
          'virtualservices.networking.istio.io'
        ])
      }
    }
  )

  test('busybox tar extracts a bundle to the same files', () => {
    const gnu = extracted('edge-arm64').root
    const busy = extracted('edge-arm64', ['busybox', 'tar', '-xzf']).root
    expect(
      execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: busy, encoding: 'utf8' })
    ).not.toContain('FAILED')
    expect(
      readFileSync(join(busy, 'meta', 'bundle.json')).equals(
        readFileSync(join(gnu, 'meta', 'bundle.json'))
      )
    ).toBe(true)
  })

  test("the edge arm64 images archive imports into the real containerd with the manifests' digests", async () => {
    const { root } = extracted('edge-arm64')
    await containerd.importImages(join(root, 'images', 'edge-images.tar'), {
      platform: 'linux/arm64'
    })
    const listed = await containerd.listImages()
    const manifest = JSON.parse(readFileSync(join(root, 'meta', 'bundle.json'), 'utf8')) as Manifest
    for (const image of manifest.images) {
      const found = listed.find(l => l.ref === image.name)
      expect(found?.digest).toBe(image.manifestDigest)
      expect(found?.platforms).toEqual(['linux/arm64'])
    }
    expect(listed.map(l => l.ref)).toContain('docker.io/kubeedge/installation-package:v1.22.2')
  })

  test('two builds are byte-identical', async () => {
    const again = await packageBundle({
      spec,
      side: 'edge',
      arch: 'amd64',
      outputDir: join(work, 'again')
    })
    expect(again.sha256).toBe(built.get('edge-amd64')?.sha256)
    expect(
      readFileSync(again.bundle).equals(readFileSync(built.get('edge-amd64')?.bundle ?? ''))
    ).toBe(true)
  })

  test('two builds through two file servers on different ports (and other registry mirrors) give identical tarballs; bundle.json names upstream, not the mirror', async () => {
    const other = await bed.startFileServer()
    const toolCache = process.env.RUNNER_TOOL_CACHE
    // A fresh tool cache: every byte comes from the other server.
    process.env.RUNNER_TOOL_CACHE = join(work, 'mirror-tool-cache')
    try {
      const mirrored = await bed.seedReleases(other)
      expect(other.url).not.toBe(server.url)
      mirrored.registry = {
        ...spec.registry,
        mirrors: [...spec.registry.mirrors, 'quay.io=http://127.0.0.1:9/unused'],
        insecure: [...spec.registry.insecure, '127.0.0.1:9']
      }
      for (const key of ['cloud-amd64', 'edge-amd64'] as const) {
        const [side, arch] = key.split('-') as ['cloud' | 'edge', 'amd64']
        const again = await packageBundle({
          spec: mirrored,
          side,
          arch,
          outputDir: join(work, 'mirror')
        })
        expect(again.downloads.every(d => d.url.startsWith(other.url))).toBe(true)
        expect(again.sha256).toBe(built.get(key)?.sha256)
        const text = readFileSync(again.manifest, 'utf8')
        expect(text).not.toContain('127.0.0.1')
        const manifest = JSON.parse(text) as { assets: Array<{ name: string; url: string }> }
        const k3s = manifest.assets.find(a => a.name === (side === 'cloud' ? 'k3s' : 'runc'))
        expect(k3s?.url).toBe(
          side === 'cloud'
            ? 'https://github.com/k3s-io/k3s/releases/download/v1.34.2%2Bk3s1/k3s'
            : 'https://github.com/opencontainers/runc/releases/download/v1.3.6/runc.amd64'
        )
      }
      expect(other.requests.some(r => r.path.endsWith('/runc.amd64'))).toBe(true)
    } finally {
      process.env.RUNNER_TOOL_CACHE = toolCache
      await other.stop()
    }
  })

  test('k3s-images.txt with no pin (the built-in spec): recorded in bundle.json, listed as verified by nothing in the log and the result', async () => {
    const logged: string[] = []
    const logger = {
      info: (m: string) => logged.push(m),
      warn: () => undefined,
      debug: () => undefined
    }
    const result = await packageBundle({
      spec: { ...spec, pins: { ...spec.pins, k3sImagesTxt: '' } },
      side: 'cloud',
      arch: 'amd64',
      outputDir: join(work, 'unpinned'),
      logger
    })
    const url = `${spec.sources.k3s}/${encodeURIComponent(spec.versions.k3s)}/k3s-images.txt`
    const sha256 = bed.hexDigest(
      'sha256',
      readFileSync(join(extractedTo(result), 'meta', 'k3s-images.txt'))
    )
    expect(result.unverified).toEqual([{ name: 'k3s-images.txt', url, sha256 }])
    expect(logged).toContain(
      `verified by nothing: k3s-images.txt from ${url}, sha256 ${sha256} (recorded in bundle.json; pin it in the spec)`
    )
    const manifest = JSON.parse(readFileSync(result.manifest, 'utf8')) as {
      assets: Array<{ name: string; sha256: string; verifiedBy: string }>
    }
    expect(manifest.assets.find(a => a.name === 'k3s-images.txt')).toMatchObject({
      sha256,
      verifiedBy: 'unverified (no checksum published, no pin)'
    })
    expect(result.warnings).toEqual(
      expect.arrayContaining([expect.stringContaining('k3s-images.txt has no published checksum')])
    )
  })

  test('users add their own files per side, verified against their sha256', async () => {
    const tool = Buffer.from('#!/bin/sh\necho site tool\n')
    server.put('/extra/site-tool.sh', tool)
    const sha256 = bed.hexDigest('sha256', tool)
    const withFile: BundleSpec = {
      ...spec,
      sides: {
        ...spec.sides,
        edge: {
          ...spec.sides.edge,
          files: [{ url: `${server.url}/extra/site-tool.sh`, sha256, path: 'tools/site-tool.sh' }]
        }
      }
    }
    const result = await packageBundle({
      spec: withFile,
      side: 'edge',
      arch: 'amd64',
      outputDir: join(work, 'files')
    })
    const listing = execFileSync('tar', ['-tzf', result.bundle], { encoding: 'utf8' })
    expect(listing).toContain(`${result.name}/files/tools/site-tool.sh`)
    const wrong: BundleSpec = {
      ...withFile,
      sides: {
        ...withFile.sides,
        edge: {
          ...withFile.sides.edge,
          files: [{ url: `${server.url}/extra/site-tool.sh`, sha256: '0'.repeat(64), path: 'x' }]
        }
      }
    }
    await expect(
      packageBundle({
        spec: wrong,
        side: 'edge',
        arch: 'amd64',
        outputDir: join(work, 'files-bad')
      })
    ).rejects.toThrow(
      `checksum mismatch for ${server.url}/extra/site-tool.sh: expected sha256 ${'0'.repeat(64)}`
    )
    expect(tarballs(join(work, 'files-bad'))).toEqual([])
  })

  test('an asset that fails its checksum stops the build, naming URL, expected and actual; no tarball', async () => {
    server.fault('/runc/v1.3.6/runc.arm64', { corruptByteAt: 10 })
    const out = join(work, 'bad-asset')
    // A fresh tool cache: the verified runc of the builds above would be used as it is.
    const toolCache = process.env.RUNNER_TOOL_CACHE
    process.env.RUNNER_TOOL_CACHE = join(work, 'fresh-tool-cache')
    try {
      await expect(
        packageBundle({
          spec: { ...spec, versions: { ...spec.versions } },
          side: 'edge',
          arch: 'arm64',
          outputDir: out
        })
      ).rejects.toThrow(
        new RegExp(
          `checksum mismatch for ${server.url}/runc/v1\\.3\\.6/runc\\.arm64: expected sha256 [a-f0-9]{64}, got [a-f0-9]{64}`
        )
      )
    } finally {
      server.clearFaults()
      process.env.RUNNER_TOOL_CACHE = toolCache
    }
    expect(tarballs(out)).toEqual([])
    expect(readdirSync(out)).toEqual([])
  })

  test('an images archive missing an image this side runs fails with the list; no tarball', async () => {
    const partial = join(work, 'partial')
    const images = [`kubeedge/installation-package:v1.22.2`, `kubeedge/edgemesh-agent:v1.17.0`]
    await fetchImages({
      images,
      platform: 'linux/arm64',
      output: join(partial, 'edge.tar'),
      client: {
        mirrors: new Map([['docker.io', [registry.url]]]),
        insecure: [registry.host],
        fallbackToOrigin: false
      }
    })
    const out = join(work, 'missing-image')
    await expect(
      packageBundle({
        spec,
        side: 'edge',
        arch: 'arm64',
        outputDir: out,
        imagesArchive: join(partial, 'edge.tar')
      })
    ).rejects.toThrow(
      'the edge bundle would miss images its workloads run (pods would hang in ImagePullBackOff):\n  docker.io/kubeedge/pause:3.6\n  docker.io/library/eclipse-mosquitto:1.6.15'
    )
    expect(tarballs(out)).toEqual([])
  })

  test('the images come from the archive itself, not a report beside it: both orders of two fetches into one directory', async () => {
    const dir = join(work, 'two-fetches')
    const fetchEdge = (arch: 'amd64' | 'arm64') =>
      fetchImages({
        images: sideImages(spec, 'edge'),
        platform: `linux/${arch}`,
        output: join(dir, `edge-${arch}.tar`),
        client: {
          mirrors: new Map([['docker.io', [registry.url]]]),
          insecure: [registry.host],
          fallbackToOrigin: false
        }
      })
    const out = join(work, 'two-fetches-out')
    const pack = (archive: string, arch: 'amd64' | 'arm64') =>
      packageBundle({ spec, side: 'edge', arch, outputDir: out, imagesArchive: join(dir, archive) })
    // arm64 first, then amd64: the arm64 archive packaged as amd64 is refused, naming images.
    await fetchEdge('arm64')
    await fetchEdge('amd64')
    await expect(pack('edge-arm64.tar', 'amd64')).rejects.toThrow(
      /holds images for another platform than the bundle's linux\/amd64 \(arch: amd64\):\n {2}docker\.io\/kubeedge\/edgemesh-agent:v1\.17\.0 \(linux\/arm64\/v8\)/
    )
    expect(tarballs(out)).toEqual([])
    // amd64 first, then arm64: each complete archive packages for its own arch.
    await fetchEdge('amd64')
    const amd = await pack('edge-amd64.tar', 'amd64')
    await fetchEdge('arm64')
    const arm = await pack('edge-arm64.tar', 'arm64')
    expect(amd.images.map(i => i.platform)).toEqual(amd.images.map(() => 'linux/amd64'))
    expect(arm.images.map(i => i.platform)).toEqual(arm.images.map(() => 'linux/arm64/v8'))
    expect(arm.images.map(i => i.name).sort()).toEqual(
      sideImages(spec, 'edge').map(fullName).sort()
    )
  })

  test('a missing images-archive is an error naming the input and the path, before any download', async () => {
    const out = join(work, 'no-archive')
    const absent = join(work, 'nowhere', 'edge.tar')
    await expect(
      packageBundle({ spec, side: 'edge', arch: 'arm64', outputDir: out, imagesArchive: absent })
    ).rejects.toThrow(
      `input images-archive: no file at ${absent}; give the archive fetch-images wrote`
    )
    expect(existsSync(out)).toBe(false)
  })

  test('servicelb off (the default): no klipper-lb on the edge; bundle.json tells the installer, with the chart settings', () => {
    for (const key of ['cloud-amd64', 'edge-amd64']) {
      const { root } = extracted(key)
      const manifest = JSON.parse(readFileSync(join(root, 'meta', 'bundle.json'), 'utf8')) as {
        k3s: unknown
        cloudcore: unknown
        mosquitto: unknown
        images: Array<{ name: string }>
      }
      expect(manifest.k3s).toEqual({ servicelb: false })
      expect(manifest.cloudcore).toEqual({ controllerManager: false, admission: false })
      expect(manifest.mosquitto).toEqual({
        enabled: true,
        image: 'eclipse-mosquitto:1.6.15',
        repository: 'eclipse-mosquitto',
        tag: '1.6.15'
      })
      const names = manifest.images.map(i => i.name)
      // Off by default, as in the chart: not carried.
      expect(names.filter(n => /controller-manager|admission/.test(n))).toEqual([])
      if (key.startsWith('edge')) {
        expect(names.some(n => n.includes('klipper-lb'))).toBe(false)
        expect(existsSync(join(root, 'meta', 'k3s-images.txt'))).toBe(false)
      }
    }
  })

  test('servicelb kept: the edge bundle carries klipper-lb from k3s-images.txt (its svclb-* DaemonSet lands on edge nodes); an archive without it fails', async () => {
    const kept: BundleSpec = { ...spec, k3s: { servicelb: true } }
    const result = await packageBundle({
      spec: kept,
      side: 'edge',
      arch: 'arm64',
      outputDir: join(work, 'servicelb')
    })
    expect(result.images.map(i => `${i.name} ${i.platform}`)).toContain(
      'docker.io/rancher/klipper-lb:v0.4.13 linux/arm64/v8'
    )
    const manifest = JSON.parse(readFileSync(result.manifest, 'utf8')) as {
      k3s: unknown
      files: Array<{ path: string }>
    }
    expect(manifest.k3s).toEqual({ servicelb: true })
    expect(manifest.files.map(f => f.path)).toContain('meta/k3s-images.txt')

    const partial = join(work, 'no-klipper')
    await fetchImages({
      images: sideImages(kept, 'edge'),
      platform: 'linux/arm64',
      output: join(partial, 'edge.tar'),
      client: {
        mirrors: new Map([['docker.io', [registry.url]]]),
        insecure: [registry.host],
        fallbackToOrigin: false
      }
    })
    await expect(
      packageBundle({
        spec: kept,
        side: 'edge',
        arch: 'arm64',
        outputDir: join(work, 'servicelb-missing'),
        imagesArchive: join(partial, 'edge.tar')
      })
    ).rejects.toThrow(
      // Once, though it is both a k3s image and the svclb DaemonSet's.
      'would miss images its workloads run (pods would hang in ImagePullBackOff):\n  docker.io/rancher/klipper-lb:v0.4.13\nadd them'
    )
    expect(tarballs(join(work, 'servicelb-missing'))).toEqual([])
  })

  test('controller-manager and admission, when the spec enables them, are carried and recorded', async () => {
    const on: BundleSpec = { ...spec, cloudcore: { controllerManager: true, admission: false } }
    await bed.seedSpecImages(registry.url, on)
    const result = await packageBundle({
      spec: on,
      side: 'cloud',
      arch: 'amd64',
      outputDir: join(work, 'chart-components')
    })
    const names = result.images.map(i => i.name)
    expect(names).toContain('docker.io/kubeedge/controller-manager:v1.22.2')
    expect(names).not.toContain('docker.io/kubeedge/admission:v1.22.2')
    expect(JSON.parse(readFileSync(result.manifest, 'utf8'))).toMatchObject({
      cloudcore: { controllerManager: true, admission: false }
    })
  })

  test('a custom mosquitto image: no warning; bundle.json gives the chart its repository and tag', async () => {
    const custom: BundleSpec = {
      ...spec,
      mosquitto: { enabled: true, image: 'eclipse-mosquitto:2.0.20' }
    }
    await bed.seedSpecImages(registry.url, custom)
    const result = await packageBundle({
      spec: custom,
      side: 'edge',
      arch: 'amd64',
      outputDir: join(work, 'mqtt')
    })
    expect(result.warnings.filter(w => w.includes('mosquitto'))).toEqual([])
    expect(result.images.map(i => i.name)).toContain('docker.io/library/eclipse-mosquitto:2.0.20')
    expect(JSON.parse(readFileSync(result.manifest, 'utf8'))).toMatchObject({
      mosquitto: {
        enabled: true,
        image: 'eclipse-mosquitto:2.0.20',
        repository: 'eclipse-mosquitto',
        tag: '2.0.20'
      }
    })
  })

  test('a crds-dir holding something that is not a CRD fails naming the file; no tarball', async () => {
    const crdsDir = join(work, 'crds-bad')
    const { root } = extracted('cloud-amd64')
    cpSync(join(root, 'crds'), join(crdsDir, 'crds'), { recursive: true })
    cpSync(join(root, 'charts'), join(crdsDir, 'charts'), { recursive: true })
    writeFileSync(
      join(crdsDir, 'crds', 'istio', 'crd-gateway.yaml'),
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n'
    )
    const out = join(work, 'bad-crd')
    await expect(
      packageBundle({ spec, side: 'cloud', arch: 'amd64', outputDir: out, crdsDir })
    ).rejects.toThrow(
      `${join(crdsDir, 'crds', 'istio', 'crd-gateway.yaml')}: is v1 Service, not an apiextensions.k8s.io/v1 CustomResourceDefinition`
    )
    expect(tarballs(out)).toEqual([])
    rmSync(crdsDir, { recursive: true })
  })
})
