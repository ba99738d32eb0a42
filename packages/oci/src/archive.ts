/**
 * One deterministic tar for a set of images, readable three ways:
 *  - an OCI image layout (oci-layout, index.json, blobs/sha256/...), which
 *    `ctr images import` (containerd >= 1.6) and k3s's air-gap image directory prefer;
 *  - a Docker manifest.json (+ repositories) over the same blobs, for `docker load`.
 * Every index entry names its image by the full normalized reference, both as
 * io.containerd.image.name and as org.opencontainers.image.ref.name (as containerd's own
 * export does), so `oci-archive:<tar>:docker.io/kubeedge/cloudcore:v1.22.0` is unambiguous.
 * Blobs stay as fetched (compressed), shared ones stored once, and every manifest keeps the
 * registry's bytes, digest and media type.
 *
 * Docker schema 2 manifests: the OCI transports of skopeo/podman (Debian 12's
 * containers/image) and umoci skip them, and containerd names every index.json entry that
 * carries either annotation (v1.7.34 import.go imageName; v2.1.5 client/import.go and
 * core/transfer/image/imagestore.go), so one index.json cannot hold both the registry's
 * Docker manifest (for containerd) and an OCI twin of it (for the OCI readers) under one
 * name without containerd also naming the twin. The archive therefore carries two views:
 *  - `index.json`, a regular file: the registry's manifests, one entry per image. containerd
 *    streams the tar and reads only regular members (symlinks are ignored in an OCI layout:
 *    images/archive/importer.go ImportIndex, v1.6.20, v1.7.34; core/images/archive in
 *    v2.1.5), so ctr import, k3s and docker on containerd see this one.
 *  - `index.oci.json`: the OCI images as above, and each Docker one as its OCI twin
 *    (convert.ts: the same config and layers; its own manifest, so another digest), and a
 *    last member `index.json -> index.oci.json`, a symlink. Whatever extracts the archive
 *    first (skopeo/podman `oci-archive:`, `tar -x` before umoci) ends with index.json
 *    replaced by that link, so it reads this view.
 * docs/bundle-format.md records what each client does, measured with the Debian packages.
 *
 * Same inputs, same bytes: entries sorted (the link last), mtime fixed (SOURCE_DATE_EPOCH or
 * 0), uid/gid 0, JSON in a fixed order. The layout is planned first (tar.ts), so blob
 * downloads write straight into a temporary file, renamed into place only when complete.
 */
import { randomBytes } from 'node:crypto'
import { open, rename, rm, type FileHandle } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { OCI_MANIFEST, type ConvertedManifest } from './convert.js'
import type { Platform } from './platform.js'
import { BLOCK, planTar, ustarHeader, type TarEntry, type TarPlan } from './tar.js'

export const ANNOTATIONS = {
  imageName: 'io.containerd.image.name',
  refName: 'org.opencontainers.image.ref.name',
  /** The digest of the index the platform manifest was chosen from. */
  indexDigest: 'dev.kedge.image.index.digest',
  /** On an OCI twin (index.oci.json): the registry's Docker manifest it was converted from. */
  convertedFrom: 'dev.kedge.image.converted.from'
} as const

/** The OCI transports' view of the archive, and the link that makes extractors read it. */
export const OCI_INDEX = 'index.oci.json'

export interface ArchiveImage {
  /** Full normalized reference: docker.io/kubeedge/cloudcore:v1.22.0 */
  name: string
  tag?: string
  platform: Platform
  manifest: { mediaType: string; digest: string; size: number }
  config: { digest: string; size: number }
  layers: Array<{ digest: string; size: number }>
  indexDigest?: string
  /** For a Docker schema 2 manifest: its OCI twin (convert.ts), stored beside it. */
  ociTwin?: ConvertedManifest
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

/** `<archive>.images.json`: the fetch-images report named after its archive. */
export function reportPathFor(archive: string): string {
  return `${archive}.images.json`
}

const byName = (a: ArchiveImage, b: ArchiveImage): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0

/** An index.json entry for manifest `desc` of `img`, named by its full reference. */
function indexEntry(
  img: ArchiveImage,
  desc: { mediaType: string; digest: string; size: number },
  annotations: Record<string, string>
): object {
  return {
    mediaType: desc.mediaType,
    digest: desc.digest,
    size: desc.size,
    platform: {
      architecture: img.platform.architecture,
      os: img.platform.os,
      ...(img.platform.variant ? { variant: img.platform.variant } : {})
    },
    annotations: {
      [ANNOTATIONS.imageName]: img.name,
      [ANNOTATIONS.refName]: img.name,
      ...annotations
    }
  }
}

/** The JSON documents of the archive, pure data (easy to test). */
export function layoutDocuments(images: ArchiveImage[]): {
  index: object
  ociIndex: object
  manifestJson: object[]
  repositories: Record<string, Record<string, string>>
} {
  const sorted = [...images].sort(byName)
  const indexOf = (manifests: object[]) => ({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests
  })
  const registry = (img: ArchiveImage) =>
    indexEntry(
      img,
      img.manifest,
      img.indexDigest ? { [ANNOTATIONS.indexDigest]: img.indexDigest } : {}
    )
  const index = indexOf(sorted.map(registry))
  const ociIndex = indexOf(
    sorted.map(img =>
      img.ociTwin
        ? indexEntry(
            img,
            { mediaType: OCI_MANIFEST, digest: img.ociTwin.digest, size: img.ociTwin.size },
            { [ANNOTATIONS.convertedFrom]: img.manifest.digest }
          )
        : registry(img)
    )
  )
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
  return { index, ociIndex, manifestJson, repositories }
}

/** A temporary name beside `target` that never looks like a finished archive. */
export function temporaryPath(target: string): string {
  return join(dirname(target), `.${basename(target)}.partial-${randomBytes(4).toString('hex')}`)
}

/** The archive's entries, planned, and the bytes kedge writes itself (documents, twins). */
function planArchive(images: ArchiveImage[]): { docs: Map<string, Buffer>; plan: TarPlan } {
  const { index, ociIndex, manifestJson, repositories } = layoutDocuments(images)
  const blobs = new Map<string, number>()
  const docs = new Map<string, Buffer>()
  for (const img of images) {
    // An OCI twin is kedge's own bytes: written in place when the archive is created.
    if (img.ociTwin) {
      blobs.set(img.ociTwin.digest, img.ociTwin.size)
      docs.set(blobPath(img.ociTwin.digest), img.ociTwin.bytes)
    }
    blobs.set(img.manifest.digest, img.manifest.size)
    blobs.set(img.config.digest, img.config.size)
    for (const l of img.layers) blobs.set(l.digest, l.size)
  }
  const json = (v: unknown) => Buffer.from(`${JSON.stringify(v)}\n`)
  docs.set('index.json', json(index))
  docs.set(OCI_INDEX, json(ociIndex))
  docs.set('manifest.json', json(manifestJson))
  docs.set('oci-layout', json({ imageLayoutVersion: '1.0.0' }))
  docs.set('repositories', json(repositories))
  const entries: TarEntry[] = [
    { name: 'blobs/', type: 'directory' as const, size: 0 },
    { name: 'blobs/sha256/', type: 'directory' as const, size: 0 },
    ...[...blobs].map(([digest, size]) => ({
      name: blobPath(digest),
      type: 'file' as const,
      size
    })),
    ...[...docs]
      .filter(([name]) => !name.startsWith('blobs/'))
      .map(([name, data]) => ({ name, type: 'file' as const, size: data.length }))
  ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  // Last, after the regular index.json: an extractor ends with index.json -> index.oci.json.
  entries.push({ name: 'index.json', type: 'symlink', size: 0, linkname: OCI_INDEX })
  return { docs, plan: planTar(entries) }
}

/**
 * An archive being written: its layout is planned up front, the temporary file is sized,
 * headers and JSON documents are in place, and each blob's bytes go to `slot(digest)`
 * (positional writes, any order, in parallel). `finish()` renames it into place;
 * `abort()` removes it.
 */
export class ArchiveFile {
  private constructor(
    readonly target: string,
    readonly temp: string,
    readonly handle: FileHandle,
    readonly size: number,
    private readonly slots: Map<string, number>
  ) {}

  static async create(
    target: string,
    images: ArchiveImage[],
    mtime: Date = archiveMtime()
  ): Promise<ArchiveFile> {
    const { docs, plan } = planArchive(images)
    const temp = temporaryPath(target)
    const handle = await open(temp, 'wx')
    try {
      await handle.truncate(plan.size)
      const slots = new Map<string, number>()
      for (const entry of plan.entries) {
        await handle.write(ustarHeader(entry, mtime), 0, BLOCK, entry.offset)
        const doc = entry.type === 'file' ? docs.get(entry.name) : undefined
        if (doc) await handle.write(doc, 0, doc.length, entry.dataOffset)
        else if (entry.type === 'file') {
          slots.set(`sha256:${entry.name.slice('blobs/sha256/'.length)}`, entry.dataOffset)
        }
      }
      return new ArchiveFile(target, temp, handle, plan.size, slots)
    } catch (err) {
      await handle.close()
      await rm(temp, { force: true })
      throw err
    }
  }

  /** Where the data of `digest` goes. */
  slot(digest: string): number {
    const offset = this.slots.get(digest)
    if (offset === undefined) throw new Error(`archive ${this.target} has no place for ${digest}`)
    return offset
  }

  /** Flushes, closes and renames the archive into place; returns its size. */
  async finish(): Promise<number> {
    await this.handle.close()
    await rename(this.temp, this.target)
    return this.size
  }

  async abort(): Promise<void> {
    await this.handle.close().catch(() => undefined)
    await rm(this.temp, { force: true })
  }
}
