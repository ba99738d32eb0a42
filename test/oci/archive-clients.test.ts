/**
 * The images archive, read by the real clients that install from Debian: skopeo
 * (`oci-archive:` and `docker-archive:`), podman, umoci, containerd's `ctr import` and
 * `docker load` (dockerd 20.10 from docker.io), and by kedge's own reader
 * (readArchiveImages). Four images share the tag v1.22.0, in both media type families, so
 * a tag-only ref.name would be ambiguous. A Docker schema 2 image is also stored as its OCI
 * twin (same config and layers, another manifest digest) in index.oci.json, the view that
 * extracting clients read (index.json -> index.oci.json); containerd, which streams the tar,
 * must still name only the registry's manifests. docs/bundle-format.md records all of it.
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

interface IndexEntry {
  mediaType: string
  digest: string
  annotations?: Record<string, string>
}

/** The entries of an index document of an archive (read with tar). */
async function indexEntries(archive: string, file: string): Promise<IndexEntry[]> {
  const { stdout } = await bed.run('tar', ['-xOf', archive, file])
  return (JSON.parse(stdout) as { manifests: IndexEntry[] }).manifests
}

/** The digest of the OCI twin that the archive stores for Docker image `name`. */
async function twinOf(archive: string, name: string): Promise<string | undefined> {
  const entries = await indexEntries(archive, 'index.oci.json')
  return entries.find(
    e =>
      e.annotations?.['org.opencontainers.image.ref.name'] === name &&
      e.annotations['dev.kedge.image.converted.from'] !== undefined
  )?.digest
}

describe('the images archive in real clients (skopeo, podman, umoci, ctr, docker)', () => {
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

  test('skopeo oci-archive: every full reference finds its image; OCI ones keep the registry digest, Docker ones give their OCI twin (same config and layers)', async () => {
    const images = await readArchiveImages(archive)
    for (const spec of SPECS) {
      const out = join(dir, 'skopeo-oci', spec.repository)
      mkdirSync(out, { recursive: true })
      await bed.run('skopeo', [
        'copy',
        '--preserve-digests',
        `oci-archive:${archive}:${name(spec)}`,
        `dir:${out}`
      ])
      const bytes = readFileSync(join(out, 'manifest.json'))
      const manifest = JSON.parse(bytes.toString('utf8')) as {
        mediaType: string
        config: { digest: string }
      }
      expect(manifest.mediaType).toBe('application/vnd.oci.image.manifest.v1+json')
      expect(manifest.config.digest).toBe(images.find(i => i.name === name(spec))?.configDigest)
      const twin = await twinOf(archive, name(spec))
      if (spec.format === 'oci') {
        expect(twin).toBeUndefined()
        expect(sha256(bytes)).toBe(upstream.get(name(spec)))
      } else {
        // The OCI media types are in the manifest's bytes: the twin's digest is its own.
        expect(twin).toMatch(/^sha256:/)
        expect(sha256(bytes)).toBe(twin)
        expect(twin).not.toBe(upstream.get(name(spec)))
      }
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

  test('podman load takes every image by its full name; podman pull oci-archive: finds OCI images (registry digest) and Docker ones (their OCI twin)', async () => {
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
    const admission = name(SPECS[1] as bed.ImageSpec)
    await podman(['pull', `oci-archive:${archive}:${admission}`])
    const twin = await podman(['image', 'inspect', '--format', '{{.Digest}}', admission])
    expect(twin.stdout.trim()).toBe(await twinOf(archive, admission))
  })

  test('umoci: every image listed once by its full name, and every one unpacks (Docker ones as their OCI twin)', async () => {
    const layout = join(dir, 'layout')
    mkdirSync(layout, { recursive: true })
    await bed.run('tar', ['-xf', archive, '-C', layout])
    const { stdout } = await bed.run('umoci', ['ls', '--layout', layout])
    expect(stdout.trim().split('\n').sort()).toEqual(SPECS.map(name).sort())
    for (const spec of SPECS) {
      const target = join(dir, 'umoci', spec.repository)
      await bed.run('umoci', ['unpack', '--rootless', '--image', `${layout}:${name(spec)}`, target])
      expect(readFileSync(join(target, 'config.json'), 'utf8')).toContain('"ociVersion"')
    }
  })

  test('ctr import (a stream reader: the regular index.json) records every image under its full name with the registry digest, and no other name', async () => {
    const containerd = await bed.startContainerd()
    try {
      const output = await containerd.importImages(archive, { platform: 'linux/arm64' })
      const listed = await containerd.listImages()
      expect(listed.map(i => [i.ref, i.digest]).sort()).toEqual(
        SPECS.map(name)
          .sort()
          .map(n => [n, upstream.get(n)])
      )
      // What containerd's Import returned (k3s labels and digest-tags this very list): each
      // name once, on the registry's manifest; no OCI twin.
      const unpacked = [...output.matchAll(/unpacking (\S+) \((sha256:[a-f0-9]{64})\)/g)]
      expect(unpacked.map(m => [m[1], m[2]]).sort()).toEqual(
        SPECS.map(name)
          .sort()
          .map(n => [n, upstream.get(n)])
      )
    } finally {
      await containerd.stop()
    }
  })

  test('docker load (dockerd 20.10, vfs) takes every image by its RepoTags, with the registry config', async () => {
    const images = await readArchiveImages(archive)
    const dockerd = await bed.startDockerd()
    try {
      await dockerd.docker(['load', '-i', archive])
      const { stdout } = await dockerd.docker([
        'images',
        '--no-trunc',
        '--format',
        '{{.Repository}}:{{.Tag}} {{.ID}}'
      ])
      // docker shows Docker Hub names in their short form.
      const short = (n: string) => n.replace(/^docker\.io\//, '')
      expect(stdout.trim().split('\n').sort()).toEqual(
        images.map(i => `${short(i.name)} ${i.configDigest}`).sort()
      )
    } finally {
      await dockerd.stop()
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
