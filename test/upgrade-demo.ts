/**
 * The upgrade part of npm run demo: release N (KubeEdge v1.22.0, the release before the pin:
 * its keadm STAND-IN and synthetic images) built by the package-bundle action, then N+1 (the
 * pinned v1.22.2) built by the same action with input `base` (N's bundle.json), so it also
 * writes the delta N -> N+1. Then a temporary root gets edge bundle N installed and is
 * upgraded through the delta: the REAL containerd takes the new layers on top of N's;
 * systemctl, keadm and ip are RECORDING STUBS.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { dump } from 'js-yaml'
import type { BundleSpec } from '@kedge/bundle'
import * as bed from './bed/index.js'
import { edgeArgs, fakeHost, hostArch, listeners, runInstaller } from './installer/fixture.js'
import { runAction } from './lib/action-runner.js'

export interface UpgradeDemo {
  server: bed.FileServer
  registry: bed.Registry
  spec: BundleSpec
  /** Where bundle N (edge, this machine's arch) was written. */
  out: string
  work: string
}

const indent = (text: string): string =>
  text
    .trimEnd()
    .split('\n')
    .map(l => `  ${l}`)
    .join('\n')
const kib = (file: string): string => `${(statSync(file).size / 1024).toFixed(0)} KiB`

/** One edge bundle for this machine through the package-bundle action; its outputs. */
async function packEdge(
  d: UpgradeDemo,
  spec: BundleSpec,
  name: string,
  extra: Record<string, string> = {}
): Promise<Record<string, string>> {
  const specFile = join(d.work, `kedge-${name}.yaml`)
  writeFileSync(specFile, dump(spec))
  const packed = await runAction(
    'package-bundle',
    {
      side: 'edge',
      arch: hostArch,
      spec: specFile,
      'output-dir': join(d.out, name),
      mirrors: `docker.io=${d.registry.url}`,
      'insecure-registries': d.registry.host,
      ...extra
    },
    { RUNNER_TOOL_CACHE: join(d.work, 'tool-cache') }
  )
  if (packed.code !== 0)
    throw new Error(`package-bundle (${name}) failed:\n${packed.stdout.slice(-2000)}`)
  return packed.outputs
}

/** N (v1.22.0), then N+1 (the pinned spec) and the delta through the input base. */
async function buildPair(d: UpgradeDemo): Promise<{ base: string; full: string; delta: string }> {
  const previous = await bed.previousRelease(d.server, d.registry, d.spec)
  const n = await packEdge(d, previous, 'previous')
  const next = await packEdge(d, d.spec, 'next', {
    base: n.manifest ?? '',
    'base-sha256': n.sha256 ?? ''
  })
  return {
    base: (n.bundle ?? '').replace(/\.tar\.gz$/, ''),
    full: next.bundle ?? '',
    delta: next['delta-bundle'] ?? ''
  }
}

export async function upgradeDemo(d: UpgradeDemo): Promise<void> {
  console.log(
    `\nupgrade: KubeEdge ${bed.PREVIOUS_KUBEEDGE} -> ${d.spec.versions.kubeedge}, carried as a delta`
  )
  const { base, full, delta } = await buildPair(d)
  console.log(`  bundle N  ${kib(`${base}.tar.gz`)}  ${base}.tar.gz`)
  console.log(`  full N+1  ${kib(full)}  ${full}`)
  console.log(`  delta     ${kib(delta)}  ${delta}`)
  console.log(
    `  the delta is ${((100 * statSync(delta).size) / statSync(full).size).toFixed(1)} % of the full bundle\n`
  )
  const x = join(d.work, 'upgrade-x')
  mkdirSync(x, { recursive: true })
  for (const t of [`${base}.tar.gz`, delta]) await bed.run('tar', ['-xzf', t, '-C', x])
  const dir = (t: string): string =>
    join(
      x,
      t
        .split('/')
        .pop()
        ?.replace(/\.tar\.gz$/, '') ?? ''
    )
  const containerd = await bed.startContainerd()
  const net = await listeners()
  try {
    const host = fakeHost(d.work)
    const env = { ...host.stubs.env, KEDGE_METASERVER: net.metaServer }
    const args = edgeArgs(host, containerd.address, net, [], 'demo-edge')
    const install = await runInstaller(dir(`${base}.tar.gz`), args, env, true)
    if (install.code !== 0) throw new Error(`install.js edge (N) failed:\n${install.stderr}`)
    console.log(
      `  bundle N installed (${String(install.stdout.split('\n').length)} lines of output)`
    )
    const upgrade = await runInstaller(
      dir(delta),
      ['upgrade', '--root', host.root, '--yes'],
      env,
      true
    )
    console.log(indent(upgrade.stdout))
    if (upgrade.code !== 0) throw new Error(`install.js upgrade failed:\n${upgrade.stderr}`)
  } finally {
    await net.close()
    await containerd.stop()
  }
}
