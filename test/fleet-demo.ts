/**
 * The demo's fleet part (called from demo.ts): the kedge.kubeedge collection rolls this
 * machine's cloud and edge bundles, as the demo built them, out to 1 cloud + 2 edges (in
 * batches of 1) over a REAL sshd on 127.0.0.1 with Debian's ansible-playbook, each host its
 * own --root and its own REAL containerd; k3s, kubectl, keadm, helm, systemctl and ip are RECORDING STUBS. Then a
 * second run, which changes nothing.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { bundleName, type BundleSpec } from '@kedge/bundle'
import * as bed from './bed/index.js'
import { hostArch } from './installer/fixture.js'
import { sha256, startFleet, type Release } from './ansible/fleet.js'

const EDGES = 2

/** A release directory (tarballs + SHA256SUMS) from the demo's output. */
function releaseFrom(out: string, work: string, cloud: string, edge: string): Release {
  const dir = join(work, 'fleet-release')
  mkdirSync(dir, { recursive: true })
  const sums: string[] = []
  for (const name of [cloud, edge]) {
    copyFileSync(join(out, name), join(dir, name))
    sums.push(`${sha256(join(dir, name))}  ${name}`)
  }
  writeFileSync(join(dir, 'SHA256SUMS'), `${sums.join('\n')}\n`)
  return { dir, cloud, edge }
}

export async function fleetDemo(out: string, work: string, spec: BundleSpec): Promise<void> {
  const [cloud, edge] = (['cloud', 'edge'] as const).map(
    s => `${bundleName(spec, s, hostArch)}.tar.gz`
  ) as [string, string]
  if (!existsSync(join(out, cloud)) || !existsSync(join(out, edge))) {
    console.log(
      '\n(no fleet rollout: it needs both the cloud and the edge bundle for this machine)'
    )
    return
  }
  console.log(`\nfleet rollout with Ansible (kedge.kubeedge): 1 cloud + ${String(EDGES)} edges`)
  console.log(
    '  REAL: ansible-playbook, sshd on 127.0.0.1, install.js from the bundles, one containerd per edge'
  )
  console.log(
    '  STUBS: k3s, kubectl, keadm, helm, systemctl, ip (recording); loopback listeners for CloudCore\n'
  )
  const fleetWork = join(work, 'fleet')
  mkdirSync(fleetWork, { recursive: true })
  const fleet = await startFleet(fleetWork, releaseFrom(out, fleetWork, cloud, edge), EDGES)
  try {
    const run = await fleet.play('site', { extraVars: { kedge_edge_batch: 1 } })
    const table = run.stdout.match(/"msg": \[\n([\s\S]*?)\n {4}\]/)?.[1] ?? ''
    console.log(
      table
        .split('\n')
        .map(l => `  ${l.trim().replace(/^"|",?$/g, '')}`)
        .join('\n')
    )
    const recap = Object.entries(run.recap)
      .map(([h, r]) => `${h} changed=${String(r.changed)} failed=${String(r.failed)}`)
      .join(', ')
    console.log(`  first run: ${run.seconds.toFixed(1)} s (${recap})`)
    if (run.code !== 0)
      throw new Error(`site.yml failed (exit ${String(run.code)}):\n${run.stdout.slice(-3000)}`)
    const again = await fleet.play('site', { extraVars: { kedge_edge_batch: 1 } })
    const changed = Object.values(again.recap).reduce((n, r) => n + r.changed, 0)
    const copied = again.results.reduce((n, r) => n + r.copied, 0)
    console.log(
      `  second run: ${again.seconds.toFixed(1)} s, changed=${String(changed)} on every host, ${String(copied)} bundle bytes copied`
    )
  } finally {
    await fleet.stop()
    await bed.removeDir(fleetWork)
  }
}
