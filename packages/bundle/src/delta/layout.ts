/**
 * Reading a kedge images archive (an uncompressed ustar holding an OCI image layout) by
 * offsets: where each entry's header and data sit, index.json, and each platform manifest.
 * kedge's archive writer (@kedge/oci) writes plain ustar entries (no pax or GNU headers), so
 * an entry is a 512-byte header and its data padded to 512 bytes. That lets a delta copy the
 * kept entries byte for byte, headers included, without re-packing.
 */
import { createHash } from 'node:crypto'
import { open, type FileHandle } from 'node:fs/promises'
import { BLOCK } from '@kedge/oci'

export interface TarSpan {
  name: string
  /** Offset of the 512-byte header. */
  header: number
  /** Offset of the data. */
  data: number
  size: number
  /** Offset just past the padded data. */
  end: number
}

export interface LayoutManifest {
  /** io.containerd.image.name of the index entry (the full normalized reference). */
  name: string
  digest: string
  size: number
  config: { digest: string; size: number }
  layers: Array<{ digest: string; size: number }>
}

export interface ImagesLayout {
  file: string
  spans: Map<string, TarSpan>
  manifests: LayoutManifest[]
  /** Manifests only index.oci.json lists: the OCI twins of Docker images (small, kept). */
  twins: string[]
}

const IMAGE_NAME = 'io.containerd.image.name'

function field(block: Buffer, offset: number, length: number): string {
  const raw = block.subarray(offset, offset + length)
  const nul = raw.indexOf(0)
  return raw.subarray(0, nul < 0 ? raw.length : nul).toString('utf8')
}

/**
 * The key of a symlink's span: kedge's archive ends with the link index.json ->
 * index.oci.json (@kedge/oci archive.ts), which must not shadow the regular index.json that
 * containerd reads. A delta copies it like any other entry.
 */
export const symlinkKey = (name: string): string => `symlink:${name}`

/** Every entry of an uncompressed ustar file, by name; refuses what kedge does not write. */
export async function readTarSpans(file: string): Promise<Map<string, TarSpan>> {
  const spans = new Map<string, TarSpan>()
  const fh = await open(file, 'r')
  try {
    const total = (await fh.stat()).size
    const block = Buffer.alloc(BLOCK)
    let offset = 0
    while (offset + BLOCK <= total) {
      await fh.read(block, 0, BLOCK, offset)
      if (block.every(b => b === 0)) break
      const prefix = field(block, 345, 155)
      const name = prefix ? `${prefix}/${field(block, 0, 100)}` : field(block, 0, 100)
      const type = String.fromCharCode(block[156] ?? 0)
      const size = parseInt(field(block, 124, 12).trim() || '0', 8)
      if (!['0', '\0', '5', '2'].includes(type) || !Number.isFinite(size)) {
        throw new Error(
          `${file}: entry "${name}" is not a plain file or directory (tar type "${type}"): not an images archive kedge wrote; rebuild the full bundle with kedge`
        )
      }
      const end = offset + BLOCK + Math.ceil(size / BLOCK) * BLOCK
      if (end > total) throw new Error(`${file}: truncated at entry "${name}"; copy it again`)
      const key = type === '2' ? symlinkKey(name) : name
      spans.set(key, { name, header: offset, data: offset + BLOCK, size, end })
      offset = end
    }
  } finally {
    await fh.close()
  }
  return spans
}

/** The bytes of one entry. */
export async function readSpan(fh: FileHandle, span: TarSpan): Promise<Buffer> {
  const buf = Buffer.alloc(span.size)
  await fh.read(buf, 0, span.size, span.data)
  return buf
}

export function blobEntry(digest: string): string {
  return `blobs/sha256/${digest.slice('sha256:'.length)}`
}

export function sha256Of(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`
}

/** Parses an image manifest's config and layers; `what` names it in errors. */
export function parseManifest(
  body: Buffer,
  what: string
): Pick<LayoutManifest, 'config' | 'layers'> {
  const doc = JSON.parse(body.toString('utf8')) as {
    config?: { digest?: string; size?: number }
    layers?: Array<{ digest?: string; size?: number }>
  }
  if (!doc.config?.digest || !Array.isArray(doc.layers)) {
    throw new Error(`${what} is not an image manifest (no config or layers)`)
  }
  return {
    config: { digest: doc.config.digest, size: doc.config.size ?? 0 },
    layers: doc.layers.map((l, i) => {
      if (!l.digest) throw new Error(`${what}: layer ${i} has no digest`)
      return { digest: l.digest, size: l.size ?? 0 }
    })
  }
}

/** index.json and every platform manifest of an images archive. */
export async function readImagesLayout(file: string): Promise<ImagesLayout> {
  const spans = await readTarSpans(file)
  const indexSpan = spans.get('index.json')
  if (!spans.has('oci-layout') || !indexSpan) {
    throw new Error(
      `${file} holds no OCI image layout (oci-layout, index.json): not a kedge images archive`
    )
  }
  const fh = await open(file, 'r')
  try {
    const index = JSON.parse((await readSpan(fh, indexSpan)).toString('utf8')) as {
      manifests?: Array<{ digest: string; size: number; annotations?: Record<string, string> }>
    }
    const manifests: LayoutManifest[] = []
    for (const m of index.manifests ?? []) {
      const span = spans.get(blobEntry(m.digest))
      if (!span) throw new Error(`${file}: index.json lists ${m.digest}, which it does not hold`)
      const body = await readSpan(fh, span)
      if (sha256Of(body) !== m.digest)
        throw new Error(`${file}: blob ${m.digest} does not match its digest`)
      manifests.push({
        name: m.annotations?.[IMAGE_NAME] ?? m.digest,
        digest: m.digest,
        size: m.size,
        ...parseManifest(body, `${file}: manifest ${m.digest}`)
      })
    }
    const ociSpan = spans.get('index.oci.json')
    const oci = ociSpan
      ? (JSON.parse((await readSpan(fh, ociSpan)).toString('utf8')) as {
          manifests?: Array<{ digest: string }>
        })
      : {}
    const listed = new Set(manifests.map(m => m.digest))
    const twins = (oci.manifests ?? []).map(m => m.digest).filter(d => !listed.has(d))
    return { file, spans, manifests, twins }
  } finally {
    await fh.close()
  }
}

/** Reads one blob of the archive when it holds it (verified), else undefined. */
export async function readLayoutBlob(
  layout: ImagesLayout,
  digest: string
): Promise<Buffer | undefined> {
  const span = layout.spans.get(blobEntry(digest))
  if (!span) return undefined
  const fh = await open(layout.file, 'r')
  try {
    const body = await readSpan(fh, span)
    if (sha256Of(body) !== digest)
      throw new Error(`${layout.file}: blob ${digest} does not match its digest`)
    return body
  } finally {
    await fh.close()
  }
}
