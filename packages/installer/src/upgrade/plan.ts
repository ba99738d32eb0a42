/**
 * The upgrade plan: per component, the installed version and the bundle's, and whether the
 * move is allowed. A downgrade is refused, and so is a skipped minor of KubeEdge or k3s
 * (KubeEdge supports one minor at a time; Kubernetes upgrades one minor at a time too).
 */
import type { BundleInfo } from '../bundle.js'

export interface Change {
  component: string
  from: string
  to: string
}

/** The components each side's bundle pins, in the order the upgrade handles them. */
const COMPONENTS: Record<BundleInfo['side'], string[]> = {
  cloud: ['k3s', 'kubeedge', 'edgemesh'],
  edge: ['containerd', 'runc', 'cni', 'kubeedge']
}
/** Components whose minor must move one at a time. */
const ONE_MINOR = new Set(['kubeedge', 'k3s'])

/** [major, minor, patch, k3s build] of v1.22.0, 1.34.2+k3s1, 1.7.24. */
export function parseVersion(v: string): number[] | null {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:\+k3s(\d+))?/.exec(v.trim())
  if (!m) return null
  return [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0)]
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0)
    if (d !== 0) return Math.sign(d)
  }
  return 0
}

const version = (b: BundleInfo, c: string): string =>
  (b.versions as unknown as Record<string, string | undefined>)[c] ?? '(none)'

export function planChanges(from: BundleInfo, to: BundleInfo): Change[] {
  return COMPONENTS[to.side].map(c => ({
    component: c,
    from: version(from, c),
    to: version(to, c)
  }))
}

export const changed = (changes: Change[], component: string): boolean =>
  changes.some(c => c.component === component && c.from !== c.to)

/** Why this move is refused (downgrade, skipped minor, other side or arch), or null. */
export function planRefusal(from: BundleInfo, to: BundleInfo): string | null {
  if (from.side !== to.side || from.arch !== to.arch)
    return `this host runs the ${from.side} ${from.arch} bundle ${from.name}; upgrade it with a ${from.side} ${from.arch} bundle, not ${to.name}`
  for (const c of planChanges(from, to)) {
    const a = parseVersion(c.from)
    const b = parseVersion(c.to)
    if (!a || !b) {
      if (c.from !== c.to) return `${c.component}: cannot compare ${c.from} with ${c.to}`
      continue
    }
    if (compare(b, a) < 0)
      return `${c.component} ${c.to} is older than the installed ${c.from}: kedge does not downgrade; use upgrade --rollback right after an upgrade, or uninstall and install ${to.name}`
    const [ma = 0, mi = 0] = a
    const [mb = 0, nb = 0] = b
    if (ONE_MINOR.has(c.component) && (mb !== ma || nb > mi + 1)) {
      const next = `${ma}.${mi + 1}`
      return `${c.component} ${c.from} -> ${c.to} skips a minor; upgrade one minor at a time: first to the newest ${c.component} ${next}.x bundle, then to ${to.name}`
    }
  }
  return null
}

/** The plan as lines: "kubeedge  v1.22.0 -> v1.22.2", "containerd  1.7.24 (unchanged)". */
export function planLines(from: BundleInfo, to: BundleInfo): string[] {
  return [
    `upgrade ${from.name} -> ${to.name}`,
    ...planChanges(from, to).map(
      c =>
        `  ${c.component.padEnd(11)} ${c.from === c.to ? `${c.from} (unchanged)` : `${c.from} -> ${c.to}`}`
    )
  ]
}
