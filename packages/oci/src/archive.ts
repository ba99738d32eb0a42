/**
 * One deterministic tar for a set of images, readable three ways:
 *  - an OCI image layout (oci-layout, index.json, blobs/sha256/...), which
 *    `ctr images import` (containerd >= 1.6) and k3s's air-gap image directory prefer;
 *  - a Docker manifest.json (+ repositories) over the same blobs, for `docker load`.
 * Every index.json entry names its image by the full normalized reference, both as
 * io.containerd.image.name and as org.opencontainers.image.ref.name (as containerd's own
 * export does), so `oci-archive:<tar>:docker.io/kubeedge/cloudcore:v1.22.0` is unambiguous.
 * Blobs stay as fetched (compressed), shared ones stored once, and every manifest keeps the
 * registry's bytes, digest and media type. A Docker schema 2 manifest is therefore listed
 * with its Docker media type: relabelling it OCI would misdescribe it, converting it would
 * change its digest. The OCI transports of skopeo/podman (containers/image) and umoci skip
 * such entries; they read those images through manifest.json (`docker-archive:`) instead.
 * docs/bundle-format.md records what each client does, measured with the Debian packages.
 *
 * Same inputs, same bytes: entries sorted, mtime fixed (SOURCE_DATE_EPOCH or 0), uid/gid 0,
 * JSON in a fixed order. The layout is planned first (tar.ts), so blob downloads write
 * straight into a temporary file, which is renamed into place only when complete.
 */
import { randomBytes } from 'node:crypto'
import { open, rename, rm, type FileHandle } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { Platform } from './platform.js'
import { BLOCK, planTar, ustarHeader, type TarEntry } from './tar.js'

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

/** `<archive>.images.json`: the fetch-images report named after its archive. */
export function reportPathFor(archive: string): string {
  return `${archive}.images.json`
}

const byName = (a: ArchiveImage, b: ArchiveImage): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0

/** The JSON documents of the archive, pure data (easy to test). */
export function layoutDocuments(images: ArchiveImage[]): {
  index: object
  manifestJson: object[]
  repositories: Record<string, Record<string, string>>
} {
  const sorted = [...images].sort(byName)
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
        [ANNOTATIONS.refName]: img.name,
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

/** A temporary name beside `target` that never looks like a finished archive. */
export function temporaryPath(target: string): string {
  return join(dirname(target), `.${basename(target)}.partial-${randomBytes(4).toString('hex')}`)
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
    const entries: TarEntry[] = [
      { name: 'blobs/', type: 'directory' as const, size: 0 },
      { name: 'blobs/sha256/', type: 'directory' as const, size: 0 },
      ...[...blobs].map(([digest, size]) => ({
        name: blobPath(digest),
        type: 'file' as const,
        size
      })),
      ...[...docs].map(([name, data]) => ({ name, type: 'file' as const, size: data.length }))
    ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    const plan = planTar(entries)

    const temp = temporaryPath(target)
    const handle = await open(temp, 'wx')
    try {
      await handle.truncate(plan.size)
      const slots = new Map<string, number>()
      for (const entry of plan.entries) {
        await handle.write(ustarHeader(entry, mtime), 0, BLOCK, entry.offset)
        const doc = docs.get(entry.name)
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
