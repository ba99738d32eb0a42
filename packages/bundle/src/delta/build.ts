/**
 * buildDelta: from the base release's bundle.json and a new full bundle (directory or
 * .tar.gz), the delta bundle kubeedge-<side>-<new>-from-<old>-<arch>.tar.gz. It leaves out
 * every image layer the base carried (by digest) and every file whose path and sha256 are
 * unchanged. It always keeps the installer, its wrapper and runtime, the README, meta/ and
 * the images archive (manifests and configs at least). Its meta/bundle.json is the new
 * bundle's, with `files` describing the delta and a `delta` section naming the base
 * (tarball sha256 included); SHA256SUMS covers every file, as in a full bundle.
 */
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { temporaryPath, type ClientOptions, type Logger } from '@kedge/oci'
import { hashFile } from '../checksums.js'
import { walkTree, writeTarGz } from '../targz.js'
import { loadBase, parseBundleJson, type BaseBundle, type BundleJson } from './base.js'
import type { DeltaSection } from './check.js'
import {
  baseBlobs,
  planDeltaImages,
  registryManifestSource,
  writeDeltaImages,
  type ManifestSource
} from './images.js'
import { listFiles, openBundle, placeFiles, verifySums } from './files.js'
import { readImagesLayout } from './layout.js'
import { verifyDelta } from './verify.js'

export interface DeltaOptions {
  /** The base release's bundle.json: a path or an http(s) URL. */
  base: string
  /** sha256 of the base tarball; else read from SHA256SUMS beside `base`. */
  baseSha256?: string
  /** The new full bundle: its .tar.gz, or its extracted top directory. */
  bundle: string
  outputDir: string
  /** Registry settings for fetching base manifests the new archive lacks. */
  client?: ClientOptions
  /** Overrides how base manifests are fetched (tests, offline use). */
  fetchManifest?: ManifestSource
  logger?: Logger
}

export interface DeltaResult {
  name: string
  bundle: string
  sha256: string
  size: number
  /** <name>.bundle.json beside the tarball. */
  manifest: string
  base: { name: string; sha256: string }
  delta: DeltaSection
  /** Bytes of the full and the delta images archive. */
  imagesArchive: { full: number; delta: number }
}

const sha256Text = (text: string): string => createHash('sha256').update(text).digest('hex')

/** kubeedge-edge-1.22.2-amd64 from kubeedge-edge-1.22.0-amd64: kubeedge-edge-1.22.2-from-1.22.0-amd64 */
export function deltaBundleName(target: BundleJson, base: BundleJson): string {
  const head = `kubeedge-${target.side}-`
  const tail = `-${target.arch}`
  const strip = (name: string): string => {
    if (!name.startsWith(head) || !name.endsWith(tail)) {
      throw new Error(
        `bundle name ${name} does not follow kubeedge-${target.side}-<version>-${target.arch}`
      )
    }
    return name.slice(head.length, name.length - tail.length)
  }
  return `${head}${strip(target.name)}-from-${strip(base.name)}${tail}`
}

function checkPair(target: BundleJson, base: BaseBundle): void {
  const b = base.json
  if (b.side !== target.side || b.arch !== target.arch) {
    throw new Error(
      `base ${b.name} is a ${b.side} ${b.arch} bundle, the new bundle ${target.name} a ${target.side} ${target.arch} one: a delta needs the same side and arch`
    )
  }
  if (b.name === target.name) {
    throw new Error(
      `base ${base.source} is ${b.name}, the same bundle as the new one: there is nothing to leave out`
    )
  }
  if ((b as { delta?: unknown }).delta || (target as { delta?: unknown }).delta) {
    throw new Error(
      'a delta is built between full bundles: the base or the new bundle is itself a delta'
    )
  }
}

/** The delta's images archive; returns the omitted layers and both archive sizes. */
async function deltaImages(
  from: string,
  to: string,
  target: BundleJson,
  base: BaseBundle,
  options: DeltaOptions
): Promise<{ omitted: DeltaSection['omittedBlobs']; full: number; delta: number }> {
  const rel = `images/${target.side}-images.tar`
  const layout = await readImagesLayout(join(from, rel))
  const fetchManifest = options.fetchManifest ?? registryManifestSource(base.json, options.client)
  const plan = planDeltaImages(layout, await baseBlobs(base.json, layout, fetchManifest))
  await mkdir(join(to, 'images'), { recursive: true })
  const delta = await writeDeltaImages(layout, plan, join(to, rel))
  options.logger?.info(
    `${rel}: ${plan.omitted.length} layer(s) left out (the base has them), ${plan.kept.length} blob(s) kept`
  )
  return { omitted: plan.omitted, full: (await stat(join(from, rel))).size, delta }
}

/** meta/bundle.json and SHA256SUMS of the delta in `root`; returns the bundle.json text. */
async function writeMeta(
  root: string,
  target: BundleJson,
  name: string,
  delta: DeltaSection
): Promise<string> {
  const files = []
  for (const path of await listFiles(root)) {
    if (path === 'meta/bundle.json' || path === 'SHA256SUMS') continue
    files.push({
      path,
      sha256: await hashFile(join(root, path), 'sha256'),
      size: (await stat(join(root, path))).size
    })
  }
  const text = `${JSON.stringify({ ...target, name, files, delta }, null, 2)}\n`
  await writeFile(join(root, 'meta', 'bundle.json'), text)
  const sums: string[] = []
  for (const path of await listFiles(root)) {
    if (path !== 'SHA256SUMS') sums.push(`${await hashFile(join(root, path), 'sha256')}  ${path}`)
  }
  await writeFile(join(root, 'SHA256SUMS'), `${sums.join('\n')}\n`)
  return text
}

export async function buildDelta(options: DeltaOptions): Promise<DeltaResult> {
  const base = await loadBase(options.base, options.baseSha256)
  await mkdir(options.outputDir, { recursive: true })
  const staging = await mkdtemp(join(options.outputDir, '.delta.staging-'))
  try {
    const from = await openBundle(options.bundle, staging)
    const targetText = await readFile(join(from, 'meta', 'bundle.json'), 'utf8')
    const target = parseBundleJson(targetText, `${options.bundle} (meta/bundle.json)`)
    checkPair(target, base)
    await verifySums(from)
    const name = deltaBundleName(target, base.json)
    const root = join(staging, 'delta', name)
    await mkdir(join(root, 'meta'), { recursive: true })
    const omittedFiles = await placeFiles(from, root, target, base.json)
    const images = await deltaImages(from, root, target, base, options)
    const delta: DeltaSection = {
      base: {
        name: base.json.name,
        sha256: base.sha256,
        bundleJsonSha256: base.jsonSha256,
        versions: base.json.versions
      },
      target: { name: target.name, bundleJsonSha256: sha256Text(targetText) },
      omittedFiles,
      omittedBlobs: images.omitted
    }
    const text = await writeMeta(root, target, name, delta)
    const problems = await verifyDelta(root)
    if (problems.length > 0) {
      throw new Error(
        `the delta ${name} is not complete; not writing it:\n  ${problems.join('\n  ')}`
      )
    }
    const bundle = join(options.outputDir, `${name}.tar.gz`)
    const written = await writeTarGz(bundle, await walkTree(root, name))
    const manifest = join(options.outputDir, `${name}.bundle.json`)
    const temp = temporaryPath(manifest)
    await writeFile(temp, text)
    await rename(temp, manifest)
    options.logger?.info(
      `delta ${bundle}: ${written.bytes} bytes, sha256 ${written.sha256}; base ${base.json.name} (${base.sha256})`
    )
    return {
      name,
      bundle,
      sha256: written.sha256,
      size: written.bytes,
      manifest,
      base: { name: base.json.name, sha256: base.sha256 },
      delta,
      imagesArchive: { full: images.full, delta: images.delta }
    }
  } finally {
    await rm(staging, { recursive: true, force: true })
  }
}
