/**
 * Reads an image archive back: which images it holds, for which platform, with which
 * digests, from the archive itself (index.json, each manifest and each image config), not
 * from a report beside it. Manifests and configs are checked against their digests and
 * every layer must be present at its size, so a truncated or mislabelled archive is an
 * error naming the image. Reads the tar headers only, then the few small JSON blobs.
 */
import { createHash } from 'node:crypto'
import { open, type FileHandle } from 'node:fs/promises'
import { ANNOTATIONS } from './archive.js'
import { formatPlatform, normalizePlatform } from './platform.js'

/** One image as the archive holds it (the shape of an images.json line, from the archive). */
export interface ArchivedImage {
  /** Full normalized reference: docker.io/kubeedge/cloudcore:v1.22.0 */
  name: string
  /** From the image config: linux/arm64/v8 */
  platform: string
  indexDigest: string | null
  manifestDigest: string
  configDigest: string
  /** Compressed bytes: manifest, config and layers, as stored. */
  size: number
  layers: number
}

interface Member {
  offset: number
  size: number
}

interface Descriptor {
  mediaType?: string
  digest: string
  size: number
  annotations?: Record<string, string>
  platform?: { os?: string; architecture?: string; variant?: string }
}

const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json'
])

function field(block: Buffer, start: number, length: number): string {
  const raw = block.subarray(start, start + length)
  const end = raw.indexOf(0)
  return raw.subarray(0, end < 0 ? raw.length : end).toString('utf8')
}

function paxPath(data: Buffer): string | undefined {
  for (const record of data.toString('utf8').split('\n')) {
    const match = /^\d+ path=(.*)$/.exec(record)
    if (match) return match[1]
  }
  return undefined
}

/** Every regular file of a tar (ustar, pax `path` and GNU long names), by normalized name. */
export async function listTar(handle: FileHandle, where: string): Promise<Map<string, Member>> {
  const members = new Map<string, Member>()
  const { size: total } = await handle.stat()
  const block = Buffer.alloc(512)
  let offset = 0
  let longName: string | undefined
  for (;;) {
    if (offset + 512 > total) {
      throw new Error(
        `${where}: the tar is truncated (no end-of-archive block after byte ${offset})`
      )
    }
    await handle.read(block, 0, 512, offset)
    if (block.every(b => b === 0)) break
    const size = parseInt(field(block, 124, 12).trim() || '0', 8)
    const type = field(block, 156, 1) || '0'
    const prefix = field(block, 345, 155)
    const data = offset + 512
    if (!Number.isFinite(size) || data + size > total) {
      throw new Error(`${where}: the tar is truncated or damaged at byte ${offset}`)
    }
    if (type === 'x' || type === 'L') {
      const body = Buffer.alloc(size)
      await handle.read(body, 0, size, data)
      longName = type === 'L' ? field(body, 0, size) : paxPath(body)
    } else {
      const name = longName ?? (prefix ? `${prefix}/${field(block, 0, 100)}` : field(block, 0, 100))
      longName = undefined
      if (type === '0' || type === '7')
        members.set(name.replace(/^(\.\/)+/, ''), { offset: data, size })
    }
    offset = data + Math.ceil(size / 512) * 512
  }
  return members
}

/** An archive opened for reading its JSON documents and blobs. */
class ArchiveReader {
  constructor(
    readonly where: string,
    private readonly handle: FileHandle,
    private readonly members: Map<string, Member>
  ) {}

  has(digest: string, size: number): boolean {
    return this.members.get(`blobs/sha256/${digest.slice('sha256:'.length)}`)?.size === size
  }

  async file(name: string, what: string): Promise<Buffer> {
    const member = this.members.get(name)
    if (!member) {
      throw new Error(
        `${this.where}: ${what} is missing (no ${name} in the tar); give the archive fetch-images wrote`
      )
    }
    const body = Buffer.alloc(member.size)
    await this.handle.read(body, 0, member.size, member.offset)
    return body
  }

  /** A blob, checked against its digest, parsed as JSON. */
  async json<T>(digest: string, what: string): Promise<T> {
    if (!/^sha256:[a-f0-9]{64}$/.test(digest)) {
      throw new Error(`${this.where}: ${what} has an unsupported digest "${digest}"`)
    }
    const body = await this.file(`blobs/sha256/${digest.slice(7)}`, what)
    const actual = `sha256:${createHash('sha256').update(body).digest('hex')}`
    if (actual !== digest) {
      throw new Error(`${this.where}: ${what} does not match its digest ${digest} (got ${actual})`)
    }
    return JSON.parse(body.toString('utf8')) as T
  }
}

/** The name an index.json entry gives its image: containerd's annotation, else a full ref.name. */
function entryName(entry: Descriptor): string | undefined {
  const a = entry.annotations ?? {}
  const ref = a[ANNOTATIONS.refName]
  return a[ANNOTATIONS.imageName] ?? (ref && /[/:@]/.test(ref) ? ref : undefined)
}

/** The platform manifests an entry stands for (itself, or the children of an index). */
async function manifestsOf(reader: ArchiveReader, entry: Descriptor, name: string) {
  if (!INDEX_TYPES.has(entry.mediaType ?? '')) return [entry]
  const index = await reader.json<{ manifests?: Descriptor[] }>(
    entry.digest,
    `the index of ${name}`
  )
  // A multi-platform index may hold only some of its children (containerd's export does that).
  return (index.manifests ?? []).filter(m => reader.has(m.digest, m.size))
}

async function readImage(
  reader: ArchiveReader,
  name: string,
  desc: Descriptor,
  indexDigest: string | null
): Promise<ArchivedImage> {
  const manifest = await reader.json<{ config?: Descriptor; layers?: Descriptor[] }>(
    desc.digest,
    `the manifest of ${name}`
  )
  if (!manifest.config) throw new Error(`${reader.where}: the manifest of ${name} has no config`)
  const config = await reader.json<{ os?: string; architecture?: string; variant?: string }>(
    manifest.config.digest,
    `the config of ${name}`
  )
  if (!config.os || !config.architecture) {
    throw new Error(`${reader.where}: the config of ${name} names no os/architecture`)
  }
  const layers = manifest.layers ?? []
  const absent = layers.filter(l => !reader.has(l.digest, l.size))
  if (absent.length > 0) {
    throw new Error(
      `${reader.where}: ${name} misses layers ${absent.map(l => l.digest).join(', ')}; fetch it again`
    )
  }
  const platform = normalizePlatform({
    os: config.os,
    architecture: config.architecture,
    ...(config.variant ? { variant: config.variant } : {})
  })
  return {
    name,
    platform: formatPlatform(platform),
    indexDigest,
    manifestDigest: desc.digest,
    configDigest: manifest.config.digest,
    size: [desc, manifest.config, ...layers].reduce((n, b) => n + b.size, 0),
    layers: layers.length
  }
}

/** The images an archive holds, sorted by name; each (name, manifest) once. */
export async function readArchiveImages(path: string): Promise<ArchivedImage[]> {
  const where = `images archive ${path}`
  const handle = await open(path, 'r').catch((err: unknown) => {
    const code = (err as NodeJS.ErrnoException).code ?? String(err)
    throw new Error(`${where}: cannot open it (${code})`, { cause: err })
  })
  try {
    const reader = new ArchiveReader(where, handle, await listTar(handle, where))
    const text = (await reader.file('index.json', 'index.json')).toString('utf8')
    let index: { manifests?: Descriptor[] }
    try {
      index = JSON.parse(text) as { manifests?: Descriptor[] }
    } catch (err) {
      throw new Error(`${where}: index.json is not JSON; give the archive fetch-images wrote`, {
        cause: err
      })
    }
    const seen = new Map<string, ArchivedImage>()
    for (const entry of index.manifests ?? []) {
      const name = entryName(entry)
      if (!name) continue
      const indexDigest = entry.annotations?.[ANNOTATIONS.indexDigest] ?? null
      for (const desc of await manifestsOf(reader, entry, name)) {
        const key = `${name} ${desc.digest}`
        const known = seen.get(key)
        if (!known) seen.set(key, await readImage(reader, name, desc, indexDigest))
        else known.indexDigest ??= indexDigest
      }
    }
    return [...seen.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  } finally {
    await handle.close()
  }
}
