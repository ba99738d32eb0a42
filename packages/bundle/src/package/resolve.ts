/** Phase 1, resolve: the bundle's name and the warnings the spec alone gives. */
import { formatReference, parseReference, type Logger } from '@kedge/oci'
import { skewWarning, type Arch, type BundleSpec, type Side } from '../spec.js'
import type { Build } from './types.js'

/**
 * The image the cloudcore chart's mosquitto DaemonSet runs by default (KubeEdge v1.22 chart);
 * another one in the spec goes to the chart as mosquitto.image.repository and .tag.
 */
export const CHART_MOSQUITTO_IMAGE = 'eclipse-mosquitto:1.6.15'

/** A version as it may stand in a file name: no leading v, `+` (GitHub renames such assets) as `-`. */
const fileVersion = (version: string): string => version.replace(/^v/, '').replace(/\+/g, '-')

/**
 * kubeedge-cloud-1.22.2-k3s-1.34.2-k3s1-amd64 / kubeedge-edge-1.22.2-arm64. Only characters
 * GitHub keeps in a release asset's name; bundle.json keeps the versions as they are.
 */
export function bundleName(spec: BundleSpec, side: Side, arch: Arch): string {
  const ke = fileVersion(spec.versions.kubeedge)
  return side === 'cloud'
    ? `kubeedge-cloud-${ke}-k3s-${fileVersion(spec.versions.k3s)}-${arch}`
    : `kubeedge-edge-${ke}-${arch}`
}

/** An image reference in its canonical form (docker.io/library/..., :latest added). */
export const normalize = (image: string): string => formatReference(parseReference(image))

/** The build's identity and a warning collector, with the spec's own warnings in it. */
export function resolve(
  spec: BundleSpec,
  side: Side,
  arch: Arch,
  logger?: Logger
): Omit<Build, 'root'> {
  const warnings: string[] = []
  const warn = (m: string): void => {
    warnings.push(m)
    logger?.warn(m)
  }
  const skew = skewWarning(spec)
  if (skew && side === 'cloud') warn(skew)
  return {
    spec,
    side,
    arch,
    name: bundleName(spec, side, arch),
    warnings,
    warn,
    ...(logger ? { logger } : {})
  }
}
