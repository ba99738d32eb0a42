/**
 * fetchImages: references in; per platform one deterministic archive (or one per image)
 * and an images.json report out. Every reference, platform and output path is checked
 * before any network call. Manifests and configs of every image and platform are resolved
 * first (resolve.ts: each image's index once for all platforms, revalidated by HEAD when
 * the cache holds it); then, per platform, the archive layout is planned and each unique
 * blob is fetched once, in parallel, straight into its place in the archive's temporary
 * file (and into the cache, when there is one). An archive is renamed into place only when
 * every blob is in and verified; when a later platform fails, the earlier ones' outputs of
 * this run are removed again.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import {
  ArchiveFile,
  archiveMtime,
  reportPathFor,
  temporaryPath,
  type ArchiveImage
} from './archive.js'
import type { ArchivedImage } from './archive-read.js'
import { BlobFetcher, type BlobSource, type BlobStats, type BlobTarget } from './blobs.js'
import { RegistryClient, type ClientOptions, type Endpoint, type ManifestCheck } from './client.js'
import { DOCKER_MANIFEST, ociTwinOfDocker } from './convert.js'
import { describeError } from './errors.js'
import { discard } from './http.js'
import { limiter } from './limit.js'
import { silentLogger, type Logger } from './log.js'
import { checkOutputPath } from './output.js'
import { formatPlatform, parsePlatform, type Platform } from './platform.js'
import type { RateLimitInfo } from './ratelimit.js'
import {
  archiveFileName,
  formatReference,
  parseReference,
  ReferenceError,
  type ImageReference
} from './reference.js'
import { ManifestResolver, type Descriptor, type Resolved } from './resolve.js'

export interface FetchImagesOptions {
  /** References as users write them. */
  images: string[]
  /**
   * e.g. linux/arm64. Several, comma-separated (`linux/amd64,linux/arm64`), give one
   * archive per platform, named by platformOutput().
   */
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
  /** Called as blob bytes arrive: (fetched so far, bytes the platform's archive needs). */
  onProgress?: (fetched: number, total: number) => void
  /** Entry mtime; default SOURCE_DATE_EPOCH or 0. */
  mtime?: Date
}
/**
 * One line of images.json: what the archive holds of the image (its name, platform,
 * digests and size, as archive-read.ts reads them back; `indexDigest` is null for a
 * single-platform image), and how it was fetched.
 */
export interface ImageReport extends ArchivedImage {
  /** As given. */
  reference: string
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
  /** Per platform, in the order given: where its archive(s) and images.json went. */
  platforms: PlatformOutput[]
  /** The last rate-limit headers each registry host sent (Docker Hub's remaining pulls). */
  rateLimits: RateLimitInfo[]
}

export interface PlatformOutput {
  /** As given, e.g. linux/arm64 */
  platform: string
  /** The archive, or the directory with perImage. */
  output: string
  imagesJson: string
  archives: string[]
}

/** A platform as a file-name part: linux/arm/v7 -> linux-arm-v7. */
export function platformSlug(platform: string): string {
  return platform.trim().replace(/\//g, '-')
}

/**
 * Where one platform's output goes. One platform: `output` and `imagesJson` as given
 * (`<archive>.images.json` beside the archive by default, so two archives in one directory
 * never share a report). Several: the platform goes into the names:
 * `images/edge.tar` -> `images/edge-linux-arm64.tar` with `images/edge-linux-arm64.tar.images.json`;
 * with perImage, `images/` -> `images/linux-arm64/` holding the tars and images.json; a
 * given images-json `meta/images.json` -> `meta/images-linux-arm64.json`.
 */
export function platformOutput(
  options: Pick<FetchImagesOptions, 'output' | 'imagesJson' | 'perImage'>,
  platform: string,
  several: boolean
): { output: string; imagesJson: string } {
  const output = resolve(options.output)
  const slug = platformSlug(platform)
  const withSlug = (path: string, ext: string): string =>
    path.endsWith(ext) ? `${path.slice(0, -ext.length)}-${slug}${ext}` : `${path}-${slug}`
  const out = !several ? output : options.perImage ? join(output, slug) : withSlug(output, '.tar')
  const json = options.imagesJson
    ? several
      ? withSlug(resolve(options.imagesJson), '.json')
      : resolve(options.imagesJson)
    : options.perImage
      ? join(out, 'images.json')
      : reportPathFor(out)
  return { output: out, imagesJson: json }
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

/** The references, parsed; every bad one is reported together, before any request. */
function parseRefs(images: string[]): Array<{ given: string; ref: ImageReference }> {
  if (images.length === 0) throw new Error('no images given')
  const errors: string[] = []
  const refs: Array<{ given: string; ref: ImageReference }> = []
  const byName = new Set<string>()
  for (const given of images) {
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
  return refs
}

/** The platforms asked for, parsed, each once, in order. */
function parsePlatforms(input: string): Array<{ given: string; want: Platform }> {
  const seen = new Set<string>()
  const list: Array<{ given: string; want: Platform }> = []
  for (const given of input.split(',').map(p => p.trim())) {
    if (!given && input.trim()) continue
    const want = parsePlatform(given)
    const key = formatPlatform(want)
    if (!seen.has(key)) {
      seen.add(key)
      list.push({ given, want })
    }
  }
  return list
}

/** Blob requests: the endpoint that served the manifest first, then the others. */
function blobSources(client: RegistryClient, logger: Logger) {
  return (ref: ImageReference, preferred: Endpoint, digest: string): BlobSource => {
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
}

interface PlatformPlan {
  given: string
  want: Platform
  output: string
  imagesJson: string
}

interface RunContext {
  options: FetchImagesOptions
  logger: Logger
  client: RegistryClient
  source: ReturnType<typeof blobSources>
  run: <T>(task: () => Promise<T>) => Promise<T>
}

export async function fetchImages(options: FetchImagesOptions): Promise<FetchImagesResult> {
  const logger = options.logger ?? silentLogger
  // Everything the user gave is checked before the first request.
  const platforms = parsePlatforms(options.platform)
  const refs = parseRefs(options.images)
  const several = platforms.length > 1
  const plans: PlatformPlan[] = platforms.map(p => ({
    ...p,
    ...platformOutput(options, p.given, several)
  }))
  for (const plan of plans) {
    await checkOutputPath(
      'output',
      several ? plan.output : options.output,
      options.perImage ? 'directory' : 'file'
    )
    await checkOutputPath(
      'images-json',
      options.imagesJson && !several ? options.imagesJson : plan.imagesJson,
      'file'
    )
  }
  const run = limiter(options.concurrency ?? 8)
  const client = new RegistryClient({ ...options.client, logger })
  const source = blobSources(client, logger)
  const ctx: RunContext = { options, logger, client, source, run }
  const cacheDir = options.cacheDir ? resolve(options.cacheDir) : undefined
  const store = new BlobFetcher(cacheDir, client.retry)
  const resolver = new ManifestResolver({ client, store, logger, source, run })
  const done: Array<FetchImagesResult & { plan: PlatformPlan }> = []
  try {
    // Manifests and configs for every image and platform; all failures reported together.
    const settled = await Promise.allSettled(
      plans.flatMap(plan => refs.map(({ given, ref }) => resolver.resolve(given, ref, plan.want)))
    )
    const failures = settled.flatMap(s =>
      s.status === 'rejected' ? [describeError(s.reason)] : []
    )
    if (failures.length > 0) throw new Error([...new Set(failures)].join('\n'))
    const resolved = settled.map(s => (s as PromiseFulfilledResult<Resolved>).value)
    for (const [i, plan] of plans.entries()) {
      const mine = resolved.slice(i * refs.length, (i + 1) * refs.length)
      done.push({ ...(await fetchPlatform(ctx, plan, mine, cacheDir)), plan })
    }
  } catch (err) {
    // A later platform failed: the earlier outputs of this run go too.
    for (const r of done) {
      for (const file of [...r.archives, r.imagesJson]) await rm(file, { force: true })
    }
    throw err
  } finally {
    await store.cleanup()
  }
  return combine(options, done, store.stats, client.rateLimits())
}

function combine(
  options: FetchImagesOptions,
  done: Array<FetchImagesResult & { plan: PlatformPlan }>,
  /** Configs (and manifests) fetched while resolving. */
  resolving: BlobStats,
  rateLimits: RateLimitInfo[]
): FetchImagesResult {
  const first = done[0]
  if (!first) throw new Error('no platform given')
  const sum = (f: (r: Pick<FetchImagesResult, 'stats' | 'bytes' | 'uniqueBlobBytes'>) => number) =>
    done.reduce((n, r) => n + f(r), 0)
  const stat = (key: keyof BlobStats) => sum(r => r.stats[key]) + resolving[key]
  return {
    output: done.length > 1 ? resolve(options.output) : first.output,
    archives: done.flatMap(r => r.archives),
    imagesJson: first.imagesJson,
    images: done.flatMap(r => r.images),
    bytes: sum(r => r.bytes),
    uniqueBlobBytes: sum(r => r.uniqueBlobBytes),
    stats: {
      bytesFetched: stat('bytesFetched'),
      requests: stat('requests'),
      reused: stat('reused'),
      fetched: stat('fetched')
    },
    platforms: done.map(r => ({
      platform: r.plan.given,
      output: r.output,
      imagesJson: r.imagesJson,
      archives: r.archives
    })),
    rateLimits
  }
}

interface Job {
  image: Resolved
  desc: Descriptor
  bytes?: Buffer
  targets: BlobTarget[]
}

/** Each unique blob once, with every archive place that wants it. */
function planJobs(resolved: Resolved[], archiveOf: Map<Resolved, ArchiveFile>): Job[] {
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
  // Largest first: the long transfers start early and the run ends evenly.
  return [...jobs.values()].sort((a, b) => b.desc.size - a.desc.size)
}

/** Plans the archive(s) of one platform: every blob gets its place before a byte is fetched. */
async function createArchives(
  ctx: RunContext,
  plan: PlatformPlan,
  resolved: Resolved[],
  archives: ArchiveFile[]
): Promise<Map<Resolved, ArchiveFile>> {
  const mtime = ctx.options.mtime ?? archiveMtime()
  const archiveOf = new Map<Resolved, ArchiveFile>()
  if (ctx.options.perImage) {
    await mkdir(plan.output, { recursive: true })
    for (const r of resolved) {
      const file = await ArchiveFile.create(
        join(plan.output, archiveFileName(r.ref)),
        [toArchive(r)],
        mtime
      )
      archives.push(file)
      archiveOf.set(r, file)
    }
  } else {
    await mkdir(dirname(plan.output), { recursive: true })
    const file = await ArchiveFile.create(plan.output, resolved.map(toArchive), mtime)
    archives.push(file)
    for (const r of resolved) archiveOf.set(r, file)
  }
  return archiveOf
}

/** One platform: plan, fetch every blob into place, finish the archive(s), write images.json. */
async function fetchPlatform(
  ctx: RunContext,
  plan: PlatformPlan,
  resolved: Resolved[],
  cacheDir: string | undefined
): Promise<FetchImagesResult> {
  let fetched = 0
  let total = 0
  const fetcher = new BlobFetcher(cacheDir, ctx.client.retry, n => {
    fetched += n
    ctx.options.onProgress?.(fetched, total)
  })
  const archives: ArchiveFile[] = []
  try {
    const archiveOf = await createArchives(ctx, plan, resolved, archives)
    const jobs = planJobs(resolved, archiveOf)
    total = jobs.filter(j => !j.bytes).reduce((n, j) => n + j.desc.size, 0)
    await Promise.all(
      jobs.map(job =>
        ctx.run(() =>
          job.bytes
            ? fetcher.deliverBytes(job.desc, job.bytes, job.targets)
            : fetcher.deliver(
                job.desc,
                job.targets,
                ctx.source(job.image.ref, job.image.endpoint, job.desc.digest),
                `image "${job.image.given}"`
              )
        )
      )
    )
    let bytes = 0
    for (const file of archives) bytes += await file.finish()
    archives.length = 0
    const images = resolved.map(r => report(r, archiveOf.get(r)?.target ?? plan.output))
    await mkdir(dirname(plan.imagesJson), { recursive: true })
    const tempJson = temporaryPath(plan.imagesJson)
    await writeFile(tempJson, `${JSON.stringify(images, null, 2)}\n`)
    await rename(tempJson, plan.imagesJson)
    return {
      output: plan.output,
      archives: [...new Set(images.map(i => i.archive))],
      imagesJson: plan.imagesJson,
      images,
      bytes,
      uniqueBlobBytes: jobs.reduce((n, j) => n + j.desc.size, 0),
      stats: { ...fetcher.stats },
      platforms: [],
      rateLimits: []
    }
  } finally {
    await Promise.all(archives.map(a => a.abort()))
    await fetcher.cleanup()
  }
}

function report(r: Resolved, archive: string): ImageReport {
  return {
    reference: r.given,
    name: toArchive(r).name,
    platform: formatPlatform(r.platform),
    indexDigest: r.indexDigest ?? null,
    manifestDigest: r.manifest.digest,
    configDigest: r.config.digest,
    size: [r.manifest, r.config, ...r.layers].reduce((n, b) => n + b.size, 0),
    layers: r.layers.length,
    archive,
    verifiedBy: r.verifiedBy
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
    ...(r.indexDigest ? { indexDigest: r.indexDigest } : {}),
    // skopeo's and umoci's OCI transports skip Docker-typed entries: store an OCI twin too.
    ...(r.manifest.mediaType === DOCKER_MANIFEST
      ? { ociTwin: ociTwinOfDocker(r.manifestBytes, `image "${r.given}"`) }
      : {})
  }
}
