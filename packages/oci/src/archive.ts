/**
 * One deterministic tar for a set of images, readable three ways:
 *  - an OCI image layout (oci-layout, index.json, blobs/sha256/...), which
 *    `ctr images import` (containerd >= 1.6) and k3s's air-gap image directory prefer;
 *  - a Docker manifest.json (+ repositories) over the same blobs, for `docker load`.
 * index.json lists each image's platform manifest, annotated with the full normalized
 * name (io.containerd.image.name) and the tag (org.opencontainers.image.ref.name), so
 * containerd records the registry's own manifest digest. Blobs stay as fetched
 * (compressed) and shared ones are stored once.
 *
 * Same inputs, same bytes: entries sorted, mtime fixed (SOURCE_DATE_EPOCH or 0), uid/gid 0,
 * JSON in a fixed order. The tar is written to a temporary name and renamed when complete.
 */
import { randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { pack, type Header } from 'tar-stream'

import type { BlobStore } from './blobs.js'
import type { Platform } from './platform.js'

export const ANNOTATIONS = {
  imageName: 'io.containerd.image.name',
  refName: 'org.opencontainers.image.ref.name',
  /** The digest of the index the platform manifest was chosen from. */
  indexDigest: 'dev.kedge.image.index.digest'
} as const

export interface ArchiveImage {
  /** Full normalized reference: docker.io/kubeedge/cloudcore:v1.22.0 */
  name: string
  tag?: string
  platform: Platform
  manifest: { mediaType: string; digest: string; size: number }
  config: { digest: string; size: number }
  layers: Array<{ digest: string; size: number }>
  indexDigest?: string
}

/** The mtime for archive entries: SOURCE_DATE_EPOCH when set, else 0. */
export function archiveMtime(env: NodeJS.ProcessEnv = process.env): Date {
  const epoch = Number(env.SOURCE_DATE_EPOCH ?? 0)
  if (!Number.isInteger(epoch) || epoch < 0) {
    throw new Error(
      `SOURCE_DATE_EPOCH=${env.SOURCE_DATE_EPOCH ?? ''} is not a non-negative integer`
    )
  }
  return new Date(epoch * 1000)
}

function blobPath(digest: string): string {
  return `blobs/sha256/${digest.slice('sha256:'.length)}`
}

/** The JSON documents of the archive, pure data (easy to test). */
export function layoutDocuments(images: ArchiveImage[]): {
  index: object
  manifestJson: object[]
  repositories: Record<string, Record<string, string>>
} {
  const sorted = [...images].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: sorted.map(img => ({
      mediaType: img.manifest.mediaType,
      digest: img.manifest.digest,
      size: img.manifest.size,
      platform: {
        architecture: img.platform.architecture,
        os: img.platform.os,
        ...(img.platform.variant ? { variant: img.platform.variant } : {})
      },
      annotations: {
        [ANNOTATIONS.imageName]: img.name,
        ...(img.tag ? { [ANNOTATIONS.refName]: img.tag } : {}),
        ...(img.indexDigest ? { [ANNOTATIONS.indexDigest]: img.indexDigest } : {})
      }
    }))
  }
  const manifestJson = sorted.map(img => ({
    Config: blobPath(img.config.digest),
    RepoTags: img.tag ? [img.name] : [],
    Layers: img.layers.map(l => blobPath(l.digest))
  }))
  const repositories: Record<string, Record<string, string>> = {}
  for (const img of sorted) {
    const top = img.layers[img.layers.length - 1]
    if (!img.tag || !top) continue
    const repo = img.name.slice(0, img.name.length - img.tag.length - 1)
    repositories[repo] = { ...repositories[repo], [img.tag]: top.digest.slice('sha256:'.length) }
  }
  return { index, manifestJson, repositories }
}

function header(
  name: string,
  size: number,
  mtime: Date,
  type: 'file' | 'directory'
): Partial<Header> & { name: string } {
  return {
    name,
    size: type === 'file' ? size : 0,
    mtime,
    uid: 0,
    gid: 0,
    uname: '',
    gname: '',
    mode: type === 'file' ? 0o644 : 0o755,
    type
  }
}

/** A temporary name beside `target` that never looks like a finished archive. */
export function temporaryPath(target: string): string {
  return join(dirname(target), `.${basename(target)}.partial-${randomBytes(4).toString('hex')}`)
}

/** Writes `images` (their blobs read from `store`) as one archive at `target`. */
export async function writeArchive(
  target: string,
  images: ArchiveImage[],
  store: BlobStore,
  mtime: Date = archiveMtime()
): Promise<{ bytes: number; blobs: number }> {
  const { index, manifestJson, repositories } = layoutDocuments(images)
  const blobs = new Map<string, number>()
  for (const img of images) {
    blobs.set(img.manifest.digest, img.manifest.size)
    blobs.set(img.config.digest, img.config.size)
    for (const l of img.layers) blobs.set(l.digest, l.size)
  }
  const json = (v: unknown) => Buffer.from(`${JSON.stringify(v)}\n`)
  const docs = new Map<string, Buffer>([
    ['index.json', json(index)],
    ['manifest.json', json(manifestJson)],
    ['oci-layout', json({ imageLayoutVersion: '1.0.0' })],
    ['repositories', json(repositories)]
  ])
  const names = [
    'blobs/',
    'blobs/sha256/',
    ...[...blobs.keys()].map(blobPath),
    ...docs.keys()
  ].sort()

  const temp = temporaryPath(target)
  const tar = pack()
  const out = createWriteStream(temp)
  const written = pipeline(tar, out)
  try {
    for (const name of names) {
      if (name.endsWith('/')) {
        tar.entry(header(name, 0, mtime, 'directory'))
        continue
      }
      const doc = docs.get(name)
      if (doc) {
        tar.entry(header(name, doc.length, mtime, 'file'), doc)
        continue
      }
      const digest = `sha256:${name.slice('blobs/sha256/'.length)}`
      const size = blobs.get(digest) ?? 0
      await pipeline(
        createReadStream(store.path(digest)),
        tar.entry(header(name, size, mtime, 'file'))
      )
    }
    tar.finalize()
    await written
    await rename(temp, target)
    return { bytes: (await stat(target)).size, blobs: blobs.size }
  } catch (err) {
    tar.destroy()
    await written.catch(() => undefined)
    await rm(temp, { force: true })
    throw err
  }
}
