/**
 * Releases N and N+1 for upgrade and delta tests: KubeEdge v1.22.0 -> v1.22.2, the two real
 * releases before and at the pin. Each serves its keadm (a STAND-IN, in upstream's layout and
 * checksum format) and seeds its images (synthetic) in the bed registry; everything else is
 * the bed spec's.
 */
import type { BundleSpec } from '@kedge/bundle'
import type { FileServer } from './fileserver.js'
import { seedSpecImages, tarGz } from './releases.js'
import { clusterTool } from './tool-standins.js'

export const PREVIOUS_KUBEEDGE = 'v1.22.0'
export const NEXT_KUBEEDGE = 'v1.22.2'

/** Serves keadm `version` for both arches, as upstream's release lists it. */
export async function serveKeadm(server: FileServer, version: string): Promise<void> {
  for (const a of ['amd64', 'arm64']) {
    const file = `keadm-${version}-linux-${a}.tar.gz`
    server.put(
      `/kubeedge/${version}/${file}`,
      await tarGz([
        {
          name: `keadm-${version}-linux-${a}/keadm/keadm`,
          data: clusterTool(`keadm ${version} ${a}`)
        }
      ])
    )
    server.putChecksum(
      `/kubeedge/${version}/checksum_${file}.txt`,
      [`/kubeedge/${version}/${file}`],
      {
        algorithm: 'sha512',
        format: 'bare'
      }
    )
  }
}

/** The spec of release N+1 (KubeEdge v1.22.2 and its images), its assets served and images seeded. */
export async function nextRelease(
  server: FileServer,
  registry: { url: string },
  spec: BundleSpec,
  sizes: { baseSize?: number; layerSize?: number } = {}
): Promise<BundleSpec> {
  await serveKeadm(server, NEXT_KUBEEDGE)
  const next = structuredClone(spec)
  next.versions.kubeedge = NEXT_KUBEEDGE
  for (const side of ['cloud', 'edge'] as const)
    next.sides[side].images = spec.sides[side].images.map(i =>
      i.replace(`:${spec.versions.kubeedge}`, `:${NEXT_KUBEEDGE}`)
    )
  await seedSpecImages(registry.url, next, sizes)
  return next
}

/** Release N: `spec` at KubeEdge v1.22.0 (the release before the pin). */
export async function previousRelease(
  server: FileServer,
  registry: { url: string },
  spec: BundleSpec,
  sizes: { baseSize?: number; layerSize?: number } = {}
): Promise<BundleSpec> {
  await serveKeadm(server, PREVIOUS_KUBEEDGE)
  const next = structuredClone(spec)
  next.versions.kubeedge = PREVIOUS_KUBEEDGE
  for (const side of ['cloud', 'edge'] as const)
    next.sides[side].images = spec.sides[side].images.map(i =>
      i.replace(`:${spec.versions.kubeedge}`, `:${PREVIOUS_KUBEEDGE}`)
    )
  await seedSpecImages(registry.url, next, sizes)
  return next
}

/** `ctr images check` rows: ref, status (complete/incomplete) and whether it is unpacked. */
export function parseCheck(
  output: string
): Array<{ ref: string; complete: boolean; unpacked: boolean }> {
  const [header = '', ...lines] = output.split('\n').filter(l => l.trim())
  const at = (c: string): number => header.indexOf(c)
  return lines.map(l => ({
    ref: l.slice(0, at('TYPE')).trim(),
    complete: l.slice(at('STATUS'), at('SIZE')).trim().startsWith('complete'),
    unpacked: l.slice(at('UNPACKED')).trim() === 'true'
  }))
}
