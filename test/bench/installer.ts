/**
 * npm run bench, part 3: the installer. `plan` wall time (target < 300 ms), and its image
 * import step against a raw `ctr -n k8s.io images import` of the same archive into the
 * same real containerd (target <= 1.1x). The edge bundle's images are ~80 MiB here.
 */
import { spawnSync } from 'node:child_process'
import { statSync } from 'node:fs'
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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? NaN
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

    const plans: number[] = []
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now()
      const plan = spawnSync(
        process.execPath,
        [join(bundles.edge, 'install.js'), 'plan', '--side', 'edge', ...common],
        { env: { ...process.env, ...host.stubs.env } }
      )
      plans.push(performance.now() - t)
      if (plan.status !== 0) throw new Error(`plan failed: ${plan.stderr.toString()}`)
    }

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
      `installer plan ${median(plans).toFixed(0)} ms wall (median of ${RUNS}; target < 300 ms)`
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
