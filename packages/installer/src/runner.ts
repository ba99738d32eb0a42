/**
 * The runner: the side's steps under the journal (a finished step with the same inputs is
 * skipped, so a re-run resumes), and uninstall, which undoes them in reverse order.
 * Every step is journaled as started before it runs, and every write before it happens
 * (journal.ts), so a run killed anywhere is resumed by running the same command again.
 */
import {
  crashPoint,
  journalWrites,
  loadState,
  saveState,
  stepHash,
  STATE_FILE,
  type State
} from './journal.js'
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

/** Whether the step began (finished, or started and cut short). */
export function begun(state: State, step: string): boolean {
  return state.steps[step] !== undefined || state.started?.name === step
}

async function runStep(
  ctx: Context,
  state: State,
  step: Step,
  hash: string,
  beat: { out: Output; last: LastSaid }
): Promise<number> {
  const { host } = ctx
  const cutShort = state.started?.name === step.name
  const changed = state.steps[step.name] !== undefined
  state.started = { name: step.name, hash, at: new Date().toISOString() }
  saveState(host, state)
  crashPoint(step.name, 'start')
  if ((cutShort || changed) && step.recover) await step.recover(cutShort)
  for (const p of step.claims ?? []) host.claim(p)
  const started = Date.now()
  host.takeTouched()
  await withHeartbeat(step, beat.out, beat.last)
  crashPoint(step.name, 'end')
  const seconds = (Date.now() - started) / 1000
  state.steps[step.name] = {
    hash,
    finishedAt: new Date().toISOString(),
    seconds,
    files: host.takeTouched()
  }
  delete state.started
  saveState(host, state)
  return seconds
}

type Done = Array<{ step: string; status: 'ok' | 'skipped'; seconds?: number }>

/** Runs the steps under the journal. */
export async function install(ctx: Context, out: Output): Promise<Done> {
  const done: Done = []
  const { host } = ctx
  const state = loadState(host)
  state.side = ctx.bundle.side
  state.bundle = ctx.bundle.name
  state.edgemesh = edgemeshOn(ctx)
  if (ctx.bundle.side === 'cloud') {
    state.cloudcore = `${ctx.options.advertiseAddress[0] ?? ''}:${ctx.options.cloudPort}`
    if (ctx.options.kubeconfig) state.kubeconfig = ctx.options.kubeconfig
  }
  journalWrites(host, state)
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
    if (state.steps[step.name]?.hash === hash && state.started?.name !== step.name) {
      out.line(`${label}: done before, skipped`)
      out.event({ step: step.name, status: 'skipped' })
      done.push({ step: step.name, status: 'skipped' })
      continue
    }
    out.line(`${label}: ${step.title}`)
    out.event({ step: step.name, status: 'running' })
    const seconds = await runStep(watched, state, step, hash, { out, last })
    out.line(`${label}: ok (${seconds.toFixed(1)} s)`)
    out.event({ step: step.name, status: 'ok', seconds })
    done.push({ step: step.name, status: 'ok', seconds })
    if (process.env.KEDGE_FAIL_AFTER === step.name) {
      out.line(`KEDGE_FAIL_AFTER=${step.name}: stopping here, as asked (crash test)`)
      process.exit(1)
    }
  }
  recordInstall(host, ctx.bundle, ctx.options)
  host.setGuard(undefined)
  return done
}

/** The cluster-side undo of a cloud install: EdgeMesh's release, CloudCore, k3s. */
function cloudUndo(ctx: Context, state: State): Array<[string, string[]]> {
  const { host, options } = ctx
  const kubeconfig = options.kubeconfig ?? host.path('/etc/rancher/k3s/k3s.yaml')
  const did = (s: string) => begun(state, s)
  return [
    ...(did('edgemesh')
      ? [
          [
            placed(host, 'helm'),
            ['uninstall', 'edgemesh', '-n', 'kubeedge', '--kubeconfig', kubeconfig]
          ]
        ]
      : []),
    ...(did('keadm-init')
      ? [[placed(host, 'keadm'), ['reset', 'cloud', '--force', `--kube-config=${kubeconfig}`]]]
      : []),
    ...(did('install-k3s') && host.exists('/usr/local/bin/k3s-uninstall.sh')
      ? [['sh', [host.path('/usr/local/bin/k3s-uninstall.sh')]]]
      : [])
  ] as Array<[string, string[]]>
}

/** The edge's undo: the images (--purge), keadm reset edge, containerd stopped. */
function edgeUndo(ctx: Context, state: State): Array<[string, string[]]> {
  const { host, options, bundle } = ctx
  const ctr = ['--address', options.containerdAddress, '--namespace', 'k8s.io']
  const did = (s: string) => begun(state, s)
  return [
    ...(options.purge && did('import-images')
      ? [[placed(host, 'ctr'), [...ctr, 'images', 'rm', ...bundle.images.map(i => i.name)]]]
      : []),
    ...(did('keadm-join') ? [[placed(host, 'keadm'), ['reset', 'edge', '--force']]] : []),
    ...(did('start-containerd') ? [['systemctl', ['disable', '--now', 'containerd']]] : [])
  ] as Array<[string, string[]]>
}

/** What uninstall does, in order: commands, then files restored or removed, then directories. */
function undoPlan(ctx: Context, state: State, kept: Set<string>) {
  const legacy = Object.values(state.steps).flatMap(r => r.files)
  const files = [...new Set([...(state.written ?? []), ...legacy])]
    .filter(f => !kept.has(f) && f !== STATE_FILE)
    .reverse()
  return {
    commands: ctx.bundle.side === 'cloud' ? cloudUndo(ctx, state) : edgeUndo(ctx, state),
    files,
    dirs: [...(state.dirs ?? [])].reverse()
  }
}

export async function uninstall(ctx: Context, out: Output): Promise<string[]> {
  const { host, options, bundle } = ctx
  const state = loadState(host)
  const keptFiles = [`${KEDGE_DIR}/edge-join.txt`, `${KEDGE_DIR}/edgemesh-psk.txt`]
  const kept = new Set(options.purge ? [] : keptFiles)
  const plan = undoPlan(ctx, state, kept)
  if (options.dryRun) {
    out.line(`uninstall plan for ${bundle.name} on ${host.path('/')}; nothing is changed:`)
    for (const [c, a] of plan.commands) out.line(`  run ${host.mask([c, ...a].join(' '))}`)
    for (const f of plan.files)
      out.line(`  ${(state.backedUp ?? []).includes(f) ? 'restore' : 'remove'} ${f}`)
    out.line(`  remove ${STATE_FILE}, then each directory kedge made, if empty`)
    return []
  }
  for (const [c, a] of plan.commands) await host.run(c, a, { allowFailure: true })
  for (const f of plan.files) host.restore(f)
  // Also those a later run reused rather than wrote.
  if (options.purge) for (const f of keptFiles) host.remove(f)
  const undone = Object.keys(state.steps).reverse()
  for (const name of undone) out.line(`undone: ${name}`)
  if (bundle.side === 'edge' && begun(state, 'start-containerd'))
    await host.run('systemctl', ['daemon-reload'], { allowFailure: true })
  host.remove(STATE_FILE)
  forgetInstall(host)
  for (const dir of plan.dirs) host.removeEmptyDir(dir)
  // Last: logging would write it again.
  if (options.purge) host.remove(`/var/log/kubeedge-${bundle.side}-install.log`)
  out.line(
    options.purge
      ? 'uninstalled; images, logs, token and PSK removed too (--purge)'
      : `uninstalled; kept the log, the images in containerd, ${KEDGE_DIR}/edge-join.txt and edgemesh-psk.txt (use --purge to remove them)`
  )
  return undone
}
