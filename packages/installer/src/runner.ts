/**
 * The runner: the side's steps under the journal (a finished step with the same inputs is
 * skipped, so a re-run resumes), and uninstall, which undoes them in reverse order.
 */
import { loadState, saveState, stepHash, STATE_FILE } from './journal.js'
import type { Output } from './output.js'
import {
  cloudSteps,
  edgemeshOn,
  edgeSteps,
  KEDGE_DIR,
  placed,
  PROGRESS_SECONDS,
  type Context,
  type Step
} from './steps/index.js'
import { forgetInstall, recordInstall } from './upgrade/record.js'

export function stepsFor(ctx: Context): Step[] {
  return ctx.bundle.side === 'cloud' ? cloudSteps(ctx) : edgeSteps(ctx)
}

/** The time of the last line a step said, so that a silent step gets a heartbeat. */
class LastSaid {
  at = Date.now()
  touch(): void {
    this.at = Date.now()
  }
}

/**
 * Runs one step; whenever it has said nothing for 10 s (a long keadm join, an image
 * import), a line says what still runs and for how long.
 */
async function withHeartbeat(step: Step, out: Output, last: LastSaid): Promise<void> {
  const started = Date.now()
  last.touch()
  const beat = setInterval(() => {
    if (Date.now() - last.at < PROGRESS_SECONDS * 1000) return
    last.touch()
    const seconds = Math.round((Date.now() - started) / 1000)
    out.line(`  still running ${step.name}: ${seconds} s so far`)
  }, 1000)
  try {
    await step.run()
  } finally {
    clearInterval(beat)
  }
}

/** Runs the steps under the journal; KEDGE_FAIL_AFTER=<step> stops right after that step (crash tests). */
export async function install(
  ctx: Context,
  out: Output
): Promise<Array<{ step: string; status: 'ok' | 'skipped'; seconds?: number }>> {
  const done: Array<{ step: string; status: 'ok' | 'skipped'; seconds?: number }> = []
  const { host } = ctx
  const state = loadState(host)
  state.side = ctx.bundle.side
  state.bundle = ctx.bundle.name
  state.edgemesh = edgemeshOn(ctx)
  if (ctx.bundle.side === 'cloud') {
    state.cloudcore = `${ctx.options.advertiseAddress[0] ?? ''}:${ctx.options.cloudPort}`
    if (ctx.options.kubeconfig) state.kubeconfig = ctx.options.kubeconfig
  }
  const last = new LastSaid()
  const watched: Context = {
    ...ctx,
    say: line => {
      last.touch()
      ctx.say(line)
    }
  }
  let previous = ''
  for (const [i, step] of stepsFor(watched).entries()) {
    const hash = stepHash(previous, step.inputs)
    previous = hash
    const label = `[${i + 1}] ${step.name}`
    if (state.steps[step.name]?.hash === hash) {
      out.line(`${label}: done before, skipped`)
      out.event({ step: step.name, status: 'skipped' })
      done.push({ step: step.name, status: 'skipped' })
      continue
    }
    out.line(`${label}: ${step.title}`)
    out.event({ step: step.name, status: 'running' })
    const started = Date.now()
    host.takeTouched()
    await withHeartbeat(step, out, last)
    const seconds = (Date.now() - started) / 1000
    state.steps[step.name] = {
      hash,
      finishedAt: new Date().toISOString(),
      seconds,
      files: host.takeTouched()
    }
    saveState(host, state)
    out.line(`${label}: ok (${seconds.toFixed(1)} s)`)
    out.event({ step: step.name, status: 'ok', seconds })
    done.push({ step: step.name, status: 'ok', seconds })
    if (process.env.KEDGE_FAIL_AFTER === step.name) {
      out.line(`KEDGE_FAIL_AFTER=${step.name}: stopping here, as asked (crash test)`)
      process.exit(1)
    }
  }
  recordInstall(host, ctx.bundle, ctx.options)
  return done
}

/** The cluster-side undo of a cloud install: EdgeMesh's release, CloudCore, k3s. */
async function resetCloud(ctx: Context, done: (step: string) => boolean): Promise<void> {
  const { host, options } = ctx
  const quiet = { allowFailure: true }
  const kubeconfig = options.kubeconfig ?? host.path('/etc/rancher/k3s/k3s.yaml')
  if (done('edgemesh'))
    await host.run(
      placed(host, 'helm'),
      ['uninstall', 'edgemesh', '-n', 'kubeedge', '--kubeconfig', kubeconfig],
      quiet
    )
  if (done('keadm-init'))
    await host.run(
      placed(host, 'keadm'),
      ['reset', 'cloud', '--force', `--kube-config=${kubeconfig}`],
      quiet
    )
  if (done('install-k3s') && host.exists('/usr/local/bin/k3s-uninstall.sh'))
    await host.run('sh', [host.path('/usr/local/bin/k3s-uninstall.sh')], quiet)
}

export async function uninstall(ctx: Context, out: Output): Promise<string[]> {
  const { host, options, bundle } = ctx
  const state = loadState(host)
  const quiet = { allowFailure: true }
  const done = (step: string) => state.steps[step] !== undefined
  if (bundle.side === 'cloud') {
    await resetCloud(ctx, done)
  } else {
    if (done('keadm-join'))
      await host.run(placed(host, 'keadm'), ['reset', 'edge', '--force'], quiet)
    if (done('start-containerd'))
      await host.run('systemctl', ['disable', '--now', 'containerd'], quiet)
  }
  const kept = [`${KEDGE_DIR}/edge-join.txt`, `${KEDGE_DIR}/edgemesh-psk.txt`]
  const keep = new Set(kept)
  const undone: string[] = []
  for (const [name, record] of Object.entries(state.steps).reverse()) {
    for (const file of [...record.files].reverse()) {
      if (!keep.has(file)) host.restore(file)
    }
    out.line(`undone: ${name}`)
    undone.push(name)
  }
  if (bundle.side === 'edge' && done('start-containerd'))
    await host.run('systemctl', ['daemon-reload'], quiet)
  host.remove(STATE_FILE)
  forgetInstall(host)
  if (options.purge) {
    // Also those a later run reused rather than wrote, and the log.
    for (const file of [...kept, `/var/log/kubeedge-${bundle.side}-install.log`]) host.remove(file)
  }
  out.line(
    options.purge
      ? 'uninstalled; logs, token and PSK removed too (--purge)'
      : `uninstalled; kept the log, ${KEDGE_DIR}/edge-join.txt and edgemesh-psk.txt (use --purge to remove them)`
  )
  return undone
}
