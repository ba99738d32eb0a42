/**
 * The OCI twin of a Docker schema 2 image manifest, for the OCI transports that skip
 * Docker-typed index.json entries: skopeo/podman `oci-archive:` (the containers/image that
 * Debian 12's skopeo 1.9.3 and podman 4.3 carry matches a reference only against
 * `application/vnd.oci.image.manifest.v1+json` entries: oci/layout/oci_transport.go,
 * getManifestDescriptor) and umoci, which implements only the OCI media types.
 *
 * The twin points at the very same config and layer blobs (same digests and sizes, so the
 * archive stores nothing twice); only the manifest's own media type and its descriptors'
 * media types change. Those media types are part of the manifest's bytes, so its digest
 * necessarily differs from the registry's: the registry's Docker manifest stays the image
 * that containerd names (archive.ts lists twins only in index.oci.json, which containerd
 * never reads).
 *
 * The bytes are kedge's own, deterministic: fixed key order, no whitespace.
 */
import { createHash } from 'node:crypto'

export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json'

/**
 * Docker's media types and their OCI equivalents, as the image-spec lists them
 * (opencontainers/image-spec media-types.md, "Compatibility Matrix").
 */
const LAYER_TYPES: Record<string, string> = {
  'application/vnd.docker.image.rootfs.diff.tar.gzip':
    'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip':
    'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  // Already OCI (a Docker manifest may list them): kept as they are.
  'application/vnd.oci.image.layer.v1.tar+gzip': 'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.oci.image.layer.v1.tar+zstd': 'application/vnd.oci.image.layer.v1.tar+zstd',
  'application/vnd.oci.image.layer.v1.tar': 'application/vnd.oci.image.layer.v1.tar'
}
const CONFIG_TYPES = new Set(['application/vnd.docker.container.image.v1+json', OCI_CONFIG])

interface DockerDescriptor {
  mediaType?: string
  digest?: string
  size?: number
  urls?: string[]
}

export interface ConvertedManifest {
  digest: string
  size: number
  bytes: Buffer
}

function descriptor(d: DockerDescriptor, mediaType: string): object {
  return {
    mediaType,
    digest: d.digest,
    size: d.size,
    ...(d.urls && d.urls.length > 0 ? { urls: d.urls } : {})
  }
}

/**
 * The OCI twin of Docker schema 2 manifest `body`, or an error naming `what` when the
 * manifest uses a media type that has no OCI equivalent (then no twin can exist).
 */
export function ociTwinOfDocker(body: Buffer, what: string): ConvertedManifest {
  const doc = JSON.parse(body.toString('utf8')) as {
    schemaVersion?: number
    mediaType?: string
    config?: DockerDescriptor
    layers?: DockerDescriptor[]
  }
  if (doc.schemaVersion !== 2 || doc.mediaType !== DOCKER_MANIFEST) {
    throw new Error(`${what}: not a Docker schema 2 image manifest`)
  }
  const config = doc.config
  if (!config?.digest || !CONFIG_TYPES.has(config.mediaType ?? '')) {
    throw new Error(`${what}: its config has no OCI equivalent (${config?.mediaType ?? 'none'})`)
  }
  const layers = (doc.layers ?? []).map((l, i) => {
    const type = LAYER_TYPES[l.mediaType ?? '']
    if (!type || !l.digest) {
      throw new Error(
        `${what}: layer ${i} (${l.mediaType ?? 'no media type'}) has no OCI equivalent`
      )
    }
    return descriptor(l, type)
  })
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: descriptor(config, OCI_CONFIG),
      layers
    })
  )
  return {
    digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    size: bytes.length,
    bytes
  }
}
