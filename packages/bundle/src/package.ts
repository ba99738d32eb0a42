/**
 * packageBundle: one side's bundle for one arch, as a deterministic tar.gz.
 *
 * Layout of the single top directory (named like the tarball):
 *   install.js, install.sh, README.txt, SHA256SUMS,
 *   bin/ (k3s, keadm, helm | containerd, ctr, shim, runc, keadm), cni/bin/ (edge),
 *   images/<side>-images.tar, charts/, crds/istio/ (cloud), runtime/ (node), files/ (yours),
 *   meta/bundle.json, meta/images.json, meta/k3s-images.txt (cloud).
 * Everything is assembled in a staging directory beside the output, verified, and only
 * then written as <name>.tar.gz (temporary name, then rename) with <name>.bundle.json.
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import {
  chmod,
  copyFile,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  rename,
  rm,
  stat,
  writeFile
} from 'node:fs/promises'
import { basename, dirname, join, relative } from 'node:path'
import {
  fetchImages,
  formatReference,
  parseMirrors,
  parseReference,
  temporaryPath,
  type ClientOptions,
  type ImageReport,
  type Logger
} from '@kedge/oci'
import { fetchAsset, sideAssets, type FetchedAsset } from './assets.js'
import { hashFile } from './checksums.js'
import { edgemeshSources, fetchCrds, validateCrd } from './crds.js'
import { extractTarGz } from './extract.js'
import {
  requiredImages,
  sideImages,
  skewWarning,
  type Arch,
  type BundleSpec,
  type Side
} from './spec.js'
import { walkTree, writeTarGz } from './targz.js'
import { installSh, readmeTxt } from './texts.js'

export interface PackageOptions {
  spec: BundleSpec
  side: Side
  arch: Arch
  outputDir: string
  /** A fetch-images archive to use instead of fetching; images.json must be beside it or given. */
  imagesArchive?: string
  imagesJson?: string
  /** A fetch-crds output directory (crds/istio/, charts/) to use instead of fetching. */
  crdsDir?: string
  /** The built installer (dist/installer/install.js); without it the bundle leaves its place. */
  installer?: string
  /** Registry settings for fetching images (the spec's mirrors and insecure list are added). */
  client?: ClientOptions
  cacheDir?: string
  logger?: Logger
  /** For bundle.json: the commit built from. */
  gitSha?: string
}

export interface PackageResult {
  name: string
  bundle: string
  sha256: string
  size: number
  /** <name>.bundle.json beside the tarball (the same as meta/bundle.json inside). */
  manifest: string
  images: ImageReport[]
  warnings: string[]
}

/** The image the cloudcore chart's mosquitto DaemonSet runs (KubeEdge v1.22 chart default). */
export const CHART_MOSQUITTO_IMAGE = 'eclipse-mosquitto:1.6.15'

/** kubeedge-cloud-1.22.0-k3s-1.34.2+k3s1-amd64 / kubeedge-edge-1.22.0-arm64 */
export function bundleName(spec: BundleSpec, side: Side, arch: Arch): string {
  const ke = spec.versions.kubeedge.replace(/^v/, '')
  return side === 'cloud'
    ? `kubeedge-cloud-${ke}-k3s-${spec.versions.k3s.replace(/^v/, '')}-${arch}`
    : `kubeedge-edge-${ke}-${arch}`
}

const normalize = (image: string): string => {
  const ref = parseReference(image)
  return formatReference(ref)
}

async function place(fetched: FetchedAsset, root: string): Promise<string[]> {
  const p = fetched.asset.place
  if (p.kind === 'file') {
    const target = join(root, p.path)
    await mkdir(dirname(target), { recursive: true })
    await copyFile(fetched.path, target)
    await chmod(target, p.mode ?? 0o644)
    return [p.path]
  }
  if (p.kind === 'extract') {
    const written = await extractTarGz(fetched.path, root, { select: path => p.files[path] })
    const missing = Object.keys(p.files).filter(f => !written.includes(p.files[f] ?? ''))
    if (missing.length > 0) {
      throw new Error(`${fetched.asset.url} does not hold ${missing.join(', ')}`)
    }
    for (const w of written) await chmod(join(root, w), p.mode ?? 0o644)
    return written
  }
  const written = await extractTarGz(fetched.path, join(root, p.dir), {
    select: (path, type) => (type === 'file' && !path.includes('/') ? path : undefined)
  })
  if (written.length === 0) throw new Error(`${fetched.asset.url} holds no files`)
  for (const w of written) await chmod(join(root, p.dir, w), 0o755)
  return written.map(w => `${p.dir}/${w}`)
}

async function listFiles(root: string): Promise<string[]> {
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

export async function packageBundle(options: PackageOptions): Promise<PackageResult> {
  const { spec, side, arch } = options
  const logger = options.logger
  const warnings: string[] = []
  const warn = (m: string): void => {
    warnings.push(m)
    logger?.warn(m)
  }
  const skew = skewWarning(spec)
  if (skew && side === 'cloud') warn(skew)
  if (
    side === 'edge' &&
    spec.mosquitto.enabled &&
    normalize(spec.mosquitto.image) !== normalize(CHART_MOSQUITTO_IMAGE)
  ) {
    warn(
      `mosquitto.image is ${spec.mosquitto.image}, but the installer does not point the cloudcore chart at another image: its DaemonSet runs ${CHART_MOSQUITTO_IMAGE} on edge nodes, which this bundle does not carry. Keep ${CHART_MOSQUITTO_IMAGE}, or set mosquitto.enabled: false.`
    )
  }
  const name = bundleName(spec, side, arch)
  await mkdir(options.outputDir, { recursive: true })
  const staging = await mkdtemp(join(options.outputDir, `.${name}.staging-`))
  const root = join(staging, name)
  try {
    await mkdir(join(root, 'meta'), { recursive: true })

    // Release assets, each verified, then placed.
    const assets: FetchedAsset[] = []
    for (const asset of sideAssets(spec, side, arch)) {
      logger?.info(`asset ${asset.name}: ${asset.url}`)
      const fetched = await fetchAsset(asset, warn)
      await place(fetched, root)
      assets.push(fetched)
    }

    // Images: this side's list, plus k3s's own on the cloud, in one archive.
    const k3sImages =
      side === 'cloud' && spec.sides.cloud.k3sImages !== false
        ? (await readFile(join(root, 'meta', 'k3s-images.txt'), 'utf8'))
            .split('\n')
            .map(l => l.trim())
            .filter(l => l && !l.startsWith('#'))
        : []
    const wanted = [...sideImages(spec, side), ...k3sImages]
    const archive = join(root, 'images', `${side}-images.tar`)
    const imagesJson = join(root, 'meta', 'images.json')
    await mkdir(dirname(archive), { recursive: true })
    let images: ImageReport[]
    if (options.imagesArchive) {
      const json = options.imagesJson ?? join(dirname(options.imagesArchive), 'images.json')
      if (!existsSync(json)) {
        throw new Error(
          `images-archive ${options.imagesArchive}: no images.json beside it (${json}); pass the images-json fetch-images wrote`
        )
      }
      images = JSON.parse(await readFile(json, 'utf8')) as ImageReport[]
      await copyFile(options.imagesArchive, archive)
      const archived = new Set(images.map(i => i.name))
      const must = [...requiredImages(spec, side), ...k3sImages]
      const missing = must.filter(i => !archived.has(normalize(i)))
      if (missing.length > 0) {
        throw new Error(
          `the ${side} bundle would miss images its workloads run (pods would hang in ImagePullBackOff):\n  ${missing.map(normalize).join('\n  ')}\nadd them to the images fetch-images fetches (${options.imagesArchive} has ${images.length})`
        )
      }
      const wrong = images.filter(i => !i.platform.startsWith(`linux/${arch}`))
      if (wrong.length > 0) {
        throw new Error(
          `images-archive holds images for another platform than linux/${arch}: ${wrong.map(i => `${i.name} (${i.platform})`).join(', ')}`
        )
      }
      for (const i of images) i.archive = `images/${side}-images.tar`
      await writeFile(imagesJson, `${JSON.stringify(images, null, 2)}\n`)
    } else {
      const mirrors = spec.registry.mirrors.join('\n')
      const client: ClientOptions = {
        ...options.client,
        ...(spec.registry.fallbackToOrigin === false ? { fallbackToOrigin: false } : {}),
        mirrors: new Map([
          ...parseMirrors(mirrors),
          ...(options.client?.mirrors ?? new Map<string, string[]>())
        ]),
        insecure: [...spec.registry.insecure, ...(options.client?.insecure ?? [])]
      }
      const fetched = await fetchImages({
        images: wanted,
        platform: `linux/${arch}`,
        output: archive,
        imagesJson,
        ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
        client,
        ...(logger ? { logger } : {})
      })
      images = fetched.images.map(i => ({ ...i, archive: `images/${side}-images.tar` }))
      await writeFile(imagesJson, `${JSON.stringify(images, null, 2)}\n`)
    }

    // CRDs and charts (cloud, with EdgeMesh).
    const crds: Array<{ name: string; file: string; sha256: string }> = []
    if (side === 'cloud' && spec.edgemesh.enabled) {
      if (options.crdsDir) {
        const istio = join(options.crdsDir, 'crds', 'istio')
        for (const file of Object.keys(spec.pins.istioCrds)) {
          const from = join(istio, file)
          if (!existsSync(from))
            throw new Error(`crds-dir ${options.crdsDir}: crds/istio/${file} is missing`)
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
        const chart = join(options.crdsDir, 'charts', 'edgemesh.tgz')
        if (!existsSync(chart))
          throw new Error(`crds-dir ${options.crdsDir}: charts/edgemesh.tgz is missing`)
        await mkdir(join(root, 'charts'), { recursive: true })
        await copyFile(chart, join(root, 'charts', 'edgemesh.tgz'))
      } else {
        const got = await fetchCrds({ ...edgemeshSources(spec), dir: root, warn })
        for (const c of got.crds)
          crds.push({ name: c.name, file: relative(root, c.path), sha256: c.sha256 })
      }
    }

    // Your own files.
    for (const [i, file] of spec.sides[side].files.entries()) {
      const fetched = await fetchAsset(
        {
          name: `file-${i}-${basename(file.path)}`,
          url: file.url,
          verify: { kind: 'pinned', sha256: file.sha256 },
          place: { kind: 'file', path: `files/${file.path}` }
        },
        warn
      )
      await place(fetched, root)
      assets.push(fetched)
    }

    // The installer and its wrapper, and the README.
    const hasInstaller = options.installer !== undefined && existsSync(options.installer)
    if (hasInstaller && options.installer) {
      await copyFile(options.installer, join(root, 'install.js'))
      await chmod(join(root, 'install.js'), 0o755)
      // install.js is an ES module; node 18 needs to be told so.
      await writeFile(join(root, 'package.json'), '{ "type": "module", "private": true }\n')
    } else {
      warn(
        'the installer (dist/installer/install.js) is not built yet: the bundle leaves its place (install.js)'
      )
    }
    const nodeTarball = basename(
      assets.find(a => a.asset.name === 'node')?.asset.url ?? 'node.tar.gz'
    )
    await writeFile(join(root, 'install.sh'), installSh(nodeTarball), { mode: 0o755 })
    await chmod(join(root, 'install.sh'), 0o755)
    await writeFile(join(root, 'README.txt'), readmeTxt(spec, side, arch, name, hasInstaller))

    // bundle.json: the resolved spec, images, files with sha256 and size, build info.
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
      name,
      side,
      arch,
      versions: spec.versions,
      mosquitto: spec.mosquitto,
      edgemesh: spec.edgemesh,
      sandboxImage: spec.sandboxImage,
      installer: hasInstaller ? 'install.js' : null,
      images: images.map(i => ({
        name: i.name,
        reference: i.reference,
        platform: i.platform,
        indexDigest: i.indexDigest,
        manifestDigest: i.manifestDigest,
        configDigest: i.configDigest,
        size: i.size
      })),
      assets: assets.map(a => ({
        name: a.asset.name,
        url: a.asset.url,
        sha256: a.sha256,
        verifiedBy: a.verifiedBy
      })),
      crds,
      files,
      warnings,
      spec,
      build: {
        kedge: '0.1.0',
        gitSha: options.gitSha ?? gitSha(),
        time: epoch ? new Date(Number(epoch) * 1000).toISOString() : null
      }
    }
    const manifestText = `${JSON.stringify(manifest, null, 2)}\n`
    await writeFile(join(root, 'meta', 'bundle.json'), manifestText)

    // SHA256SUMS over every file (itself excepted), for sha256sum -c.
    const sums: string[] = []
    for (const file of await listFiles(root)) {
      sums.push(`${await hashFile(join(root, file), 'sha256')}  ${file}`)
    }
    await writeFile(join(root, 'SHA256SUMS'), `${sums.join('\n')}\n`)

    // The tarball, then bundle.json beside it.
    const bundle = join(options.outputDir, `${name}.tar.gz`)
    const result = await writeTarGz(bundle, await walkTree(root, name))
    const manifestPath = join(options.outputDir, `${name}.bundle.json`)
    const tempManifest = temporaryPath(manifestPath)
    await writeFile(tempManifest, manifestText)
    await rename(tempManifest, manifestPath)
    logger?.info(`bundle ${bundle}: ${result.bytes} bytes, sha256 ${result.sha256}`)
    return {
      name,
      bundle,
      sha256: result.sha256,
      size: result.bytes,
      manifest: manifestPath,
      images,
      warnings
    }
  } finally {
    await rm(staging, { recursive: true, force: true })
  }
}
