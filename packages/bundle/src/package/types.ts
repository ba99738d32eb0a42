/** What packageBundle takes and returns, and the state its phases share. */
import type { ClientOptions, ImageReport, Logger } from '@kedge/oci'
import type { Arch, BundleSpec, Side } from '../spec.js'

export interface PackageOptions {
  spec: BundleSpec
  side: Side
  arch: Arch
  outputDir: string
  /** A fetch-images archive to use instead of fetching; its images are read from the archive itself. */
  imagesArchive?: string
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
  /** Told when each phase starts, and of the bytes of the long ones (images, archive). */
  progress?: PackageProgress
  /** A PEM private key (ECDSA P-256 or Ed25519): SHA256SUMS is signed into SHA256SUMS.sig. */
  signingKey?: string
}

/** Progress of a build: phases in order, and bytes done of a total within a phase. */
export interface PackageProgress {
  phase(name: string): void
  bytes(done: number, total: number): void
}

export interface PackageResult {
  name: string
  bundle: string
  sha256: string
  size: number
  /** <name>.bundle.json beside the tarball (the same as meta/bundle.json inside). */
  manifest: string
  /** <name>.cdx.json beside the tarball (the same as meta/sbom.cdx.json inside). */
  sbom: string
  images: ImageReport[]
  warnings: string[]
  /** Downloads verified by nothing (no published checksum, no pin): recorded, not checked. */
  unverified: Unverified[]
  /**
   * Every release asset and file as it was downloaded (the URL used, which may be a mirror's),
   * for the job summary; bundle.json records upstream's URL instead.
   */
  downloads: Download[]
}

export interface Download {
  name: string
  url: string
  /** Where bundle.json says it comes from (upstream). */
  recordedUrl: string
  sha256: string
  verifiedBy: string
}

export interface Unverified {
  name: string
  /** The URL the bytes came from. */
  url: string
  sha256: string
}

/** One bundle being built: what it is, where it is assembled, and what went wrong so far. */
export interface Build {
  spec: BundleSpec
  side: Side
  arch: Arch
  name: string
  /** The bundle's top directory inside the staging directory. */
  root: string
  logger?: Logger
  warnings: string[]
  warn: (message: string) => void
}

/** A CRD the bundle carries, for bundle.json. */
export interface CrdEntry {
  name: string
  file: string
  sha256: string
}
