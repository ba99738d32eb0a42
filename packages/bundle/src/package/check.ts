/** Phase 5, check: an images archive made elsewhere must hold what this bundle's pods run. */
import { formatPlatform, parsePlatform, platformMatches, type ImageReport } from '@kedge/oci'
import { requiredImages } from '../spec.js'
import { normalize } from './resolve.js'
import type { Build } from './types.js'

/** Fails when a fetch-images archive misses an image the side's workloads (or k3s) run. */
export function checkImportedImages(
  build: Build,
  images: ImageReport[],
  k3sImages: string[],
  archivePath: string
): void {
  const { spec, side } = build
  const archived = new Set(images.map(i => i.name))
  // Each once: on the edge, klipper-lb is both a k3s image and a DaemonSet's.
  const must = [...new Set([...requiredImages(spec, side, k3sImages), ...k3sImages].map(normalize))]
  const missing = must.filter(i => !archived.has(i))
  if (missing.length > 0) {
    throw new Error(
      `the ${side} bundle would miss images its workloads run (pods would hang in ImagePullBackOff):\n  ${missing.join('\n  ')}\nadd them to the images fetch-images fetches (${archivePath} has ${images.length})`
    )
  }
}

/** Fails when an archive holds an image (platform from its config) for another platform. */
export function checkImportedPlatforms(
  build: Pick<Build, 'arch'>,
  images: ImageReport[],
  archivePath: string
): void {
  const want = parsePlatform(`linux/${build.arch}`)
  const wrong = images.filter(i => !platformMatches(want, parsePlatform(i.platform)))
  if (wrong.length > 0) {
    throw new Error(
      `images-archive ${archivePath} holds images for another platform than the bundle's ${formatPlatform(want)} (arch: ${build.arch}):\n  ${wrong.map(i => `${i.name} (${i.platform})`).join('\n  ')}\nfetch them with platform: ${formatPlatform(want)}, or set arch to match the archive`
    )
  }
}
