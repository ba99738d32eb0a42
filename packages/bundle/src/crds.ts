/**
 * CRDs and charts for the cloud bundle: the Istio CRDs EdgeMesh needs and the EdgeMesh
 * chart, fetched (pinned sha256 where the spec has one), validated and written under
 * crds/istio/ and charts/. A CRD file must parse as apiextensions.k8s.io/v1
 * CustomResourceDefinition documents with a name, a group, versions and a schema.
 */
import { createReadStream } from 'node:fs'
import { copyFile, mkdir, readFile, rename, rm } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import { loadAll } from 'js-yaml'
import { extract } from 'tar-stream'
import { temporaryPath } from '@kedge/oci'
import { fetchAsset, type Asset } from './assets.js'
import type { BundleSpec } from './spec.js'

export interface CrdInfo {
  file: string
  name: string
  group: string
  versions: string[]
}

export class CrdError extends Error {
  constructor(file: string, why: string) {
    super(`${file}: ${why}`)
    this.name = 'CrdError'
  }
}

/** Checks a CRD file's text; returns what it defines. */
export function validateCrd(text: string, file: string): CrdInfo[] {
  let docs: unknown[]
  try {
    docs = loadAll(text).filter(d => d !== null && d !== undefined)
  } catch (err) {
    throw new CrdError(file, `not valid YAML: ${(err as Error).message.split('\n')[0] ?? ''}`)
  }
  if (docs.length === 0) throw new CrdError(file, 'holds no document')
  return docs.map((doc, i) => {
    const where = docs.length > 1 ? `document ${i + 1}: ` : ''
    const d = doc as {
      apiVersion?: unknown
      kind?: unknown
      metadata?: { name?: unknown }
      spec?: {
        group?: unknown
        versions?: Array<{ name?: unknown; schema?: { openAPIV3Schema?: unknown } }>
      }
    }
    if (d.apiVersion !== 'apiextensions.k8s.io/v1' || d.kind !== 'CustomResourceDefinition') {
      throw new CrdError(
        file,
        `${where}is ${String(d.apiVersion)} ${String(d.kind)}, not an apiextensions.k8s.io/v1 CustomResourceDefinition`
      )
    }
    const name = d.metadata?.name
    const group = d.spec?.group
    if (typeof name !== 'string' || !name) throw new CrdError(file, `${where}has no metadata.name`)
    if (typeof group !== 'string' || !group)
      throw new CrdError(file, `${where}${name} has no spec.group`)
    if (!name.endsWith(`.${group}`))
      throw new CrdError(file, `${where}name ${name} does not end in its group .${group}`)
    const versions = d.spec?.versions
    if (!Array.isArray(versions) || versions.length === 0)
      throw new CrdError(file, `${where}${name} has no spec.versions`)
    return {
      file,
      name,
      group,
      versions: versions.map((v, j) => {
        if (typeof v.name !== 'string')
          throw new CrdError(file, `${where}${name}: versions[${j}] has no name`)
        if (typeof v.schema?.openAPIV3Schema !== 'object') {
          throw new CrdError(
            file,
            `${where}${name}: version ${v.name} has no schema.openAPIV3Schema`
          )
        }
        return v.name
      })
    }
  })
}

/** Checks that a chart archive is a gzip tar with <name>/Chart.yaml; returns the name. */
export async function checkChart(file: string, shownAs: string): Promise<string> {
  let chart: string | undefined
  const reader = extract()
  reader.on('entry', (header, stream, next) => {
    const m = /^([^/]+)\/Chart\.yaml$/.exec(header.name)
    if (m?.[1] && !chart) chart = m[1]
    stream.on('end', () => {
      next()
    })
    stream.resume()
  })
  try {
    await pipeline(createReadStream(file), createGunzip(), reader)
  } catch (err) {
    throw new Error(`${shownAs}: not a chart archive (.tgz): ${(err as Error).message}`, {
      cause: err
    })
  }
  if (!chart) throw new Error(`${shownAs}: not a chart archive: no <name>/Chart.yaml inside`)
  return chart
}

export interface CrdSource {
  url: string
  /** Pinned sha256, or empty (recorded and warned). */
  sha256: string
}

/** The Istio CRDs and the EdgeMesh chart the spec names. */
export function edgemeshSources(spec: BundleSpec): { crds: CrdSource[]; charts: CrdSource[] } {
  return {
    crds: Object.entries(spec.pins.istioCrds).map(([file, sha256]) => ({
      url: `${spec.sources.edgemesh}/build/crds/istio/${file}`,
      sha256
    })),
    charts: [
      { url: `${spec.sources.edgemesh}/build/helm/edgemesh.tgz`, sha256: spec.pins.edgemeshChart }
    ]
  }
}

/** Parses `URL=sha256` lines (the charts input); a line without =sha256 is unpinned. */
export function parseUrlPins(text: string, what: string): CrdSource[] {
  return text
    .split(/[\n,]/)
    .map(l => l.trim())
    .filter(l => l && !l.startsWith('#'))
    .map(line => {
      const m = /^(https?:\/\/\S+?)(?:=([a-f0-9]{64}))?$/.exec(line)
      if (!m?.[1]) throw new Error(`${what}: "${line}" is not URL or URL=sha256`)
      return { url: m[1], sha256: m[2] ?? '' }
    })
}

export interface FetchedFile {
  path: string
  url: string
  sha256: string
  verifiedBy: string
}

export interface FetchCrdsResult {
  dir: string
  crds: Array<FetchedFile & CrdInfo>
  charts: Array<FetchedFile & { chart: string }>
}

function asset(source: CrdSource, prefix: string): Asset {
  const name = `${prefix}-${basename(new URL(source.url).pathname)}`
  return {
    name,
    url: source.url,
    verify: source.sha256 ? { kind: 'pinned', sha256: source.sha256 } : { kind: 'unpinned' },
    place: { kind: 'file', path: name }
  }
}

async function placeAtomically(from: string, to: string): Promise<void> {
  await mkdir(join(to, '..'), { recursive: true })
  const temp = temporaryPath(to)
  try {
    await copyFile(from, temp)
    await rename(temp, to)
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
}

/**
 * Fetches, verifies and validates CRDs into dir/crds/istio/ and charts into dir/charts/.
 * Everything is checked before anything is written.
 */
export async function fetchCrds(options: {
  crds: CrdSource[]
  charts: CrdSource[]
  dir: string
  warn?: (message: string) => void
}): Promise<FetchCrdsResult> {
  const crds: Array<{
    got: Awaited<ReturnType<typeof fetchAsset>>
    infos: CrdInfo[]
    file: string
  }> = []
  for (const source of options.crds) {
    const got = await fetchAsset(asset(source, 'crd'), options.warn)
    const file = basename(new URL(source.url).pathname)
    crds.push({ got, infos: validateCrd(await readFile(got.path, 'utf8'), source.url), file })
  }
  const charts: Array<{
    got: Awaited<ReturnType<typeof fetchAsset>>
    chart: string
    file: string
  }> = []
  for (const source of options.charts) {
    const got = await fetchAsset(asset(source, 'chart'), options.warn)
    charts.push({
      got,
      chart: await checkChart(got.path, source.url),
      file: basename(new URL(source.url).pathname)
    })
  }
  const result: FetchCrdsResult = { dir: options.dir, crds: [], charts: [] }
  for (const c of crds) {
    const path = join(options.dir, 'crds', 'istio', c.file)
    await placeAtomically(c.got.path, path)
    for (const info of c.infos) {
      result.crds.push({
        ...info,
        path,
        url: c.got.asset.url,
        sha256: c.got.sha256,
        verifiedBy: c.got.verifiedBy
      })
    }
  }
  for (const c of charts) {
    const path = join(options.dir, 'charts', c.file)
    await placeAtomically(c.got.path, path)
    result.charts.push({
      chart: c.chart,
      path,
      url: c.got.asset.url,
      sha256: c.got.sha256,
      verifiedBy: c.got.verifiedBy
    })
  }
  return result
}
