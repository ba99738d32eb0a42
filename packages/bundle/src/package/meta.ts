/** Phase 6, meta: meta/bundle.json (what the bundle holds and how it was verified), SHA256SUMS. */
import { execFileSync } from 'node:child_process'
import { readdir, stat, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import type { ImageReport } from '@kedge/oci'
import { canonicalSources, type FetchedAsset } from '../assets.js'
import { chartImage, type BundleSpec } from '../spec.js'
import { hashFile } from '../checksums.js'
import type { Build, CrdEntry } from './types.js'

/** Every file under root, relative, with / separators, sorted. */
export async function listFiles(root: string): Promise<string[]> {
  const out: string[] = []
  const visit = async (dir: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const full = join(dir, name)
      if ((await stat(full)).isDirectory()) await visit(full)
      else out.push(relative(root, full).split('\\').join('/'))
    }
  }
  await visit(root)
  return out.sort()
}

function gitSha(): string | null {
  if (process.env.GITHUB_SHA) return process.env.GITHUB_SHA
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore']
    }).trim()
  } catch {
    return null
  }
}

export interface Contents {
  images: ImageReport[]
  assets: FetchedAsset[]
  crds: CrdEntry[]
  hasInstaller: boolean
  gitSha: string | undefined
}

/**
 * The spec as bundle.json records it: the upstream base URLs, no registry mirrors or
 * insecure registries. What served the bytes goes to the build log and the job summary.
 */
export function recordedSpec(spec: BundleSpec): BundleSpec {
  return {
    ...spec,
    sources: canonicalSources(spec),
    registry: { ...spec.registry, mirrors: [], insecure: [] }
  }
}

/** Writes meta/bundle.json: the resolved spec, images, files with sha256 and size, build info. */
export async function writeManifest(build: Build, contents: Contents): Promise<string> {
  const { spec, root } = build
  const epoch = process.env.SOURCE_DATE_EPOCH
  const files = []
  for (const file of await listFiles(root)) {
    const full = join(root, file)
    files.push({
      path: file,
      sha256: await hashFile(full, 'sha256'),
      size: (await stat(full)).size
    })
  }
  const manifest = {
    schemaVersion: 1,
    name: build.name,
    side: build.side,
    arch: build.arch,
    versions: spec.versions,
    // The installer passes repository and tag to the cloudcore chart.
    mosquitto: { ...spec.mosquitto, ...chartImage(spec.mosquitto.image) },
    edgemesh: spec.edgemesh,
    // servicelb false: the installer passes --disable=servicelb to k3s.
    k3s: spec.k3s,
    // The chart's optional components: the installer enables those that are true.
    cloudcore: spec.cloudcore,
    sandboxImage: spec.sandboxImage,
    installer: contents.hasInstaller ? 'install.js' : null,
    images: contents.images.map(i => ({
      name: i.name,
      reference: i.reference,
      platform: i.platform,
      indexDigest: i.indexDigest,
      manifestDigest: i.manifestDigest,
      configDigest: i.configDigest,
      size: i.size
    })),
    // Upstream's URL and checksum, never the mirror's: the same content gives the same bundle.
    assets: contents.assets.map(a => ({
      name: a.asset.name,
      url: a.asset.canonical?.url ?? a.asset.url,
      sha256: a.sha256,
      verifiedBy: a.asset.canonical?.verifiedBy ?? a.verifiedBy
    })),
    crds: contents.crds,
    files,
    warnings: build.warnings,
    spec: recordedSpec(spec),
    build: {
      kedge: '0.1.0',
      gitSha: contents.gitSha ?? gitSha(),
      time: epoch ? new Date(Number(epoch) * 1000).toISOString() : null
    }
  }
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`
  await writeFile(join(root, 'meta', 'bundle.json'), manifestText)
  return manifestText
}

/** SHA256SUMS over every file (itself excepted), for sha256sum -c. */
export async function writeSums(root: string): Promise<void> {
  const sums: string[] = []
  for (const file of await listFiles(root)) {
    sums.push(`${await hashFile(join(root, file), 'sha256')}  ${file}`)
  }
  await writeFile(join(root, 'SHA256SUMS'), `${sums.join('\n')}\n`)
}
