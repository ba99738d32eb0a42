/** Phase 3, assets: release assets, CRDs and charts, and the spec's own files, each verified. */
import { existsSync } from 'node:fs'
import { copyFile, mkdir, readFile } from 'node:fs/promises'
import { basename, join, relative } from 'node:path'
import { fetchAsset, sideAssets, type FetchedAsset } from '../assets.js'
import { hashFile } from '../checksums.js'
import { edgemeshSources, fetchCrds, validateCrd } from '../crds.js'
import { place } from './place.js'
import type { Build, CrdEntry } from './types.js'

/** This side's release assets, each verified, then placed. */
export async function fetchReleaseAssets(build: Build): Promise<FetchedAsset[]> {
  const assets: FetchedAsset[] = []
  for (const asset of sideAssets(build.spec, build.side, build.arch)) {
    build.logger?.info(`asset ${asset.name}: ${asset.url}`)
    const fetched = await fetchAsset(asset, build.warn)
    await place(fetched, build.root)
    assets.push(fetched)
  }
  return assets
}

/** CRDs and charts (cloud, with EdgeMesh): from a fetch-crds directory, or fetched. */
export async function gatherCrds(build: Build, crdsDir: string | undefined): Promise<CrdEntry[]> {
  const { spec, root } = build
  if (build.side !== 'cloud' || !spec.edgemesh.enabled) return []
  if (!crdsDir) {
    const got = await fetchCrds({ ...edgemeshSources(spec), dir: root, warn: build.warn })
    return got.crds.map(c => ({ name: c.name, file: relative(root, c.path), sha256: c.sha256 }))
  }
  const crds: CrdEntry[] = []
  const istio = join(crdsDir, 'crds', 'istio')
  for (const file of Object.keys(spec.pins.istioCrds)) {
    const from = join(istio, file)
    if (!existsSync(from)) throw new Error(`crds-dir ${crdsDir}: crds/istio/${file} is missing`)
    for (const info of validateCrd(await readFile(from, 'utf8'), from)) {
      crds.push({
        name: info.name,
        file: `crds/istio/${file}`,
        sha256: await hashFile(from, 'sha256')
      })
    }
    await mkdir(join(root, 'crds', 'istio'), { recursive: true })
    await copyFile(from, join(root, 'crds', 'istio', file))
  }
  const chart = join(crdsDir, 'charts', 'edgemesh.tgz')
  if (!existsSync(chart)) throw new Error(`crds-dir ${crdsDir}: charts/edgemesh.tgz is missing`)
  await mkdir(join(root, 'charts'), { recursive: true })
  await copyFile(chart, join(root, 'charts', 'edgemesh.tgz'))
  return crds
}

/** The spec's own files (files/), each pinned by sha256. */
export async function fetchOwnFiles(build: Build): Promise<FetchedAsset[]> {
  const fetchedFiles: FetchedAsset[] = []
  for (const [i, file] of build.spec.sides[build.side].files.entries()) {
    const fetched = await fetchAsset(
      {
        name: `file-${i}-${basename(file.path)}`,
        url: file.url,
        verify: { kind: 'pinned', sha256: file.sha256 },
        place: { kind: 'file', path: `files/${file.path}` }
      },
      build.warn
    )
    await place(fetched, build.root)
    fetchedFiles.push(fetched)
  }
  return fetchedFiles
}
