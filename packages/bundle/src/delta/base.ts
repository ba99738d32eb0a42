/**
 * The base of a delta: the previous release's bundle.json (a path or an http(s) URL; the
 * old tarball is not needed), and the sha256 of the base tarball, given or read from the
 * release's SHA256SUMS beside that bundle.json.
 */
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { parseChecksum } from '../checksums.js'

/** The fields of a bundle.json a delta reads. */
export interface BundleJson {
  schemaVersion: number
  name: string
  side: 'cloud' | 'edge'
  arch: 'amd64' | 'arm64'
  versions: Record<string, string>
  images: Array<{ name: string; reference?: string; manifestDigest: string; configDigest: string }>
  files: Array<{ path: string; sha256: string; size: number }>
  [key: string]: unknown
}

export interface BaseBundle {
  json: BundleJson
  /** sha256 of the bundle.json text, as read. */
  jsonSha256: string
  /** sha256 of the base tarball <name>.tar.gz. */
  sha256: string
  source: string
}

const isUrl = (s: string): boolean => /^https?:\/\//i.test(s)

async function readText(source: string): Promise<string> {
  if (isUrl(source)) {
    let res: Response
    try {
      res = await fetch(source, { signal: AbortSignal.timeout(60000) })
    } catch (err) {
      throw new Error(
        `base ${source}: cannot fetch it (${err instanceof Error ? err.message : String(err)}); check the URL, or pass the bundle.json as a file`,
        { cause: err }
      )
    }
    if (!res.ok) throw new Error(`base ${source}: HTTP ${res.status}; check the URL`)
    return res.text()
  }
  if (!existsSync(source)) throw new Error(`base ${source}: no such file`)
  return readFile(source, 'utf8')
}

/** Checks that `value` is a kedge bundle.json; `source` names it in errors. */
export function parseBundleJson(text: string, source: string): BundleJson {
  let doc: Partial<BundleJson>
  try {
    doc = JSON.parse(text) as Partial<BundleJson>
  } catch {
    throw new Error(
      `${source} is not JSON: pass the bundle.json (meta/bundle.json or <name>.bundle.json)`
    )
  }
  const missing = ['name', 'side', 'arch', 'images', 'files'].filter(
    k => (doc as Record<string, unknown>)[k] === undefined
  )
  if (doc.schemaVersion !== 1 || missing.length > 0) {
    throw new Error(
      `${source} is not a kedge bundle.json (schemaVersion 1 with name, side, arch, images, files)${missing.length ? `; it lacks ${missing.join(', ')}` : ''}`
    )
  }
  return doc as BundleJson
}

function sumsBeside(source: string): string {
  if (isUrl(source)) return new URL('SHA256SUMS', source).toString()
  return join(dirname(source), 'SHA256SUMS')
}

/** Loads the base; its tarball's sha256 is `sha256`, or else its line in SHA256SUMS beside. */
export async function loadBase(source: string, sha256?: string): Promise<BaseBundle> {
  const text = await readText(source)
  const json = parseBundleJson(text, `base ${source}`)
  const jsonSha256 = createHash('sha256').update(text).digest('hex')
  const tarball = `${json.name}.tar.gz`
  if (sha256 !== undefined) {
    if (!/^[a-f0-9]{64}$/.test(sha256)) {
      throw new Error(
        `base-sha256 "${sha256}" is not a sha256 (64 lower-case hex digits) of ${tarball}`
      )
    }
    return { json, jsonSha256, sha256, source }
  }
  const sums = sumsBeside(source)
  let sumsText: string
  try {
    sumsText = await readText(sums)
  } catch {
    throw new Error(
      `base ${basename(source)}: the sha256 of ${tarball} is needed (a delta names its base), and there is no SHA256SUMS at ${sums}; pass base-sha256 (the line for ${tarball} in the base release's SHA256SUMS)`
    )
  }
  const found = parseChecksum(sumsText, {
    algorithm: 'sha256',
    format: 'sum',
    entry: tarball,
    source: sums
  })
  return { json, jsonSha256, sha256: found, source }
}
