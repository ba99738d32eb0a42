/** Phase 5, check: an images archive made elsewhere must hold what this bundle's pods run. */
import type { ImageReport } from '@kedge/oci'
import { requiredImages } from '../spec.js'
import { normalize } from './resolve.js'
import type { Build } from './types.js'

/**
 * Fails when a fetch-images archive misses an image the side's workloads (or k3s) run, or
 * holds an image for another platform than the bundle's.
 */
export function checkImportedImages(
  build: Build,
  images: ImageReport[],
  k3sImages: string[],
  archivePath: string
): void {
  const { spec, side, arch } = build
  const archived = new Set(images.map(i => i.name))
  // Each once: on the edge, klipper-lb is both a k3s image and a DaemonSet's.
  const must = [...new Set([...requiredImages(spec, side, k3sImages), ...k3sImages].map(normalize))]
  const missing = must.filter(i => !archived.has(i))
  if (missing.length > 0) {
    throw new Error(
      `the ${side} bundle would miss images its workloads run (pods would hang in ImagePullBackOff):\n  ${missing.join('\n  ')}\nadd them to the images fetch-images fetches (${archivePath} has ${images.length})`
    )
  }
  const wrong = images.filter(i => !i.platform.startsWith(`linux/${arch}`))
  if (wrong.length > 0) {
    throw new Error(
      `images-archive holds images for another platform than linux/${arch}: ${wrong.map(i => `${i.name} (${i.platform})`).join(', ')}`
    )
  }
}
