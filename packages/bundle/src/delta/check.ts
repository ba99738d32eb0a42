/**
 * What a host needs to know about a delta bundle before it installs from it. Pure functions
 * over bundle.json and command output, with no dependencies, so the installer can use them:
 * is this a delta, which base does it need, and are the base's blobs still in containerd's
 * content store.
 */

export interface DeltaSection {
  /** The base bundle: its name, the sha256 of its tarball and of its bundle.json. */
  base: { name: string; sha256: string; bundleJsonSha256: string; versions: Record<string, string> }
  /**
   * The full bundle this delta stands for, and the sha256 of its bundle.json: a host that
   * took the delta runs that bundle, and a later delta names it as its base.
   */
  target: { name: string; bundleJsonSha256?: string }
  /** Files of the full bundle left out: the base carried them with the same sha256. */
  omittedFiles: Array<{ path: string; sha256: string; size: number }>
  /** Image layers left out of images/<side>-images.tar: the base carried them. */
  omittedBlobs: Array<{ digest: string; size: number }>
}

/** The delta section of a bundle.json, or null for a full bundle. */
export function deltaSection(bundleJson: unknown): DeltaSection | null {
  const delta = (bundleJson as { delta?: Partial<DeltaSection> } | null)?.delta
  if (!delta) return null
  const base = delta.base as Partial<DeltaSection['base']> | undefined
  if (
    !base?.name ||
    !/^[a-f0-9]{64}$/.test(base.sha256 ?? '') ||
    !delta.target ||
    !delta.omittedBlobs
  ) {
    throw new Error(
      'bundle.json has a delta section without a base name and sha256: a broken delta; use the full bundle'
    )
  }
  return delta as DeltaSection
}

/** The digests `ctr -n k8s.io content ls -q` prints (or the DIGEST column of `content ls`). */
export function parseContentList(output: string): Set<string> {
  const found = new Set<string>()
  for (const m of output.matchAll(/sha256:[a-f0-9]{64}/g)) found.add(m[0])
  return found
}

/** The omitted blobs that `present` (the content store) lacks. */
export function missingBaseBlobs(delta: DeltaSection, present: Set<string>): string[] {
  return delta.omittedBlobs.map(b => b.digest).filter(d => !present.has(d))
}

/**
 * Why a host must not install this delta, or null when it may. `installed` is the name of
 * the bundle the host runs (from its state), `missing` what missingBaseBlobs found.
 */
export function deltaRefusal(
  delta: DeltaSection,
  installed: string | null,
  missing: string[]
): string | null {
  const full = `${delta.target.name}.tar.gz`
  if (installed !== delta.base.name) {
    return `this is a delta from ${delta.base.name}, but this host ${installed ? `runs ${installed}` : 'has no kedge bundle installed'}; install the full bundle ${full} instead`
  }
  if (missing.length > 0) {
    return `this delta leaves out ${missing.length} image blob(s) that the base ${delta.base.name} carried, and containerd no longer has them (e.g. ${missing.slice(0, 3).join(', ')}): were the base images removed? Install the full bundle ${full} instead`
  }
  return null
}
