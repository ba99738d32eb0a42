/**
 * npm run bench, part 4: the fleet rollout (kedge.kubeedge over real SSH on loopback; the
 * cluster tools are RECORDING STUBS, containerd is real, one per edge). Measured, never
 * asserted:
 *   - site.yml wall time for 5 and 20 edges (plus the cloud) with forks 5 and 20, every edge
 *     in one batch, from clean roots (bundles copied, cloud and edges installed, verified);
 *   - the sum of the same installs run one after another without Ansible (install.sh
 *     directly), their ratio, and the overhead Ansible adds per host;
 *   - the bundle bytes a re-run copies (expected 0) and what it changes (expected 0).
 * KEDGE_BENCH_FLEET="5:5,5:20,20:5,20:20" picks the edges:forks pairs.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as bed from '../bed/index.js'
import { edgeArgs, runInstaller, TOKEN } from '../installer/fixture.js'
import { standInRelease, startFleet, tokenExpiring, type Fleet } from '../ansible/fleet.js'

const pairs = (process.env.KEDGE_BENCH_FLEET ?? '5:5,5:20,20:5,20:20').split(',').map(p => {
  const [edges, forks] = p.split(':').map(Number)
  return { edges: edges ?? 5, forks: forks ?? 5 }
})

function limit(edges: number): string {
  return ['cloud-1', ...Array.from({ length: edges }, (_, i) => `edge-${String(i + 1)}`)].join(',')
}

/** The same installs without Ansible, one after another: the cloud, then each edge. */
async function directInstalls(fleet: Fleet, edges: number, bundles: string): Promise<number[]> {
  const seconds: number[] = []
  const extracted = join(bundles, fleet.release.cloud.replace(/\.tar\.gz$/, ''))
  const edgeBundle = join(bundles, fleet.release.edge.replace(/\.tar\.gz$/, ''))
  for (const h of fleet.hosts.slice(0, edges + 1)) {
    const env = { ...h.host.stubs.env, KEDGE_METASERVER: fleet.net.metaServer }
    const args =
      h.side === 'cloud'
        ? ['cloud', '--root', h.host.root, '--advertise-address', '127.0.0.1', '--yes']
        : edgeArgs(h.host, h.containerd?.address ?? '', fleet.net, [], h.name).map(a =>
            a === TOKEN ? tokenExpiring(new Date(Date.now() + 86400_000)) : a
          )
    const t = performance.now()
    const run = await runInstaller(h.side === 'cloud' ? extracted : edgeBundle, args, env, true)
    seconds.push((performance.now() - t) / 1000)
    if (run.code !== 0) throw new Error(`direct install on ${h.name} failed: ${run.stderr}`)
    const un = await runInstaller(
      h.side === 'cloud' ? extracted : edgeBundle,
      ['uninstall', '--root', h.host.root, '--purge'],
      env,
      true
    )
    if (un.code !== 0) throw new Error(`direct uninstall on ${h.name} failed: ${un.stderr}`)
  }
  return seconds
}

async function main(): Promise<void> {
  const work = await bed.tempDir('bench-fleet')
  process.env.RUNNER_TOOL_CACHE = join(work, 'tool-cache')
  process.env.RUNNER_TEMP = join(work, 'temp')
  const most = Math.max(...pairs.map(p => p.edges))
  const release = await standInRelease(work)
  const bundles = join(work, 'direct')
  await bed.run('mkdir', ['-p', bundles])
  for (const name of [release.cloud, release.edge])
    await bed.run('tar', ['-xzf', join(release.dir, name), '-C', bundles])
  const fleet = await startFleet(work, release, most)
  const rows: string[][] = []
  try {
    const direct = await directInstalls(fleet, most, bundles)
    for (const { edges, forks } of pairs) {
      const vars = { kedge_edge_batch: edges }
      const run = await fleet.play('site', { forks, extraVars: vars, limit: limit(edges) })
      if (run.code !== 0)
        throw new Error(`site.yml (${String(edges)} edges) failed:\n${run.stdout.slice(-4000)}`)
      const again = await fleet.play('site', { forks, extraVars: vars, limit: limit(edges) })
      const copied = again.results.reduce((n, r) => n + r.copied, 0)
      const changed = Object.values(again.recap).reduce((n, r) => n + r.changed, 0)
      const un = await fleet.play('uninstall', {
        forks,
        extraVars: { kedge_purge: true },
        limit: limit(edges)
      })
      if (un.code !== 0) throw new Error(`uninstall.yml failed:\n${un.stdout.slice(-4000)}`)
      const sum = direct.slice(0, edges + 1).reduce((a, b) => a + b, 0)
      rows.push([
        String(edges),
        String(forks),
        run.seconds.toFixed(1),
        sum.toFixed(1),
        (run.seconds / sum).toFixed(2),
        ((run.seconds - sum) / (edges + 1)).toFixed(2),
        again.seconds.toFixed(1),
        String(changed),
        String(copied)
      ])
    }
  } finally {
    await fleet.stop()
    await bed.removeDir(work)
  }
  const header = [
    'edges',
    'forks',
    'site.yml s',
    'sum direct s',
    'ratio',
    'overhead s/host',
    're-run s',
    're-run changed',
    're-run bundle bytes'
  ]
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => (r[i] ?? '').length)))
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ')
  const out = [
    'fleet rollout (kedge.kubeedge, real ssh + containerd on loopback; cluster tools are STUBS):',
    line(header),
    ...rows.map(line),
    'ratio = site.yml wall time / the same installs run one after another without Ansible;',
    'overhead = (site.yml - sum direct) / hosts (negative: parallel forks won more than Ansible cost).'
  ]
  console.log(out.join('\n'))
  if (process.env.KEDGE_BENCH_OUT) writeFileSync(process.env.KEDGE_BENCH_OUT, `${out.join('\n')}\n`)
}

main().catch((err: unknown) => {
  console.error(`bench fleet: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(1)
})
