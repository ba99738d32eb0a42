/**
 * Deterministic synthetic images, pushed to a registry through the HTTP API v2.
 *
 * The same spec always gives the same bytes, so the same digests: layer content is an
 * AES-CTR keystream seeded by a name (incompressible, so `size` is close to the compressed
 * size, which lets benchmarks ask for hundreds of MB), tar headers carry mtime 0 and
 * uid/gid 0, and JSON is serialized in a fixed key order.
 */
import { createCipheriv, createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { pack } from 'tar-stream'
import type { BedFetch } from './tls.js'

export const MediaTypes = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  inToto: 'application/vnd.in-toto+json'
} as const

export interface Platform {
  os: string
  architecture: string
  variant?: string
}

export const linuxAmd64: Platform = { os: 'linux', architecture: 'amd64' }
export const linuxArm64: Platform = { os: 'linux', architecture: 'arm64', variant: 'v8' }
export const linuxArmV7: Platform = { os: 'linux', architecture: 'arm', variant: 'v7' }

export function platformString(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/')
}

export interface ImageSpec {
  /** Repository path in the registry, e.g. `kubeedge/cloudcore`. */
  repository: string
  tag: string
  /** `oci`: OCI media types (and an OCI index); `docker`: Docker schema 2 (and a manifest list). */
  format: 'oci' | 'docker'
  /** Push an index / manifest list over the platform manifests; false needs exactly one platform. */
  index: boolean
  platforms: Platform[]
  /** Bytes of the image's own top layer, per platform. Default 4096. */
  layerSize?: number
  /** Bytes of a base layer shared by every image with the same `baseName` and platform. */
  baseSize?: number
  /** Names the shared base layer; images with the same name and platform share it. Default `base`. */
  baseName?: string
  /** Add buildx-style attestation manifests (`unknown/unknown`) to the OCI index. */
  attestations?: boolean
}

export interface Blob {
  mediaType: string
  digest: string
  size: number
  data: Buffer
}

export interface BuiltManifest {
  platform: Platform
  manifest: Blob
  config: Blob
  layers: Blob[]
}

export interface BuiltImage {
  spec: ImageSpec
  /** `repository:tag` */
  name: string
  /** The index or manifest list, when `index` is true. */
  index?: Blob
  /** What the tag points at: the index, or the single manifest. */
  top: Blob
  manifests: BuiltManifest[]
  attestations: Blob[]
  /** Every blob (configs and layers) the image references, by digest. */
  blobs: Map<string, Blob>
}

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`
}

function blob(mediaType: string, data: Buffer): Blob {
  return { mediaType, digest: sha256(data), size: data.length, data }
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value))
}

/** `size` pseudo-random bytes determined by `seed` alone. */
export function deterministicBytes(seed: string, size: number): Buffer {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16)
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16))
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()])
}

async function tarOf(files: Array<{ name: string; data: Buffer }>): Promise<Buffer> {
  const archive = pack()
  const chunks: Buffer[] = []
  archive.on('data', (c: unknown) => chunks.push(c as Buffer))
  const done = new Promise<void>((resolve, reject) => {
    archive.on('end', resolve)
    archive.on('error', reject)
  })
  for (const file of files) {
    archive.entry(
      { name: file.name, size: file.data.length, mtime: new Date(0), uid: 0, gid: 0, mode: 0o644 },
      file.data
    )
  }
  archive.finalize()
  await done
  return Buffer.concat(chunks)
}

interface Layer {
  blob: Blob
  diffId: string
}

const layerCache = new Map<string, Promise<Layer>>()

/** A gzip layer holding one file of `size` bytes named after `seed`. Memoized per process. */
function layer(seed: string, size: number, mediaType: string): Promise<Layer> {
  const key = `${seed}|${size}|${mediaType}`
  let built = layerCache.get(key)
  if (!built) {
    built = (async () => {
      const safe = seed.replace(/[^A-Za-z0-9._-]/g, '_')
      const tar = await tarOf([{ name: `kedge/${safe}.bin`, data: deterministicBytes(seed, size) }])
      // Level 1: the content is incompressible anyway; this keeps big seeds fast.
      return { blob: blob(mediaType, gzipSync(tar, { level: 1 })), diffId: sha256(tar) }
    })()
    layerCache.set(key, built)
  }
  return built
}

/** Builds an image's blobs and manifests in memory, without pushing. */
export async function buildImage(spec: ImageSpec): Promise<BuiltImage> {
  if (!spec.index && spec.platforms.length !== 1) {
    throw new Error(`${spec.repository}:${spec.tag}: an image without an index has one platform`)
  }
  if (spec.attestations && !(spec.index && spec.format === 'oci')) {
    throw new Error(`${spec.repository}:${spec.tag}: attestations need an OCI index`)
  }
  const oci = spec.format === 'oci'
  const layerType = oci ? MediaTypes.ociLayerGzip : MediaTypes.dockerLayerGzip
  const blobs = new Map<string, Blob>()
  const manifests: BuiltManifest[] = []
  for (const platform of spec.platforms) {
    const plat = platformString(platform)
    const layers: Layer[] = []
    if (spec.baseSize) {
      layers.push(await layer(`${spec.baseName ?? 'base'}@${plat}`, spec.baseSize, layerType))
    }
    layers.push(
      await layer(`${spec.repository}:${spec.tag}@${plat}`, spec.layerSize ?? 4096, layerType)
    )
    const config = blob(
      oci ? MediaTypes.ociConfig : MediaTypes.dockerConfig,
      json({
        architecture: platform.architecture,
        os: platform.os,
        ...(platform.variant ? { variant: platform.variant } : {}),
        config: { Cmd: ['/bin/sh'], Labels: { 'kedge.test/image': spec.repository } },
        rootfs: { type: 'layers', diff_ids: layers.map(l => l.diffId) },
        history: layers.map(() => ({
          created: '1970-01-01T00:00:00Z',
          created_by: 'kedge test bed'
        }))
      })
    )
    const manifest = blob(
      oci ? MediaTypes.ociManifest : MediaTypes.dockerManifest,
      json({
        schemaVersion: 2,
        mediaType: oci ? MediaTypes.ociManifest : MediaTypes.dockerManifest,
        config: { mediaType: config.mediaType, digest: config.digest, size: config.size },
        layers: layers.map(l => ({
          mediaType: l.blob.mediaType,
          digest: l.blob.digest,
          size: l.blob.size
        }))
      })
    )
    blobs.set(config.digest, config)
    for (const l of layers) blobs.set(l.blob.digest, l.blob)
    manifests.push({ platform, manifest, config, layers: layers.map(l => l.blob) })
  }

  const attestations: Blob[] = []
  if (spec.attestations) {
    for (const m of manifests) {
      const statement = blob(
        MediaTypes.inToto,
        json({
          _type: 'https://in-toto.io/Statement/v0.1',
          predicateType: 'https://slsa.dev/provenance/v0.2',
          subject: [{ name: spec.repository, digest: { sha256: m.manifest.digest.slice(7) } }]
        })
      )
      const config = blob(MediaTypes.ociConfig, json({ architecture: 'unknown', os: 'unknown' }))
      blobs.set(statement.digest, statement)
      blobs.set(config.digest, config)
      attestations.push(
        blob(
          MediaTypes.ociManifest,
          json({
            schemaVersion: 2,
            mediaType: MediaTypes.ociManifest,
            config: { mediaType: config.mediaType, digest: config.digest, size: config.size },
            layers: [
              {
                mediaType: statement.mediaType,
                digest: statement.digest,
                size: statement.size,
                annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' }
              }
            ]
          })
        )
      )
    }
  }

  let index: Blob | undefined
  if (spec.index) {
    const entries: unknown[] = manifests.map(m => ({
      mediaType: m.manifest.mediaType,
      digest: m.manifest.digest,
      size: m.manifest.size,
      platform: m.platform
    }))
    attestations.forEach((a, i) => {
      entries.push({
        mediaType: a.mediaType,
        digest: a.digest,
        size: a.size,
        platform: { architecture: 'unknown', os: 'unknown' },
        annotations: {
          'vnd.docker.reference.digest': manifests[i]?.manifest.digest,
          'vnd.docker.reference.type': 'attestation-manifest'
        }
      })
    })
    const type = oci ? MediaTypes.ociIndex : MediaTypes.dockerList
    index = blob(type, json({ schemaVersion: 2, mediaType: type, manifests: entries }))
  }
  const first = manifests[0]
  if (!first) throw new Error(`${spec.repository}:${spec.tag}: no platforms`)
  return {
    spec,
    name: `${spec.repository}:${spec.tag}`,
    ...(index ? { index } : {}),
    top: index ?? first.manifest,
    manifests,
    attestations,
    blobs
  }
}

async function check(res: Response, what: string): Promise<Response> {
  if (!res.ok) {
    throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`)
  }
  return res
}

async function pushBlob(
  registryUrl: string,
  repository: string,
  b: Blob,
  fetch: BedFetch
): Promise<void> {
  const base = `${registryUrl}/v2/${repository}/blobs`
  const head = await fetch(`${base}/${b.digest}`, { method: 'HEAD' })
  if (head.ok) return
  const start = await check(
    await fetch(`${base}/uploads/`, { method: 'POST' }),
    `start upload of ${b.digest} to ${repository}`
  )
  const location = new URL(start.headers.get('location') ?? '', registryUrl)
  location.searchParams.set('digest', b.digest)
  await check(
    await fetch(location, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: b.data
    }),
    `upload ${b.digest} to ${repository}`
  )
}

async function pushManifest(
  registryUrl: string,
  repository: string,
  reference: string,
  m: Blob,
  fetch: BedFetch
): Promise<void> {
  await check(
    await fetch(`${registryUrl}/v2/${repository}/manifests/${reference}`, {
      method: 'PUT',
      headers: { 'content-type': m.mediaType },
      body: m.data
    }),
    `push manifest ${reference} to ${repository}`
  )
}

/**
 * Builds `spec` and pushes it (blobs, then manifests, then the index under the tag), with
 * `fetch` (an HTTPS registry's own, `registry.fetch`, trusts its certificate).
 */
export async function seedImage(
  registryUrl: string,
  spec: ImageSpec,
  fetch: BedFetch = globalThis.fetch
): Promise<BuiltImage> {
  const image = await buildImage(spec)
  for (const b of image.blobs.values()) await pushBlob(registryUrl, spec.repository, b, fetch)
  const children = [...image.manifests.map(m => m.manifest), ...image.attestations]
  if (image.index) {
    for (const m of children) await pushManifest(registryUrl, spec.repository, m.digest, m, fetch)
  }
  await pushManifest(registryUrl, spec.repository, spec.tag, image.top, fetch)
  return image
}
