/**
 * verify's version checks: which bundle the host records as installed, and the version the
 * running parts report (edgecore --version on the edge; the cloudcore image tag on the
 * cloud), against this bundle's.
 */
import { deltaSection } from '@kedge/bundle/delta-check'
import type { BundleInfo } from '../bundle.js'
import type { Host } from '../host.js'
import type { Check } from '../verify.js'
import { vVersion } from './context.js'
import { UPGRADE_FILE } from './journal.js'
import { readInstalled, type Installed } from './record.js'

/** The full bundle a record stands for: a delta stands for its target. */
export function identity(bundle: unknown, sha256: string): { name: string; sha256: string } {
  const delta = deltaSection(bundle)
  if (delta) return { name: delta.target.name, sha256: delta.target.bundleJsonSha256 ?? '' }
  return { name: (bundle as { name: string }).name, sha256 }
}

export const installedName = (i: Installed): string => identity(i.bundle, i.sha256).name

async function runningVersion(
  host: Host,
  bundle: BundleInfo,
  kubectl: (a: string[]) => Promise<{ stdout: string }>
): Promise<string> {
  if (bundle.side === 'edge') {
    const out = await host.run(host.path('/usr/local/bin/edgecore'), ['--version'], {
      allowFailure: true
    })
    return /v\d+\.\d+\.\d+/.exec(out.stdout)?.[0] ?? 'unknown'
  }
  const out = await kubectl([
    '-n',
    'kubeedge',
    'get',
    'deployment',
    'cloudcore',
    '-o',
    'jsonpath={..image}'
  ])
  return /cloudcore:(v[\d.]+)/.exec(out.stdout)?.[1] ?? 'unknown'
}

/** After an upgrade (the host has an upgrade journal): the version checks; else none. */
export async function upgradedChecks(
  host: Host,
  bundle: BundleInfo,
  kubectl: (a: string[]) => Promise<{ stdout: string }>
): Promise<Check[]> {
  return host.exists(UPGRADE_FILE) ? versionChecks(host, bundle, kubectl) : []
}

export async function versionChecks(
  host: Host,
  bundle: BundleInfo,
  kubectl: (a: string[]) => Promise<{ stdout: string }>
): Promise<Check[]> {
  const installed = readInstalled(host)
  const want = identity(bundle, '').name
  const name = installed ? installedName(installed) : 'none recorded'
  const v = (installed?.bundle.versions ?? {}) as Record<string, string>
  const ke = vVersion(bundle.versions.kubeedge)
  const running = await runningVersion(host, bundle, kubectl).catch(
    (err: unknown) => `unknown (${(err as Error).message})`
  )
  return [
    {
      name: 'installed bundle',
      ok: name === want,
      detail: `${name}: ${Object.entries(v)
        .filter(([k]) => k !== 'node')
        .map(([k, x]) => `${k} ${x}`)
        .join(', ')}`,
      hint: `this host runs ${name}, not ${want}: node install.js upgrade`
    },
    {
      name: `${bundle.side === 'edge' ? 'edgecore' : 'cloudcore'} version`,
      ok: running === ke,
      detail: running,
      hint: `expected ${ke}: node install.js upgrade, or see the upgrade log`
    }
  ]
}
