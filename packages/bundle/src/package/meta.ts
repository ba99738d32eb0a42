/** Phase 6, meta: meta/bundle.json (what the bundle holds and how it was verified), SHA256SUMS. */
import { execFileSync } from 'node:child_process'
import { readdir, stat, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import type { ImageReport } from '@kedge/oci'
import type { FetchedAsset } from '../assets.js'
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
    mosquitto: spec.mosquitto,
    edgemesh: spec.edgemesh,
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
    assets: contents.assets.map(a => ({
      name: a.asset.name,
      url: a.asset.url,
      sha256: a.sha256,
      verifiedBy: a.verifiedBy
    })),
    crds: contents.crds,
    files,
    warnings: build.warnings,
    spec,
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
