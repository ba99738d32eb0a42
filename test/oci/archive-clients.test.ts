/**
 * The images archive, read by the real clients that install from Debian: skopeo
 * (`oci-archive:` and `docker-archive:`), podman, umoci and containerd's `ctr import`, and
 * by kedge's own reader (readArchiveImages). Four images share the tag v1.22.0, in both
 * media type families, so a tag-only ref.name would be ambiguous. What each client does with
 * Docker schema 2 manifests (kept as the registry served them) is asserted as measured and
 * documented in docs/bundle-format.md. docker load is not tested: no dockerd runs here.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fetchImages, parseMirrors, readArchiveImages } from '@kedge/oci'
import * as bed from '../bed/index.js'

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`

const SPECS: bed.ImageSpec[] = [
  { repository: 'kubeedge/cloudcore', format: 'oci', index: true, attestations: true },
  { repository: 'kubeedge/admission', format: 'docker', index: true },
  { repository: 'kubeedge/iptables-manager', format: 'docker', index: false },
  { repository: 'kubeedge/controller-manager', format: 'oci', index: false }
].map(s => ({
  ...s,
  format: s.format as 'oci' | 'docker',
  tag: 'v1.22.0',
  platforms: s.index ? [bed.linuxAmd64, bed.linuxArm64] : [bed.linuxArm64],
  layerSize: 2048
}))
const name = (s: bed.ImageSpec) => `docker.io/${s.repository}:${s.tag}`

describe('the images archive in real clients (skopeo, podman, umoci, ctr)', () => {
  let registry: bed.Registry
  let dir: string
  let archive: string
  const upstream = new Map<string, string>()

  beforeAll(async () => {
    registry = await bed.startRegistry()
    dir = await bed.tempDir('archive-clients')
    for (const spec of SPECS) {
      const built = await bed.seedImage(registry.url, spec)
      const arm = built.manifests.find(m => m.platform.architecture === 'arm64')
      upstream.set(name(spec), arm?.manifest.digest ?? '')
    }
    archive = join(dir, 'edge-arm64.tar')
    await fetchImages({
      images: SPECS.map(name),
      platform: 'linux/arm64',
      output: archive,
      client: {
        mirrors: parseMirrors(`docker.io=${registry.url}`),
        insecure: [registry.host],
        fallbackToOrigin: false
      }
    })
  })
  afterAll(async () => {
    await registry.stop()
    await bed.removeDir(dir)
  })

  test('kedge reads names, platforms (from each config) and the registry digests back from the archive', async () => {
    const images = await readArchiveImages(archive)
    expect(images.map(i => [i.name, i.platform, i.manifestDigest])).toEqual(
      SPECS.map(name)
        .sort()
        .map(n => [n, 'linux/arm64/v8', upstream.get(n)])
    )
  })

  test('skopeo oci-archive: each full reference picks its own OCI image, manifest bytes unchanged; Docker ones are skipped (documented)', async () => {
    for (const spec of SPECS) {
      const out = join(dir, 'skopeo-oci', spec.repository)
      mkdirSync(out, { recursive: true })
      const copy = bed.run('skopeo', [
        'copy',
        '--preserve-digests',
        `oci-archive:${archive}:${name(spec)}`,
        `dir:${out}`
      ])
      if (spec.format === 'docker') {
        await expect(copy).rejects.toThrow('no descriptor found for reference')
        continue
      }
      await copy
      expect(sha256(readFileSync(join(out, 'manifest.json')))).toBe(upstream.get(name(spec)))
    }
  })

  test('skopeo docker-archive: each full reference loads its own image (same config)', async () => {
    const images = await readArchiveImages(archive)
    for (const spec of SPECS) {
      const { stdout } = await bed.run('skopeo', [
        'inspect',
        '--config',
        '--raw',
        `docker-archive:${archive}:${name(spec)}`
      ])
      const config = images.find(i => i.name === name(spec))?.configDigest
      expect(sha256(Buffer.from(stdout))).toBe(config)
    }
  })

  test('podman load takes every image by its full name; podman pull oci-archive: keeps the digest of an OCI manifest', async () => {
    const store = join(dir, 'podman')
    const podman = (args: string[]) =>
      bed.run('podman', [
        '--root',
        join(store, 'root'),
        '--runroot',
        join(store, 'run'),
        '--storage-driver',
        'vfs',
        '--events-backend',
        'file',
        '--cgroup-manager',
        'cgroupfs',
        ...args
      ])
    await podman(['load', '-i', archive])
    const { stdout } = await podman(['images', '--format', '{{.Repository}}:{{.Tag}}'])
    expect(stdout.trim().split('\n').sort()).toEqual(SPECS.map(name).sort())
    const cloudcore = name(SPECS[0] as bed.ImageSpec)
    await podman(['rmi', '--all', '--force'])
    await podman(['pull', `oci-archive:${archive}:${cloudcore}`])
    const raw = await podman(['image', 'inspect', '--format', '{{.Digest}}', cloudcore])
    expect(raw.stdout.trim()).toBe(upstream.get(cloudcore))
  })

  test('umoci: every image listed by its full name; OCI ones unpack, Docker ones are refused (documented)', async () => {
    const layout = join(dir, 'layout')
    mkdirSync(layout, { recursive: true })
    await bed.run('tar', ['-xf', archive, '-C', layout])
    const { stdout } = await bed.run('umoci', ['ls', '--layout', layout])
    expect(stdout.trim().split('\n').sort()).toEqual(SPECS.map(name).sort())
    for (const spec of SPECS) {
      const target = join(dir, 'umoci', spec.repository)
      const unpack = bed.run('umoci', [
        'unpack',
        '--rootless',
        '--image',
        `${layout}:${name(spec)}`,
        target
      ])
      if (spec.format === 'oci') {
        await unpack
        expect(readFileSync(join(target, 'config.json'), 'utf8')).toContain('"ociVersion"')
      } else {
        await expect(unpack).rejects.toThrow('application/vnd.docker')
      }
    }
  })

  test('ctr import records every image under its full name with the registry digest', async () => {
    const containerd = await bed.startContainerd()
    try {
      await containerd.importImages(archive, { platform: 'linux/arm64' })
      const listed = await containerd.listImages()
      expect(listed.map(i => [i.ref, i.digest]).sort()).toEqual(
        SPECS.map(name)
          .sort()
          .map(n => [n, upstream.get(n)])
      )
    } finally {
      await containerd.stop()
    }
  })

  test('a truncated archive is an error naming it, not a partial image list', async () => {
    const cut = join(dir, 'cut.tar')
    const bytes = readFileSync(archive)
    writeFileSync(cut, bytes.subarray(0, bytes.length - 4096))
    await expect(readArchiveImages(cut)).rejects.toThrow(`images archive ${cut}`)
    await expect(readArchiveImages(join(dir, 'absent.tar'))).rejects.toThrow(
      'cannot open it (ENOENT)'
    )
  })
})
