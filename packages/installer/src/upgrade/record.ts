/**
 * What an install records for a later upgrade, under /var/lib/kedge: a verbatim copy of the
 * installed bundle's meta/bundle.json with its sha256, and the install options the upgrade
 * must repeat (node name, addresses, relays, cgroup driver; never the token).
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { BundleInfo } from '../bundle.js'
import type { Host } from '../host.js'
import type { Options } from '../options.js'
import { KEDGE_DIR } from '../steps/common.js'

export const INSTALLED_BUNDLE = `${KEDGE_DIR}/bundle.json`
export const INSTALL_OPTIONS = `${KEDGE_DIR}/install-options.json`

/** The options an upgrade repeats; the rest (token, prompts) are not needed again. */
const KEPT = [
  'containerdAddress',
  'advertiseAddress',
  'nodeName',
  'edgemesh',
  'relayNodes',
  'kubeconfig',
  'disableTraefik',
  'cloudIp',
  'cloudPort',
  'certPort',
  'cgroupDriver',
  'labels'
] as const

export type RecordedOptions = Partial<Pick<Options, (typeof KEPT)[number]>>

export interface Installed {
  bundle: BundleInfo & { files?: Array<{ path: string; sha256: string }> }
  /** sha256 of the recorded bundle.json text (a delta names its base's). */
  sha256: string
  options: RecordedOptions
}

export const sha256Text = (text: string): string => createHash('sha256').update(text).digest('hex')

/** Writes the bundle.json copy and the options (after an install or an upgrade). */
export function recordInstall(host: Host, bundle: BundleInfo, options: Options): void {
  host.write(INSTALLED_BUNDLE, readFileSync(join(bundle.dir, 'meta', 'bundle.json')), 0o644)
  const kept: Record<string, unknown> = {}
  for (const k of KEPT) if (options[k] !== undefined) kept[k] = options[k]
  host.write(INSTALL_OPTIONS, `${JSON.stringify(kept, null, 2)}\n`, 0o600)
}

/** What uninstall removes: the records, the upgrade journal and its backups. */
export function forgetInstall(host: Host): void {
  for (const p of [
    INSTALLED_BUNDLE,
    INSTALL_OPTIONS,
    `${KEDGE_DIR}/upgrade.json`,
    `${KEDGE_DIR}/upgrade-backup`
  ])
    host.remove(p)
}

/**
 * The installed bundle as recorded, or null when this host has no record. With `under`, the
 * record as copied there (an upgrade's backup holds the one from before the upgrade).
 */
export function readInstalled(host: Host, under = ''): Installed | null {
  const [record, opts] = [`${under}${INSTALLED_BUNDLE}`, `${under}${INSTALL_OPTIONS}`]
  if (!host.exists(record)) return null
  const text = host.read(record)
  let bundle: Installed['bundle']
  let options: RecordedOptions = {}
  try {
    bundle = JSON.parse(text) as Installed['bundle']
    if (host.exists(opts)) options = JSON.parse(host.read(opts)) as RecordedOptions
  } catch {
    throw new Error(
      `${host.path(record)} or ${host.path(opts)} is not valid JSON; put back the installed bundle's meta/bundle.json`
    )
  }
  return { bundle, sha256: sha256Text(text), options }
}
