/**
 * fetchImages: references in, one deterministic archive (or one per image) and an
 * images.json report out. Every reference and the platform are checked before any
 * network call. Manifests and configs are resolved first; then the archive layout is
 * planned, and each unique blob is fetched once, in parallel, straight into its place in
 * the archive's temporary file (and into the cache, when there is one). The archive is
 * renamed into place only when every blob is in and verified.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { ArchiveFile, archiveMtime, temporaryPath, type ArchiveImage } from './archive.js'
import { BlobFetcher, type BlobSource, type BlobStats, type BlobTarget } from './blobs.js'
import {
  MANIFEST_TYPES,
  RegistryClient,
  type ClientOptions,
  type Endpoint,
  type ManifestCheck
} from './client.js'
import { describeError } from './errors.js'
import { discard } from './http.js'
import { limiter } from './limit.js'
import { silentLogger, type Logger } from './log.js'
import { checkOutputPath } from './output.js'
import {
  formatPlatform,
  normalizePlatform,
  offeredPlatforms,
  parsePlatform,
  platformMatches,
  selectManifest,
  type IndexEntry,
  type Platform
} from './platform.js'
import {
  archiveFileName,
  formatReference,
  manifestReference,
  parseReference,
  ReferenceError,
  type ImageReference
} from './reference.js'

export interface FetchImagesOptions {
  /** References as users write them. */
  images: string[]
  /** e.g. linux/arm64 */
  platform: string
  /** The archive path; with perImage, a directory. */
  output: string
  perImage?: boolean
  /** Where images.json goes; default: beside the archive (in the directory with perImage). */
  imagesJson?: string
  /** A persistent blob cache; without it a scratch directory is used and removed. */
  cacheDir?: string
  /** Parallel blob fetches. Default 8. */
  concurrency?: number
  client?: ClientOptions
  logger?: Logger
  /** Called as blob bytes arrive: (fetched so far, bytes the run needs in all). */
  onProgress?: (fetched: number, total: number) => void
  /** Entry mtime; default SOURCE_DATE_EPOCH or 0. */
  mtime?: Date
}

/** One line of images.json. */
export interface ImageReport {
  /** As given. */
  reference: string
  /** Normalized: docker.io/library/eclipse-mosquitto:1.6.15 */
  name: string
  platform: string
  /** The index the platform manifest was chosen from; null for a single-platform image. */
  indexDigest: string | null
  manifestDigest: string
  configDigest: string
  /** Compressed bytes: manifest, config and layers, as stored. */
  size: number
  layers: number
  /** The archive file holding it. */
  archive: string
  /**
   * What the first manifest (the index, or the image's only manifest) was checked
   * against: the digest in the reference, the registry's Docker-Content-Digest header, or
   * `none` (a tag, and the registry sent no digest: an altered manifest would go unseen).
   * Manifests chosen from an index are always checked against the index's digest.
   */
  verifiedBy: ManifestCheck
}

export interface FetchImagesResult {
  /** The archive, or the directory with perImage. */
  output: string
  archives: string[]
  imagesJson: string
  images: ImageReport[]
  /** Bytes of the archive(s) written. */
  bytes: number
  /** Unique blob bytes the archives hold. */
  uniqueBlobBytes: number
  stats: BlobStats
}

/** Splits an image list: newlines or commas, `#` comments, blanks dropped, duplicates once. */
export function parseImageList(text: string): string[] {
  const seen = new Set<string>()
  for (const line of text.split('\n')) {
    const content = line.replace(/#.*$/, '')
    for (const item of content.split(',')) {
      const ref = item.trim()
      if (ref) seen.add(ref)
    }
  }
  return [...seen]
}

interface Descriptor {
  mediaType?: string
  digest: string
  size: number
}

interface ManifestDoc {
  schemaVersion?: number
  mediaType?: string
  manifests?: IndexEntry[]
  config?: Descriptor
  layers?: Descriptor[]
}

interface Resolved {
  given: string
  ref: ImageReference
  platform: Platform
  endpoint: Endpoint
  indexDigest?: string
  verifiedBy: ManifestCheck
  manifest: { mediaType: string; digest: string; size: number }
  manifestBytes: Buffer
  config: Descriptor
  configBytes: Buffer
  layers: Descriptor[]
}

const INDEX_TYPES = new Set<string>([MANIFEST_TYPES.ociIndex, MANIFEST_TYPES.dockerList])
const DIGEST = /^sha256:[a-f0-9]{64}$/

function parseManifest(body: Buffer, where: string): ManifestDoc {
  let doc: ManifestDoc
  try {
    doc = JSON.parse(body.toString('utf8')) as ManifestDoc
  } catch {
    throw new Error(`${where}: the manifest is not JSON`)
  }
  if (doc.schemaVersion === 1) {
    throw new Error(
      `${where}: schema 1 manifests are deprecated and not supported; push the image again with a current client`
    )
  }
  return doc
}

function checkDescriptor(d: Descriptor | undefined, what: string, where: string): Descriptor {
  if (
    !d ||
    typeof d.digest !== 'string' ||
    !DIGEST.test(d.digest) ||
    !Number.isSafeInteger(d.size) ||
    d.size < 0
  ) {
    throw new Error(
      `${where}: the manifest's ${what} descriptor is missing or malformed (kedge supports sha256 digests)`
    )
  }
  return d
}

export async function fetchImages(options: FetchImagesOptions): Promise<FetchImagesResult> {
  const logger = options.logger ?? silentLogger
  // Everything the user gave is checked before the first request.
  const want = parsePlatform(options.platform)
  if (options.images.length === 0) throw new Error('no images given')
  const errors: string[] = []
  const refs: Array<{ given: string; ref: ImageReference }> = []
  const byName = new Set<string>()
  for (const given of options.images) {
    try {
      const ref = parseReference(given)
      const key = formatReference(ref)
      if (!byName.has(key)) {
        byName.add(key)
        refs.push({ given, ref })
      }
    } catch (err) {
      if (!(err instanceof ReferenceError)) throw err
      errors.push(err.message)
    }
  }
  if (errors.length > 0) throw new Error(errors.join('\n'))
  const concurrency = options.concurrency ?? 8
  const run = limiter(concurrency)
  const output = resolve(options.output)
  const imagesJson = resolve(
    options.imagesJson ?? join(options.perImage ? output : dirname(output), 'images.json')
  )
  await checkOutputPath('output', options.output, options.perImage ? 'directory' : 'file')
  await checkOutputPath('images-json', options.imagesJson ?? imagesJson, 'file')
  const client = new RegistryClient({ ...options.client, logger })

  let fetched = 0
  let total = 0
  const fetcher = new BlobFetcher(
    options.cacheDir ? resolve(options.cacheDir) : undefined,
    client.retry,
    n => {
      // Progress covers the layer phase, once its total is known (configs come before).
      if (total === 0) return
      fetched += n
      options.onProgress?.(fetched, total)
    }
  )

  /** The endpoint that served the manifest first, then the others (mirrors, origin). */
  const source = (ref: ImageReference, preferred: Endpoint, digest: string): BlobSource => {
    const endpoints = [
      preferred,
      ...client.endpoints(ref.registry).filter(e => e.api !== preferred.api)
    ]
    return async offset => {
      let lastError: unknown
      for (const [i, endpoint] of endpoints.entries()) {
        const last = i === endpoints.length - 1
        try {
          const res = await client.request(
            endpoint,
            ref.repository,
            `blobs/${digest}`,
            offset > 0 ? { range: `bytes=${offset}-` } : {}
          )
          if (res.status === 200 || res.status === 206 || last) return res
          discard(res)
          lastError = new Error(`HTTP ${res.status}`)
        } catch (err) {
          if (last) throw err
          lastError = err
        }
        logger.warn(
          `${endpoint.api} failed for blob ${digest} (${describeError(lastError)}); trying ${endpoints[i + 1]?.api ?? ''}`
        )
      }
      throw lastError
    }
  }

  const resolveOne = async (given: string, ref: ImageReference): Promise<Resolved> => {
    const where = `image "${given}"`
    const top = await client.getManifest(ref, manifestReference(ref))
    if (top.verifiedBy === 'none') {
      logger.warn(
        `${where}: ${ref.registry} sent no Docker-Content-Digest for tag ${ref.tag ?? ''}, so its manifest cannot be checked; pin the image by digest to check it (images.json says verifiedBy: none)`
      )
    }
    let doc = parseManifest(top.body, where)
    let manifest = top
    let indexDigest: string | undefined
    let platform: Platform | undefined
    if (INDEX_TYPES.has(top.mediaType) || Array.isArray(doc.manifests)) {
      indexDigest = top.digest
      const entries = doc.manifests ?? []
      const entry = selectManifest(entries, want)
      if (!entry) {
        const offered = offeredPlatforms(entries)
        throw new Error(
          `${where} has no ${formatPlatform(want)} variant; its index offers ${offered.length ? offered.join(', ') : 'no runnable platform'}`
        )
      }
      platform = normalizePlatform(entry.platform ?? want)
      manifest = await client.getManifest(ref, entry.digest)
      doc = parseManifest(manifest.body, where)
      if (INDEX_TYPES.has(manifest.mediaType) || Array.isArray(doc.manifests)) {
        throw new Error(
          `${where}: the index points at another index; nested indexes are not supported`
        )
      }
    }
    const config = checkDescriptor(doc.config, 'config', where)
    const layers = (doc.layers ?? []).map((l, i) => checkDescriptor(l, `layer ${i}`, where))
    const configBytes = await run(() =>
      fetcher.fetchBytes(config, source(ref, manifest.endpoint, config.digest), where)
    )
    let cfg: Partial<Platform>
    try {
      cfg = JSON.parse(configBytes.toString('utf8')) as Partial<Platform>
    } catch {
      throw new Error(`${where}: its config ${config.digest} is not JSON`)
    }
    const have = normalizePlatform({
      os: cfg.os ?? '',
      architecture: cfg.architecture ?? '',
      ...(cfg.variant ? { variant: cfg.variant } : {})
    })
    if (!platformMatches(want, have)) {
      throw new Error(
        indexDigest
          ? `${where}: the index lists ${formatPlatform(want)} but its config says ${formatPlatform(have)}`
          : `${where} is a single-platform image for ${formatPlatform(have)}, not ${formatPlatform(want)}; use an image (or tag) published for ${formatPlatform(want)}`
      )
    }
    return {
      given,
      ref,
      platform: platform ?? have,
      endpoint: manifest.endpoint,
      ...(indexDigest ? { indexDigest } : {}),
      verifiedBy: top.verifiedBy,
      manifest: {
        mediaType: manifest.mediaType,
        digest: manifest.digest,
        size: manifest.body.length
      },
      manifestBytes: manifest.body,
      config,
      configBytes,
      layers
    }
  }

  const archives: ArchiveFile[] = []
  try {
    // Manifests and configs for every image; all failures are reported together.
    const settled = await Promise.allSettled(refs.map(({ given, ref }) => resolveOne(given, ref)))
    const failures = settled.flatMap(s =>
      s.status === 'rejected' ? [describeError(s.reason)] : []
    )
    if (failures.length > 0) throw new Error(failures.join('\n'))
    const resolved = settled.map(s => (s as PromiseFulfilledResult<Resolved>).value)

    // Plan the archive(s): every blob gets its place before a byte of it is fetched.
    const mtime = options.mtime ?? archiveMtime()
    const archiveOf = new Map<Resolved, ArchiveFile>()
    if (options.perImage) {
      await mkdir(output, { recursive: true })
      for (const r of resolved) {
        const file = await ArchiveFile.create(
          join(output, archiveFileName(r.ref)),
          [toArchive(r)],
          mtime
        )
        archives.push(file)
        archiveOf.set(r, file)
      }
    } else {
      await mkdir(dirname(output), { recursive: true })
      const file = await ArchiveFile.create(output, resolved.map(toArchive), mtime)
      archives.push(file)
      for (const r of resolved) archiveOf.set(r, file)
    }

    // Each unique blob once, into every archive place that wants it.
    interface Job {
      image: Resolved
      desc: Descriptor
      bytes?: Buffer
      targets: BlobTarget[]
    }
    const jobs = new Map<string, Job>()
    for (const r of resolved) {
      const file = archiveOf.get(r)
      if (!file) continue
      const blobs: Array<[Descriptor, Buffer | undefined]> = [
        [r.manifest, r.manifestBytes],
        [r.config, r.configBytes],
        ...r.layers.map((l): [Descriptor, undefined] => [l, undefined])
      ]
      for (const [desc, bytes] of blobs) {
        const job = jobs.get(desc.digest) ?? {
          image: r,
          desc,
          ...(bytes ? { bytes } : {}),
          targets: []
        }
        if (!job.targets.some(t => t.handle === file.handle)) {
          job.targets.push({ handle: file.handle, offset: file.slot(desc.digest) })
        }
        jobs.set(desc.digest, job)
      }
    }
    total = [...jobs.values()].filter(j => !j.bytes).reduce((n, j) => n + j.desc.size, 0)
    // Largest first: the long transfers start early and the run ends evenly.
    const ordered = [...jobs.values()].sort((a, b) => b.desc.size - a.desc.size)
    await Promise.all(
      ordered.map(job =>
        run(() =>
          job.bytes
            ? fetcher.deliverBytes(job.desc, job.bytes, job.targets)
            : fetcher.deliver(
                job.desc,
                job.targets,
                source(job.image.ref, job.image.endpoint, job.desc.digest),
                `image "${job.image.given}"`
              )
        )
      )
    )

    let bytes = 0
    for (const file of archives) bytes += await file.finish()
    archives.length = 0

    const images: ImageReport[] = resolved.map(r => ({
      reference: r.given,
      name: toArchive(r).name,
      platform: formatPlatform(r.platform),
      indexDigest: r.indexDigest ?? null,
      manifestDigest: r.manifest.digest,
      configDigest: r.config.digest,
      size: [r.manifest, r.config, ...r.layers].reduce((n, b) => n + b.size, 0),
      layers: r.layers.length,
      archive: archiveOf.get(r)?.target ?? output,
      verifiedBy: r.verifiedBy
    }))
    await mkdir(dirname(imagesJson), { recursive: true })
    const tempJson = temporaryPath(imagesJson)
    await writeFile(tempJson, `${JSON.stringify(images, null, 2)}\n`)
    await rename(tempJson, imagesJson)
    return {
      output,
      archives: [...new Set(images.map(i => i.archive))],
      imagesJson,
      images,
      bytes,
      uniqueBlobBytes: [...jobs.values()].reduce((n, j) => n + j.desc.size, 0),
      stats: { ...fetcher.stats }
    }
  } finally {
    await Promise.all(archives.map(a => a.abort()))
    await fetcher.cleanup()
  }
}

function toArchive(r: Resolved): ArchiveImage {
  return {
    name: formatReference({
      registry: r.ref.registry,
      repository: r.ref.repository,
      ...(r.ref.tag ? { tag: r.ref.tag } : { digest: r.ref.digest })
    }),
    ...(r.ref.tag ? { tag: r.ref.tag } : {}),
    platform: r.platform,
    manifest: r.manifest,
    config: r.config,
    layers: r.layers,
    ...(r.indexDigest ? { indexDigest: r.indexDigest } : {})
  }
}
