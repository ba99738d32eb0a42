/**
 * Resolving an image for a platform: its top manifest (an index or a single manifest),
 * the platform manifest chosen from the index, and the config. Counted requests are kept
 * to a minimum, because Docker Hub counts manifest GETs as pulls:
 *  - the top manifest is fetched once per image and run, for every platform the run needs;
 *  - with a blob cache, a tag is revalidated with HEAD (not counted): when the cache holds
 *    the manifest with the Docker-Content-Digest the registry names, no GET is sent;
 *  - platform manifests are taken from the cache by the digest the index gives;
 *  - indexes are kept in the cache, so the next run finds them.
 * Every manifest is checked: by the digest it was asked for or chosen by, or by the
 * Docker-Content-Digest header (`verifiedBy` says which; `none` when a tag came without it).
 */
import { BlobFetcher, type BlobSource } from './blobs.js'
import { MANIFEST_TYPES, RegistryClient, type Endpoint, type FetchedManifest } from './client.js'
import type { Logger } from './log.js'
import {
  formatPlatform,
  normalizePlatform,
  offeredPlatforms,
  platformMatches,
  selectManifest,
  type IndexEntry,
  type Platform
} from './platform.js'
import { formatReference, manifestReference, type ImageReference } from './reference.js'

export interface Descriptor {
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

/** One image, resolved for one platform. */
export interface Resolved {
  given: string
  ref: ImageReference
  platform: Platform
  endpoint: Endpoint
  indexDigest?: string
  verifiedBy: FetchedManifest['verifiedBy']
  manifest: { mediaType: string; digest: string; size: number }
  manifestBytes: Buffer
  config: Descriptor
  configBytes: Buffer
  layers: Descriptor[]
}

const INDEX_TYPES = new Set<string>([MANIFEST_TYPES.ociIndex, MANIFEST_TYPES.dockerList])
const DIGEST = /^sha256:[a-f0-9]{64}$/
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024

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

function mediaTypeOf(body: Buffer, fallback: string): string {
  try {
    return (JSON.parse(body.toString('utf8')) as { mediaType?: string }).mediaType ?? fallback
  } catch {
    return fallback
  }
}

export interface ResolverContext {
  client: RegistryClient
  /** Reads and keeps manifests in the blob cache (when there is one). */
  store: BlobFetcher
  logger: Logger
  /** The blob source for a digest, the endpoint that served the manifest first. */
  source: (ref: ImageReference, preferred: Endpoint, digest: string) => BlobSource
  /** Runs a task within the run's concurrency. */
  run: <T>(task: () => Promise<T>) => Promise<T>
}

/** Fetches top manifests once per image for a whole run, revalidating cached ones by HEAD. */
export class ManifestResolver {
  private readonly tops = new Map<string, Promise<FetchedManifest>>()

  constructor(private readonly ctx: ResolverContext) {}

  /** The image's top manifest (an index or its only manifest), once per run. */
  top(ref: ImageReference): Promise<FetchedManifest> {
    const key = formatReference(ref)
    let got = this.tops.get(key)
    if (!got) {
      got = this.fetchTop(ref)
      this.tops.set(key, got)
    }
    return got
  }

  private async fetchTop(ref: ImageReference): Promise<FetchedManifest> {
    const { client, store } = this.ctx
    const reference = manifestReference(ref)
    if (store.cacheDir) {
      const head = await client.headManifest(ref, reference)
      if (
        head &&
        head.size <= MAX_MANIFEST_BYTES &&
        (ref.digest === undefined || head.digest === ref.digest)
      ) {
        const body = await store.readCached({ digest: head.digest, size: head.size })
        if (body) {
          return {
            endpoint: head.endpoint,
            url: head.url,
            digest: head.digest,
            mediaType: mediaTypeOf(body, head.mediaType),
            body,
            verifiedBy: ref.digest ? 'digest' : 'docker-content-digest'
          }
        }
      }
    }
    const got = await client.getManifest(ref, reference)
    if (got.verifiedBy === 'none') {
      this.ctx.logger.warn(
        `${formatReference(ref)}: ${ref.registry} sent no Docker-Content-Digest for tag ${ref.tag ?? ''}, so its manifest cannot be checked; pin the image by digest to check it (images.json says verifiedBy: none)`
      )
    }
    await store.storeBytes({ digest: got.digest, size: got.body.length }, got.body)
    return got
  }

  /** A platform manifest by the digest its index entry gives: from the cache, else fetched. */
  async byDigest(ref: ImageReference, entry: IndexEntry): Promise<FetchedManifest> {
    const { client, store } = this.ctx
    if (entry.size <= MAX_MANIFEST_BYTES) {
      const body = await store.readCached({ digest: entry.digest, size: entry.size })
      if (body) {
        const top = await this.top(ref)
        return {
          endpoint: top.endpoint,
          url: top.url,
          digest: entry.digest,
          mediaType: mediaTypeOf(body, entry.mediaType),
          body,
          verifiedBy: 'digest'
        }
      }
    }
    return client.getManifest(ref, entry.digest)
  }

  /** Resolves one image for one platform: manifests and config, checked. */
  async resolve(given: string, ref: ImageReference, want: Platform): Promise<Resolved> {
    const where = `image "${given}"`
    const top = await this.top(ref)
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
      checkDescriptor(entry, 'platform manifest', where)
      manifest = await this.byDigest(ref, entry)
      doc = parseManifest(manifest.body, where)
      if (INDEX_TYPES.has(manifest.mediaType) || Array.isArray(doc.manifests)) {
        throw new Error(
          `${where}: the index points at another index; nested indexes are not supported`
        )
      }
    }
    const config = checkDescriptor(doc.config, 'config', where)
    const layers = (doc.layers ?? []).map((l, i) => checkDescriptor(l, `layer ${i}`, where))
    const configBytes = await this.ctx.run(() =>
      this.ctx.store.fetchBytes(
        config,
        this.ctx.source(ref, manifest.endpoint, config.digest),
        where
      )
    )
    const have = configPlatform(configBytes, config.digest, where)
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
}

function configPlatform(bytes: Buffer, digest: string, where: string): Platform {
  let cfg: Partial<Platform>
  try {
    cfg = JSON.parse(bytes.toString('utf8')) as Partial<Platform>
  } catch {
    throw new Error(`${where}: its config ${digest} is not JSON`)
  }
  return normalizePlatform({
    os: cfg.os ?? '',
    architecture: cfg.architecture ?? '',
    ...(cfg.variant ? { variant: cfg.variant } : {})
  })
}
