/**
 * Platforms (os/architecture[/variant]) and choosing one manifest from an index.
 * Matching follows containerd's normalization: arm64 means arm64/v8, arm means arm/v7,
 * amd64 matches amd64/v1; x86_64 and aarch64 are aliases. Attestation entries
 * (unknown/unknown) are never chosen.
 */

export interface Platform {
  os: string
  architecture: string
  variant?: string
}

const ARCH_ALIASES: Record<string, string> = {
  x86_64: 'amd64',
  'x86-64': 'amd64',
  aarch64: 'arm64',
  armhf: 'arm',
  armel: 'arm'
}

export function parsePlatform(input: string): Platform {
  const parts = input.trim().toLowerCase().split('/')
  const [os, arch, variant] = parts
  if (parts.length < 2 || parts.length > 3 || !os || !arch || parts.some(p => p === '')) {
    throw new Error(
      `invalid platform "${input}": expected os/architecture[/variant], e.g. linux/arm64 or linux/arm/v7`
    )
  }
  return normalizePlatform({ os, architecture: arch, ...(variant ? { variant } : {}) })
}

/** Fills in the default variant (arm64 -> v8, arm -> v7) and resolves aliases. */
export function normalizePlatform(p: Platform): Platform {
  const architecture = ARCH_ALIASES[p.architecture] ?? p.architecture
  let variant = p.variant
  if (architecture === 'arm64' && (!variant || variant === '8')) variant = 'v8'
  if (architecture === 'arm' && !variant) variant = 'v7'
  if (architecture === 'arm' && /^[5-8]$/.test(variant ?? '')) variant = `v${variant ?? ''}`
  if (architecture === 'amd64' && variant === 'v1') variant = undefined
  return { os: p.os, architecture, ...(variant ? { variant } : {}) }
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/')
}

/** True when an image built for `have` runs as `want`, after normalization. */
export function platformMatches(want: Platform, have: Platform): boolean {
  const w = normalizePlatform(want)
  const h = normalizePlatform(have)
  if (w.os !== h.os || w.architecture !== h.architecture) return false
  // amd64 without a variant accepts every amd64 level; otherwise variants must agree.
  if (w.architecture === 'amd64' && !w.variant) return true
  return (w.variant ?? '') === (h.variant ?? '')
}

export interface IndexEntry {
  mediaType: string
  digest: string
  size: number
  platform?: Platform
  annotations?: Record<string, string>
}

export function isAttestation(entry: IndexEntry): boolean {
  return (
    entry.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' ||
    entry.platform?.os === 'unknown' ||
    entry.platform?.architecture === 'unknown'
  )
}

/** The runnable platforms an index offers (attestations left out), for messages. */
export function offeredPlatforms(entries: IndexEntry[]): string[] {
  return entries
    .filter(e => e.platform && !isAttestation(e))
    .map(e => formatPlatform(e.platform as Platform))
}

/** Chooses the entry for `want`, or undefined. Attestations are never chosen. */
export function selectManifest(entries: IndexEntry[], want: Platform): IndexEntry | undefined {
  return entries.find(e => e.platform && !isAttestation(e) && platformMatches(want, e.platform))
}
