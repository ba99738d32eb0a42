/**
 * The text files every bundle carries: install.sh and README.txt. Their text lives in
 * install-scripts/ at the top of the repository (real files, linted with shellcheck); it
 * is read from there, or from beside the built action, where ncc copies what is read
 * through `new URL(..., import.meta.url)`.
 */
import { readFileSync } from 'node:fs'
import type { Arch, BundleSpec, Side } from './spec.js'

/** The shipped texts; each URL is a literal so that ncc finds and copies the file. */
const FILES = {
  'install.sh': new URL('../../../install-scripts/install.sh', import.meta.url),
  'README.cloud.txt': new URL('../../../install-scripts/README.cloud.txt', import.meta.url),
  'README.edge.txt': new URL('../../../install-scripts/README.edge.txt', import.meta.url),
  'README.no-installer.txt': new URL(
    '../../../install-scripts/README.no-installer.txt',
    import.meta.url
  ),
  'README.footer.txt': new URL('../../../install-scripts/README.footer.txt', import.meta.url)
}

/** One file of install-scripts/, with a clear error when the build left it behind. */
export function installScript(name: keyof typeof FILES): string {
  try {
    return readFileSync(FILES[name], 'utf8')
  } catch (err) {
    throw new Error(
      `install-scripts/${name} is missing (${(err as Error).message}): it ships in every bundle; rebuild with npm run build`,
      { cause: err }
    )
  }
}

/** Fills {{key}} placeholders; a placeholder without a value is an error, not a blank. */
export function fill(template: string, values: Record<string, string>, what: string): string {
  return template.replace(/\{\{([a-z0-9_]+)\}\}|@([A-Z_]+)@/g, (_, curly?: string, at?: string) => {
    const key = curly ?? (at ?? '').toLowerCase()
    const value = values[key]
    if (value === undefined) throw new Error(`${what}: no value for the placeholder ${key}`)
    return value
  })
}

/**
 * install.sh: runs install.js with node >= 18 from PATH, or else with the node runtime in
 * runtime/ (unpacked to a temporary directory). POSIX sh; no bashisms.
 */
export function installSh(nodeTarball: string): string {
  return fill(installScript('install.sh'), { node_tarball: nodeTarball }, 'install.sh')
}

/** README.txt: the offline install steps for this side, and how to verify. */
export function readmeTxt(
  spec: BundleSpec,
  side: Side,
  arch: Arch,
  name: string,
  hasInstaller: boolean
): string {
  const v = spec.versions
  const body = fill(
    installScript(side === 'cloud' ? 'README.cloud.txt' : 'README.edge.txt'),
    {
      name,
      underline: '='.repeat(name.length),
      arch,
      kubeedge: v.kubeedge,
      k3s: v.k3s,
      edgemesh: v.edgemesh,
      containerd: v.containerd,
      runc: v.runc,
      cni: v.cni,
      mosquitto: spec.mosquitto.enabled ? ', mosquitto' : ''
    },
    `README.${side}.txt`
  )
  const note = hasInstaller ? '' : `${installScript('README.no-installer.txt')}\n`
  return `${body}\n${note}${installScript('README.footer.txt')}`
}
