/**
 * `install.js upgrade --rollback`: back to the bundle the host ran before the last upgrade.
 * Edge: keadm rollback edge (edgecore, edgecore.yaml, edgecore.db from keadm's backup), the
 * runtime files, containerd restarted. Cloud: helm rollback of EdgeMesh and of cloudcore to
 * the revisions recorded before (keadm has no cloud rollback; its upgrade is a helm upgrade
 * of the release cloudcore), the k3s binary, k3s restarted. Then kedge's own records.
 * Images the upgrade imported stay in containerd; the old ones were never removed.
 */
import { loadState, saveState } from '../journal.js'
import type { Output } from '../output.js'
import { placed, type Context } from '../steps/common.js'
import { restoreFiles } from './backup.js'
import { KEADM_LOCK } from './edge.js'
import { loadUpgrade, UPGRADE_FILE, type UpgradeState } from './journal.js'
import { UpgradeRefused } from './run.js'

const EDGECORE_YAML = '/etc/kubeedge/config/edgecore.yaml'

/** The helm revisions recorded before the upgrade (backup/helm-revisions.json). */
function revisions(ctx: Context, state: UpgradeState): Record<string, number> {
  const file = `${state.backup}/helm-revisions.json`
  return ctx.host.exists(file) ? (JSON.parse(ctx.host.read(file)) as Record<string, number>) : {}
}

async function rollbackCloud(
  ctx: Context,
  state: UpgradeState,
  began: (s: string) => boolean
): Promise<string[]> {
  const { host, options } = ctx
  const kubeconfig = options.kubeconfig ?? host.path('/etc/rancher/k3s/k3s.yaml')
  const done: string[] = []
  const revs = revisions(ctx, state)
  for (const [step, release] of [
    ['upgrade-edgemesh', 'edgemesh'],
    ['upgrade-cloudcore', 'cloudcore']
  ] as const) {
    if (!began(step)) continue
    const rev = revs[release]
    if (rev === undefined)
      throw new Error(
        `no recorded helm revision of ${release} in ${host.path(state.backup)}: roll it back by hand (helm history ${release} -n kubeedge)`
      )
    await host.run(
      placed(host, 'helm'),
      ['rollback', release, String(rev), '-n', 'kubeedge', '--kubeconfig', kubeconfig],
      { timeoutMs: 600_000 }
    )
    done.push(`helm release ${release} back to revision ${rev}`)
  }
  done.push(...restoreFiles(host, state.backup))
  if (began('upgrade-k3s')) {
    await host.run('systemctl', ['restart', 'k3s'])
    done.push('restarted k3s with the previous binary')
  }
  return done
}

async function rollbackEdge(
  ctx: Context,
  state: UpgradeState,
  began: (s: string) => boolean
): Promise<string[]> {
  const { host } = ctx
  const done: string[] = []
  if (began('keadm-upgrade')) {
    // A keadm upgrade edge killed half way left its lock, which keadm rollback edge refuses.
    if (!state.steps['keadm-upgrade'] && host.exists(KEADM_LOCK)) {
      host.remove(KEADM_LOCK)
      done.push(`removed ${KEADM_LOCK} (left by a keadm upgrade edge cut short)`)
    }
    await host.run(
      placed(host, 'keadm'),
      ['rollback', 'edge', `--config=${host.path(EDGECORE_YAML)}`],
      {
        timeoutMs: 600_000
      }
    )
    done.push(
      'keadm rollback edge: edgecore, edgecore.yaml and edgecore.db from /etc/kubeedge/backup/'
    )
  }
  done.push(...restoreFiles(host, state.backup))
  const replaced = state.steps['upgrade-runtime']?.files ?? []
  if (began('upgrade-runtime') && (replaced.length > 0 || !state.steps['upgrade-runtime'])) {
    await host.run('systemctl', ['restart', 'containerd'])
    done.push('restarted containerd with the previous binaries')
  }
  if (began('upgrade-edgecore-config') || began('keadm-upgrade')) {
    await host.run('systemctl', ['restart', 'edgecore'])
    done.push('restarted edgecore')
  }
  return done
}

export async function rollback(ctx: Context, out: Output): Promise<void> {
  const { host } = ctx
  const state = loadUpgrade(host)
  if (!state)
    throw new UpgradeRefused(`no upgrade to roll back: ${host.path(UPGRADE_FILE)} is absent`)
  const began = (s: string): boolean => (state.started ?? []).includes(s) || s in state.steps
  out.line(`rolling back ${state.to} -> ${state.from}`)
  const done =
    ctx.bundle.side === 'cloud'
      ? await rollbackCloud(ctx, state, began)
      : await rollbackEdge(ctx, state, began)
  const main = loadState(host)
  main.bundle = state.from
  saveState(host, main)
  host.remove(UPGRADE_FILE)
  for (const line of done) out.line(`  ${line}`)
  out.event({ rollback: { from: state.to, to: state.from, restored: done } })
  out.line(
    `rolled back to ${state.from}; the new images stay in containerd (unused); the backup stays in ${host.path(state.backup)}`
  )
}
