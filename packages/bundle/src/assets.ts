/**
 * Release assets: which files each side and arch needs, where they come from, and how each
 * is verified: against its project's published checksum (in that project's format) or a
 * sha256 pinned in the spec. Downloads go through @actions/tool-cache and are cached
 * across runs (keyed by the verified digest); a cached file is verified again before use.
 */
import * as tc from '@actions/tool-cache'
import { basename } from 'node:path'
import { readFile, rm } from 'node:fs/promises'
import { hashFile, parseChecksum, type Algorithm, type ChecksumFormat } from './checksums.js'
import { defaultSpec, type Arch, type BundleSpec, type Side } from './spec.js'

export type Verification =
  | {
      kind: 'checksum-file'
      url: string
      algorithm: Algorithm
      format: ChecksumFormat
      entry: string
    }
  | { kind: 'pinned'; sha256: string }
  /** No published checksum and no pin: the digest is recorded, and a warning says so. */
  | { kind: 'unpinned' }

/** How an asset lands in the bundle. */
export type Placement =
  | { kind: 'file'; path: string; mode?: number }
  | { kind: 'extract'; files: Record<string, string>; mode?: number }
  | { kind: 'extract-dir'; dir: string }

export interface Asset {
  /** Unique within a bundle: k3s, keadm, containerd, ... */
  name: string
  url: string
  /**
   * Where upstream publishes it (the built-in spec's sources) and how it is verified there:
   * what bundle.json records, whichever mirror `url` points at.
   */
  canonical?: { url: string; verifiedBy: string }
  verify: Verification
  place: Placement
}

/** The verified download of an asset. */
export interface FetchedAsset {
  asset: Asset
  path: string
  sha256: string
  /** How it was verified, for bundle.json: "sha512 from <url>", "pinned sha256", "unverified". */
  verifiedBy: string
  cached: boolean
}

const sumFile = (url: string, entry: string): Verification => ({
  kind: 'checksum-file',
  url,
  algorithm: 'sha256',
  format: 'sum',
  entry
})

/**
 * The built-in spec's base URLs, filled with this spec's versions: where upstream publishes
 * each download. bundle.json records these, whichever mirror served the bytes.
 */
export function canonicalSources(spec: BundleSpec): BundleSpec['sources'] {
  return defaultSpec({ versions: spec.versions }).sources
}

/** How a verification reads in bundle.json and in errors. */
export function describeVerification(v: Verification): string {
  if (v.kind === 'pinned') return 'sha256 pinned in the spec'
  if (v.kind === 'unpinned') return 'unverified (no checksum published, no pin)'
  return `${v.algorithm} from ${v.url}`
}

/** This side's assets, each with where upstream publishes it and how it is verified there. */
export function sideAssetsWithCanonical(spec: BundleSpec, side: Side, arch: Arch): Asset[] {
  const canonical = sideAssets({ ...spec, sources: canonicalSources(spec) }, side, arch)
  return sideAssets(spec, side, arch).map((asset, i) => {
    const upstream = canonical[i] ?? asset
    return {
      ...asset,
      canonical: { url: upstream.url, verifiedBy: describeVerification(upstream.verify) }
    }
  })
}

/** k3s-images.txt: sha256sum-<arch>.txt does not list it (k3s release workflow): a pin, or nothing. */
const k3sImagesTxt = (spec: BundleSpec, k3sBase: string): Asset => ({
  name: 'k3s-images.txt',
  url: `${k3sBase}/k3s-images.txt`,
  verify: spec.pins.k3sImagesTxt
    ? { kind: 'pinned', sha256: spec.pins.k3sImagesTxt }
    : { kind: 'unpinned' },
  place: { kind: 'file', path: 'meta/k3s-images.txt' }
})

/** The release assets a side's bundle carries for `arch`. */
export function sideAssets(spec: BundleSpec, side: Side, arch: Arch): Asset[] {
  const own = side === 'cloud' ? cloudAssets(spec, arch) : edgeAssets(spec, arch)
  return [...own, ...commonAssets(spec, arch)]
}

/** keadm and the Node.js runtime: both sides. */
function commonAssets(spec: BundleSpec, arch: Arch): Asset[] {
  const v = spec.versions
  const s = spec.sources
  const ke = v.kubeedge
  const keadmFile = `keadm-${ke}-linux-${arch}.tar.gz`
  const nodeFile = `node-${v.node}-linux-${arch === 'amd64' ? 'x64' : 'arm64'}.tar.gz`
  return [
    {
      name: 'keadm',
      url: `${s.kubeedge}/${ke}/${keadmFile}`,
      verify: {
        kind: 'checksum-file',
        url: `${s.kubeedge}/${ke}/checksum_${keadmFile}.txt`,
        algorithm: 'sha512',
        format: 'bare',
        entry: keadmFile
      },
      place: {
        kind: 'extract',
        files: { [`keadm-${ke}-linux-${arch}/keadm/keadm`]: 'bin/keadm' },
        mode: 0o755
      }
    },
    {
      name: 'node',
      url: `${s.node}/${v.node}/${nodeFile}`,
      verify: sumFile(`${s.node}/${v.node}/SHASUMS256.txt`, nodeFile),
      place: { kind: 'file', path: `runtime/${nodeFile}` }
    }
  ]
}

const k3sBase = (spec: BundleSpec): string =>
  `${spec.sources.k3s}/${encodeURIComponent(spec.versions.k3s)}`

/** k3s, its image list and install script, Helm. */
function cloudAssets(spec: BundleSpec, arch: Arch): Asset[] {
  const v = spec.versions
  const s = spec.sources
  const k3sFile = arch === 'amd64' ? 'k3s' : `k3s-${arch}`
  const helmFile = `helm-${v.helm}-linux-${arch}.tar.gz`
  return [
    {
      name: 'k3s',
      url: `${k3sBase(spec)}/${k3sFile}`,
      verify: sumFile(`${k3sBase(spec)}/sha256sum-${arch}.txt`, k3sFile),
      place: { kind: 'file', path: 'bin/k3s', mode: 0o755 }
    },
    k3sImagesTxt(spec, k3sBase(spec)),
    {
      name: 'k3s-install.sh',
      url: s.k3sInstallScript,
      verify: spec.pins.k3sInstallScript
        ? { kind: 'pinned', sha256: spec.pins.k3sInstallScript }
        : { kind: 'unpinned' },
      place: { kind: 'file', path: 'bin/k3s-install.sh', mode: 0o755 }
    },
    {
      name: 'helm',
      url: `${s.helm}/${helmFile}`,
      verify: sumFile(`${s.helm}/${helmFile}.sha256sum`, helmFile),
      place: { kind: 'extract', files: { [`linux-${arch}/helm`]: 'bin/helm' }, mode: 0o755 }
    }
  ]
}

/** containerd, runc, the CNI plugins; k3s-images.txt when servicelb is kept. */
function edgeAssets(spec: BundleSpec, arch: Arch): Asset[] {
  const v = spec.versions
  const s = spec.sources
  const containerdFile = `containerd-${v.containerd}-linux-${arch}.tar.gz`
  const cniFile = `cni-plugins-linux-${arch}-${v.cni}.tgz`
  return [
    {
      name: 'containerd',
      url: `${s.containerd}/v${v.containerd}/${containerdFile}`,
      verify: sumFile(
        `${s.containerd}/v${v.containerd}/${containerdFile}.sha256sum`,
        containerdFile
      ),
      place: {
        kind: 'extract',
        files: {
          'bin/containerd': 'bin/containerd',
          'bin/ctr': 'bin/ctr',
          'bin/containerd-shim-runc-v2': 'bin/containerd-shim-runc-v2'
        },
        mode: 0o755
      }
    },
    {
      name: 'runc',
      url: `${s.runc}/${v.runc}/runc.${arch}`,
      verify: sumFile(`${s.runc}/${v.runc}/runc.sha256sum`, `runc.${arch}`),
      place: { kind: 'file', path: 'bin/runc', mode: 0o755 }
    },
    {
      name: 'cni-plugins',
      url: `${s.cni}/${v.cni}/${cniFile}`,
      verify: sumFile(`${s.cni}/${v.cni}/${cniFile}.sha256`, cniFile),
      place: { kind: 'extract-dir', dir: 'cni/bin' }
    },
    // servicelb kept: its svclb-* DaemonSet runs on edge nodes, with the klipper-lb it names.
    ...(spec.k3s.servicelb ? [k3sImagesTxt(spec, k3sBase(spec))] : [])
  ]
}

/** Where the cache keeps a verified download: tool `kedge-<name>`, version from its digest. */
function cacheKey(asset: Asset, hex: string): { tool: string; version: string } {
  return {
    tool: `kedge-${asset.name.replace(/[^A-Za-z0-9.-]/g, '-')}`,
    version: `1.0.0-h${hex.slice(0, 32)}`
  }
}

async function download(url: string): Promise<string> {
  try {
    return await tc.downloadTool(url)
  } catch (err) {
    const status = (err as { httpStatusCode?: number }).httpStatusCode
    const why = status ? `HTTP ${status}` : (err as Error).message
    throw new Error(`download of ${url} failed: ${why}`, { cause: err })
  }
}

/** The expected digest of an asset, from its checksum file or the spec. */
export async function expectedDigest(
  asset: Asset
): Promise<{ algorithm: Algorithm; hex: string; by: string } | undefined> {
  const v = asset.verify
  if (v.kind === 'pinned')
    return { algorithm: 'sha256', hex: v.sha256, by: describeVerification(v) }
  if (v.kind === 'unpinned') return undefined
  const file = await download(v.url)
  try {
    const text = await readFile(file, 'utf8')
    const hex = parseChecksum(text, {
      algorithm: v.algorithm,
      format: v.format,
      entry: v.entry,
      source: v.url
    })
    return { algorithm: v.algorithm, hex, by: describeVerification(v) }
  } finally {
    await rm(file, { force: true })
  }
}

/**
 * Downloads and verifies an asset, or takes it from the tool cache (verified again).
 * A mismatch fails naming the URL, the expected and the actual digest, and keeps nothing.
 */
export async function fetchAsset(
  asset: Asset,
  warn: (message: string) => void = () => undefined
): Promise<FetchedAsset> {
  const expected = await expectedDigest(asset)
  if (expected) {
    const key = cacheKey(asset, expected.hex)
    const dir = tc.find(key.tool, key.version)
    if (dir) {
      const path = `${dir}/${basename(new URL(asset.url).pathname)}`
      if ((await hashFile(path, expected.algorithm).catch(() => '')) === expected.hex) {
        return {
          asset,
          path,
          sha256: await hashFile(path, 'sha256'),
          verifiedBy: expected.by,
          cached: true
        }
      }
    }
  }
  const file = await download(asset.url)
  if (expected) {
    const actual = await hashFile(file, expected.algorithm)
    if (actual !== expected.hex) {
      await rm(file, { force: true })
      throw new Error(
        `checksum mismatch for ${asset.url}: expected ${expected.algorithm} ${expected.hex}, got ${actual} (verified with ${expected.by})`
      )
    }
  }
  const sha256 = await hashFile(file, 'sha256')
  if (!expected) {
    // The upstream URL: warnings go into bundle.json, which names no mirror.
    warn(
      `${asset.canonical?.url ?? asset.url} has no published checksum and no pin in the spec; it is recorded (sha256 ${sha256}), not verified. Pin it in the spec.`
    )
    return {
      asset,
      path: file,
      sha256,
      verifiedBy: describeVerification(asset.verify),
      cached: false
    }
  }
  const key = cacheKey(asset, expected.hex)
  const dir = await tc.cacheFile(file, basename(new URL(asset.url).pathname), key.tool, key.version)
  await rm(file, { force: true })
  return {
    asset,
    path: `${dir}/${basename(new URL(asset.url).pathname)}`,
    sha256,
    verifiedBy: expected.by,
    cached: false
  }
}
