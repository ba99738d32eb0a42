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
import { fetchImages } from '@kedge/oci'
import { packageBundle, requiredImages, type BundleSpec, type PackageResult } from '@kedge/bundle'
import * as bed from '../bed/index.js'

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
      'kubeedge-cloud-1.22.0-k3s-1.34.2-k3s1-amd64',
      'kubeedge-cloud-1.22.0-k3s-1.34.2-k3s1-arm64',
      'kubeedge-edge-1.22.0-amd64',
      'kubeedge-edge-1.22.0-arm64'
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
    expect(listed.map(l => l.ref)).toContain('docker.io/kubeedge/installation-package:v1.22.0')
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
    server.fault('/runc/v1.3.3/runc.arm64', { corruptByteAt: 10 })
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
          `checksum mismatch for ${server.url}/runc/v1\\.3\\.3/runc\\.arm64: expected sha256 [a-f0-9]{64}, got [a-f0-9]{64}`
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
    const images = [`kubeedge/installation-package:v1.22.0`, `kubeedge/edgemesh-agent:v1.17.0`]
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
