/** What packageBundle takes and returns, and the state its phases share. */
import type { ClientOptions, ImageReport, Logger } from '@kedge/oci'
import type { Arch, BundleSpec, Side } from '../spec.js'

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
  /** A PEM private key (ECDSA P-256 or Ed25519): SHA256SUMS is signed into SHA256SUMS.sig. */
  signingKey?: string
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
