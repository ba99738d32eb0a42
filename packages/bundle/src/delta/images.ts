/**
 * The image half of a delta: which blobs the base bundle already carried (by digest), and
 * the delta's images archive, which is the full archive minus those layers.
 *
 * The base's blobs are its images' manifests, configs and layers. bundle.json lists each
 * image's manifest and config digest; the layers are read from the manifest, which is taken
 * from the new archive when it holds it (an unchanged image) or else fetched by digest from
 * the registry (immutable, verified against the digest).
 *
 * The delta archive keeps oci-layout, index.json, every manifest and config (small) and the
 * layers the base lacks; it drops the Docker manifest.json and repositories, whose layer
 * files would be missing. containerd imports such an archive when the absent layers are in
 * its content store already (docs/upstream-facts.md, section 14).
 */
import { open, rename, rm } from 'node:fs/promises'
import {
  parseMirrors,
  parseReference,
  RegistryClient,
  temporaryPath,
  type ClientOptions
} from '@kedge/oci'
import type { BundleJson } from './base.js'
import {
  blobEntry,
  parseManifest,
  readLayoutBlob,
  sha256Of,
  type ImagesLayout,
  type TarSpan
} from './layout.js'

/** Fetches a manifest by digest: the image's normalized name and the manifest digest. */
export type ManifestSource = (name: string, digest: string) => Promise<Buffer>

/** The registry, as the base bundle's spec reached it (mirrors, insecure hosts), plus `client`. */
export function registryManifestSource(
  base: BundleJson,
  client: ClientOptions = {}
): ManifestSource {
  const spec = base.spec as
    | { registry?: { mirrors?: string[]; insecure?: string[]; fallbackToOrigin?: boolean } }
    | undefined
  const registry = spec?.registry ?? {}
  const rc = new RegistryClient({
    ...client,
    ...(registry.fallbackToOrigin === false ? { fallbackToOrigin: false } : {}),
    mirrors: new Map([
      ...parseMirrors((registry.mirrors ?? []).join('\n')),
      ...(client.mirrors ?? new Map<string, string[]>())
    ]),
    insecure: [...(registry.insecure ?? []), ...(client.insecure ?? [])]
  })
  return async (name, digest) => (await rc.getManifest(parseReference(name), digest)).body
}

/** Every blob digest the base bundle's images archive held. */
export async function baseBlobs(
  base: BundleJson,
  layout: ImagesLayout,
  fetchManifest: ManifestSource
): Promise<Set<string>> {
  const blobs = new Set<string>()
  for (const image of base.images) {
    blobs.add(image.manifestDigest)
    blobs.add(image.configDigest)
    let body = await readLayoutBlob(layout, image.manifestDigest)
    if (!body) {
      try {
        body = await fetchManifest(image.name, image.manifestDigest)
      } catch (err) {
        throw new Error(
          `base image ${image.name}@${image.manifestDigest}: cannot read its manifest to learn its layers (${err instanceof Error ? err.message : String(err)}); the delta needs the registry the base was built from`,
          { cause: err }
        )
      }
      if (sha256Of(body) !== image.manifestDigest) {
        throw new Error(
          `base image ${image.name}: the registry served a manifest that does not match ${image.manifestDigest}`
        )
      }
    }
    const { layers } = parseManifest(body, `base image ${image.name}@${image.manifestDigest}`)
    for (const l of layers) blobs.add(l.digest)
  }
  return blobs
}

export interface DeltaImagesPlan {
  /** Layers left out: the base has them. */
  omitted: Array<{ digest: string; size: number }>
  /** Blobs the delta carries. */
  kept: Array<{ digest: string; size: number }>
}

/** Which layers of `layout` the base already has. Manifests and configs are always kept. */
export function planDeltaImages(layout: ImagesLayout, base: Set<string>): DeltaImagesPlan {
  const layers = new Map<string, number>()
  const small = new Map<string, number>()
  for (const m of layout.manifests) {
    small.set(m.digest, m.size)
    small.set(m.config.digest, m.config.size)
    for (const l of m.layers) layers.set(l.digest, l.size)
  }
  const omitted: DeltaImagesPlan['omitted'] = []
  const kept: DeltaImagesPlan['kept'] = [...small].map(([digest, size]) => ({ digest, size }))
  for (const [digest, size] of layers) {
    if (small.has(digest)) continue
    if (base.has(digest)) omitted.push({ digest, size })
    else kept.push({ digest, size })
  }
  const byDigest = (a: { digest: string }, b: { digest: string }): number =>
    a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0
  return { omitted: omitted.sort(byDigest), kept: kept.sort(byDigest) }
}

const DROPPED = new Set(['manifest.json', 'repositories'])

/**
 * Writes the delta images archive: the full archive's entries, byte for byte (headers
 * included), minus the omitted layers and the Docker files. Temporary name, then rename.
 */
export async function writeDeltaImages(
  layout: ImagesLayout,
  plan: DeltaImagesPlan,
  output: string
): Promise<number> {
  const omit = new Set(plan.omitted.map(o => blobEntry(o.digest)))
  const spans = [...layout.spans.values()]
    .filter(s => !omit.has(s.name) && !DROPPED.has(s.name))
    .sort((a, b) => a.header - b.header)
  const temp = temporaryPath(output)
  const src = await open(layout.file, 'r')
  const dst = await open(temp, 'w')
  try {
    let written = 0
    const buf = Buffer.alloc(1024 * 1024)
    const copy = async (span: TarSpan): Promise<void> => {
      for (let at = span.header; at < span.end;) {
        const n = Math.min(buf.length, span.end - at)
        const { bytesRead } = await src.read(buf, 0, n, at)
        if (bytesRead !== n) throw new Error(`${layout.file}: short read at ${at}`)
        await dst.write(buf, 0, n, written)
        written += n
        at += n
      }
    }
    for (const span of spans) await copy(span)
    // End of archive: two zero blocks.
    await dst.write(Buffer.alloc(1024), 0, 1024, written)
    written += 1024
    await dst.close()
    await rename(temp, output)
    return written
  } catch (err) {
    await dst.close().catch(() => undefined)
    await rm(temp, { force: true })
    throw err
  } finally {
    await src.close()
  }
}
