/** Phase 2, images: this side's list, plus k3s's own on the cloud, in one archive. */
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import {
  fetchImages,
  parseMirrors,
  readArchiveImages,
  type ClientOptions,
  type ImageReport
} from '@kedge/oci'
import { klipperLbImage, sideImages } from '../spec.js'
import { checkImportedImages, checkImportedPlatforms } from './check.js'
import type { Build, PackageOptions } from './types.js'

/**
 * The images k3s runs, from the placed meta/k3s-images.txt: on the cloud all of them (unless
 * turned off); on the edge klipper-lb alone, when servicelb is kept (its svclb-* DaemonSet
 * lands on edge nodes).
 */
export async function k3sImageList(build: Build): Promise<string[]> {
  const { spec, side } = build
  const wanted = side === 'cloud' ? spec.sides.cloud.k3sImages !== false : spec.k3s.servicelb
  if (!wanted) return []
  const list = (await readFile(join(build.root, 'meta', 'k3s-images.txt'), 'utf8'))
    .split('\n')
    .map(l => l.trim())
    .filter(l => l && !l.startsWith('#'))
  if (side === 'cloud') return list
  const klipper = klipperLbImage(list)
  if (!klipper) {
    throw new Error(
      `k3s.servicelb is true, but k3s-images.txt of k3s ${spec.versions.k3s} lists no rancher/klipper-lb image: the edge bundle cannot carry what servicelb's svclb-* DaemonSet runs on edge nodes. Set k3s.servicelb: false (the installer then disables servicelb).`
    )
  }
  return [klipper]
}

/** An images archive made elsewhere (fetch-images), with the images read from the archive itself. */
export interface ImportedArchive {
  path: string
  images: ImageReport[]
}

/**
 * Reads an images-archive before anything is fetched: what it holds comes from its own
 * index.json, manifests and configs (never from a report beside it), and every image must
 * be for the bundle's platform.
 */
export async function readImportedArchive(
  build: Pick<Build, 'side' | 'arch'>,
  imagesArchive: string
): Promise<ImportedArchive> {
  const path = resolve(imagesArchive)
  const info = await stat(path).catch(() => undefined)
  if (!info?.isFile()) {
    throw new Error(
      `input images-archive: no file at ${path}; give the archive fetch-images wrote (its "archive" output), or leave images-archive empty to fetch the images here`
    )
  }
  const images = (await readArchiveImages(path)).map(i => ({
    ...i,
    reference: i.name,
    archive: `images/${build.side}-images.tar`,
    // readArchiveImages checked each manifest against the digest the archive's index names.
    verifiedBy: 'digest' as const
  }))
  checkImportedPlatforms(build, images, path)
  return { path, images }
}

/** images/<side>-images.tar and meta/images.json: imported from fetch-images, or fetched. */
export async function gatherImages(
  build: Build,
  options: PackageOptions,
  k3sImages: string[],
  imported?: ImportedArchive
): Promise<ImageReport[]> {
  const { side, root } = build
  const archive = join(root, 'images', `${side}-images.tar`)
  const imagesJson = join(root, 'meta', 'images.json')
  await mkdir(dirname(archive), { recursive: true })
  let images: ImageReport[]
  if (imported) {
    checkImportedImages(build, imported.images, k3sImages, imported.path)
    await copyFile(imported.path, archive)
    images = imported.images
  } else {
    images = await fetchSideImages(build, options, k3sImages, archive, imagesJson)
  }
  await writeFile(imagesJson, `${JSON.stringify(images, null, 2)}\n`)
  return images
}

async function fetchSideImages(
  build: Build,
  options: PackageOptions,
  k3sImages: string[],
  archive: string,
  imagesJson: string
): Promise<ImageReport[]> {
  const { spec, side, arch, logger } = build
  const client: ClientOptions = {
    ...options.client,
    ...(spec.registry.fallbackToOrigin === false ? { fallbackToOrigin: false } : {}),
    mirrors: new Map([
      ...parseMirrors(spec.registry.mirrors.join('\n')),
      ...(options.client?.mirrors ?? new Map<string, string[]>())
    ]),
    insecure: [...spec.registry.insecure, ...(options.client?.insecure ?? [])]
  }
  const fetched = await fetchImages({
    images: [...sideImages(spec, side), ...k3sImages],
    platform: `linux/${arch}`,
    output: archive,
    imagesJson,
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
    client,
    ...(logger ? { logger } : {}),
    ...(options.progress ? { onProgress: options.progress.bytes.bind(options.progress) } : {})
  })
  return fetched.images.map(i => ({ ...i, archive: `images/${side}-images.tar` }))
}
