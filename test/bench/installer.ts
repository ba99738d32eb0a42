/**
 * npm run bench, part 3: the installer. `plan` wall time, idle and with every core kept busy
 * by a spinning process (target < 300 ms loaded, on a 2-core machine), and its image import
 * step against a raw `ctr -n k8s.io images import` of the same archive into the same real
 * containerd (target <= 1.1x). The edge bundle's images are ~80 MiB here.
 */
import { spawn, spawnSync } from 'node:child_process'
import { statSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import * as bed from '../bed/index.js'
import {
  buildBundles,
  edgeArgs,
  fakeHost,
  hostArch,
  listeners,
  runInstaller,
  TOKEN
} from '../installer/fixture.js'

const MB = 1024 * 1024
const RUNS = 5
const PLAN_RUNS = 11

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? NaN
}

/**
 * Wall times (ms) of `runs` runs of node with install.js plan's arguments and with `-e 0`
 * (node itself: the part of plan's time no installer change removes), taken in turns so
 * that both see the same load.
 */
function planTimes(
  runs: number,
  argv: string[],
  env: NodeJS.ProcessEnv
): { plan: number[]; node: number[] } {
  const times = { plan: [] as number[], node: [] as number[] }
  for (let i = 0; i < runs; i++) {
    for (const [key, args] of [
      ['plan', argv],
      ['node', ['-e', '0']]
    ] as const) {
      const t = performance.now()
      const run = spawnSync(process.execPath, args, { env })
      times[key].push(performance.now() - t)
      if (run.status !== 0) throw new Error(`${key} failed: ${run.stderr.toString()}`)
    }
  }
  return times
}

/** Runs `body` while `cores` processes spin, one per core; stops them after. */
async function whileBusy<T>(cores: number, body: () => T): Promise<T> {
  const spinners = Array.from({ length: cores }, () =>
    spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' })
  )
  try {
    // Let every spinner start before the first run is timed.
    await new Promise(r => setTimeout(r, 300))
    return body()
  } finally {
    await Promise.all(
      spinners.map(s => {
        const exited = new Promise(r => s.once('exit', r))
        s.kill('SIGKILL')
        return exited
      })
    )
  }
}

async function main(): Promise<void> {
  const work = await bed.tempDir('bench-installer')
  process.env.RUNNER_TOOL_CACHE = join(work, 'tool-cache')
  process.env.RUNNER_TEMP = join(work, 'temp')
  const registry = await bed.startRegistry()
  const server = await bed.startFileServer()
  const net = await listeners()
  try {
    const spec = await bed.bedSpec(server, registry, { baseSize: 4 * MB, layerSize: 18 * MB })
    const bundles = await buildBundles(spec, work)
    const host = fakeHost(work)
    const common = [
      '--root',
      host.root,
      '--cloudcore-ipport',
      `127.0.0.1:${String(net.cloudPort)}`,
      '--token',
      TOKEN,
      '--yes'
    ]

    const planArgv = [join(bundles.edge, 'install.js'), 'plan', '--side', 'edge', ...common]
    const planEnv = { ...process.env, ...host.stubs.env }
    planTimes(1, planArgv, planEnv) // warm the page cache
    const idle = planTimes(PLAN_RUNS, planArgv, planEnv)
    const cores = availableParallelism()
    const loaded = await whileBusy(cores, () => planTimes(PLAN_RUNS, planArgv, planEnv))

    const archive = join(bundles.edge, 'images', 'edge-images.tar')
    const raw: number[] = []
    const step: number[] = []
    for (let i = 0; i < RUNS; i++) {
      const containerd = await bed.startContainerd()
      try {
        const t = performance.now()
        await containerd.importImages(archive, { platform: `linux/${hostArch}` })
        raw.push(performance.now() - t)
      } finally {
        await containerd.stop()
      }
      const fresh = await bed.startContainerd()
      try {
        const h = fakeHost(work)
        const run = await runInstaller(bundles.edge, edgeArgs(h, fresh.address, net, ['--json']), {
          ...h.stubs.env,
          KEDGE_FAIL_AFTER: 'import-images'
        })
        const event = run.stdout
          .split('\n')
          .filter(Boolean)
          .map(l => JSON.parse(l) as { step?: string; status?: string; seconds?: number })
          .find(e => e.step === 'import-images' && e.status === 'ok')
        if (!event?.seconds) throw new Error(`no import-images timing: ${run.stdout}${run.stderr}`)
        step.push(event.seconds * 1000)
      } finally {
        await fresh.stop()
      }
    }
    const size = statSync(archive).size
    console.log('')
    console.log(
      `installer plan ${median(idle.plan).toFixed(0)} ms idle, ${median(loaded.plan).toFixed(0)} ms loaded (${cores} busy cores) (wall, median of ${PLAN_RUNS}; target < 300 ms loaded on 2 cores)`
    )
    console.log(
      `  node -e 0 alone: ${median(idle.node).toFixed(0)} ms idle, ${median(loaded.node).toFixed(0)} ms loaded`
    )
    console.log(
      `installer import ${(median(step) / median(raw)).toFixed(2)}× raw ctr import   (step ${median(step).toFixed(0)} ms incl. the listing check, ctr ${median(raw).toFixed(0)} ms; ${(size / MB).toFixed(0)} MiB; target <= 1.1×)`
    )
  } finally {
    await net.close()
    await server.stop()
    await registry.stop()
    await bed.removeDir(work)
  }
}

await main()
