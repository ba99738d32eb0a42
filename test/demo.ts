/**
 * npm run demo -- [--out DIR] [--side cloud|edge] [--arch amd64|arm64] [--no-install]
 *
 * Builds offline KubeEdge bundles end to end on this machine, with no network: the test
 * bed's registry holds synthetic images under the real names, and its file server holds
 * STAND-IN release assets (keadm, k3s, containerd, ... are small scripts) with real
 * checksum files. The bundles go through the same action entry points a workflow uses
 * (node dist/<action>/index.js with INPUT_*). With no --side/--arch it builds all four.
 * Then (unless --no-install) it installs this machine's edge bundle into a temporary root: the REAL
 * containerd (the test bed's) takes the images; systemctl, keadm and ip are RECORDING
 * STUBS; loopback listeners stand in for CloudCore. Then it runs verify, and upgrades that
 * host to KubeEdge v1.22.2 through a delta bundle (upgrade-demo.ts).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { dump } from 'js-yaml'
import {
  ARCHES,
  bundleName,
  SIDES,
  sideImages,
  type Arch,
  type BundleSpec,
  type Side
} from '@kedge/bundle'
import { parseReference } from '@kedge/oci'
import * as bed from './bed/index.js'
import { edgeArgs, fakeHost, hostArch, listeners, runInstaller } from './installer/fixture.js'
import { runAction } from './lib/action-runner.js'
import { upgradeDemo } from './upgrade-demo.js'
import { fleetDemo } from './fleet-demo.js'

function usage(message: string): never {
  console.error(`demo: ${message}\n(npm run demo -- --help for the options)`)
  process.exit(2)
}

async function main(): Promise<void> {
  let args
  try {
    args = parseArgs({
      options: {
        out: { type: 'string' },
        side: { type: 'string' },
        arch: { type: 'string' },
        'no-install': { type: 'boolean' }
      }
    })
  } catch (err) {
    usage((err as Error).message)
  }
  const sides = args.values.side ? [args.values.side] : [...SIDES]
  const arches = args.values.arch ? [args.values.arch] : [...ARCHES]
  for (const s of sides)
    if (!(SIDES as readonly string[]).includes(s))
      usage(`--side: expected cloud or edge, got "${s}"`)
  for (const a of arches)
    if (!(ARCHES as readonly string[]).includes(a))
      usage(`--arch: expected amd64 or arm64, got "${a}"`)
  const out = resolve(args.values.out ?? 'kedge-demo-out')
  mkdirSync(out, { recursive: true })

  console.log('kedge demo: offline bundle build')
  console.log(
    '  SIMULATED: release assets are stand-ins (small scripts with real checksum files) on a'
  )
  console.log(
    '  loopback file server; images are synthetic, under the real names, in a local registry.'
  )
  console.log(
    '  REAL: the action entry points, the registry protocol, digest and checksum checks, the'
  )
  console.log('  archive formats.\n')

  const started = Date.now()
  const registry = await bed.startRegistry()
  const server = await bed.startFileServer()
  const work = await bed.tempDir('demo')
  try {
    const spec = await bed.bedSpec(server, registry)
    const specFile = join(work, 'kedge.yaml')
    writeFileSync(specFile, dump(spec))
    const env = { RUNNER_TOOL_CACHE: join(work, 'tool-cache') }
    const fail = (what: string, run: { code: number | null; stdout: string }): never => {
      const errors = run.stdout.split('\n').filter(l => l.startsWith('::error::'))
      throw new Error(
        `${what} failed (exit ${String(run.code)}):\n${errors.join('\n') || run.stdout.slice(-2000)}`
      )
    }
    const crds = sides.includes('cloud')
      ? await runAction('fetch-crds', { spec: specFile, 'output-dir': join(work, 'crds') }, env)
      : undefined
    if (crds && crds.code !== 0) fail('fetch-crds', crds)
    const rows: string[][] = []
    for (const side of sides as Side[]) {
      for (const arch of arches as Arch[]) {
        const t0 = Date.now()
        const images = [
          ...sideImages(spec, side),
          ...(side === 'cloud' ? bed.k3sStandInImages() : [])
        ]
        const fetched = await runAction('fetch-images', {
          images: images.join('\n'),
          platform: `linux/${arch}`,
          output: join(work, 'images', `${side}-${arch}.tar`),
          mirrors: `docker.io=${registry.url}`,
          'insecure-registries': registry.host,
          'cache-dir': join(work, 'blobs')
        })
        if (fetched.code !== 0) fail(`fetch-images ${side}/${arch}`, fetched)
        const packed = await runAction(
          'package-bundle',
          {
            side,
            arch,
            spec: specFile,
            'images-archive': fetched.outputs.archive ?? '',
            ...(side === 'cloud' ? { 'crds-dir': crds?.outputs.dir ?? '' } : {}),
            'output-dir': out
          },
          env
        )
        if (packed.code !== 0) fail(`package-bundle ${side}/${arch}`, packed)
        const bundle = packed.outputs.bundle ?? ''
        const manifest = JSON.parse(readFileSync(packed.outputs.manifest ?? '', 'utf8')) as {
          images: Array<{ name: string }>
        }
        rows.push([
          bundle.split('/').pop() ?? bundle,
          `${(statSync(bundle).size / 1024).toFixed(0)} KiB`,
          String(manifest.images.length),
          `${((Date.now() - t0) / 1000).toFixed(1)} s`,
          (packed.outputs.sha256 ?? '').slice(0, 16)
        ])
      }
    }
    const header = ['bundle', 'size', 'images', 'build', 'sha256']
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => (r[i] ?? '').length)))
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')
    console.log(line(header))
    for (const row of rows) console.log(line(row))
    console.log(
      `\n${rows.length} bundle(s) in ${out}, ${((Date.now() - started) / 1000).toFixed(1)} s in all.`
    )
    console.log('Each has SHA256SUMS (check with sha256sum -c inside it) and meta/bundle.json.')
    console.log(
      'Reminder: the binaries inside are STAND-INS; a release build (GitHub, internet) carries the real ones.'
    )
    await compareWithSkopeo(spec, registry, work)
    const installing =
      !args.values['no-install'] && sides.includes('edge') && arches.includes(hostArch)
    if (installing) {
      await installEdge(out, work, bundleName(spec, 'edge', hostArch))
      await upgradeDemo({ server, registry, spec, out, work })
    } else if (!args.values['no-install'])
      console.log(`\n(no install: the edge bundle for this machine, ${hostArch}, was not built)`)
    // Fleet rollout with Ansible (issue 12): test/fleet-demo.ts.
    if (installing && sides.includes('cloud')) await fleetDemo(out, work, spec)
  } finally {
    await server.stop()
    await registry.stop()
    await bed.removeDir(work)
  }
}

/** A cold fetch of this machine's edge images with kedge, timed against skopeo (if installed). */
async function compareWithSkopeo(
  spec: BundleSpec,
  registry: bed.Registry,
  work: string
): Promise<void> {
  const images = sideImages(spec, 'edge').map(i => parseReference(i))
  const t0 = Date.now()
  const fetched = await runAction('fetch-images', {
    images: images.map(i => `${registry.host}/${i.repository}:${i.tag ?? 'latest'}`).join('\n'),
    platform: `linux/${hostArch}`,
    output: join(work, 'compare', 'kedge.tar'),
    'insecure-registries': registry.host
  })
  const kedge = (Date.now() - t0) / 1000
  if (fetched.code !== 0) throw new Error(`fetch-images (comparison) failed:\n${fetched.stdout}`)
  const report = JSON.parse(readFileSync(fetched.outputs['images-json'] ?? '', 'utf8')) as Array<{
    name: string
    manifestDigest: string
  }>
  console.log(
    `\nimages in the edge bundle for linux/${hostArch} (synthetic, under their real names):`
  )
  for (const r of report)
    console.log(
      `  ${r.name.replace(`${registry.host}/`, 'docker.io/')}  ${r.manifestDigest.slice(0, 19)}…`
    )
  const skopeo = spawnSync('skopeo', ['--version'], { encoding: 'utf8' })
  if (skopeo.status !== 0) {
    console.log(`fetch: kedge ${kedge.toFixed(2)} s (skopeo is not installed, no comparison)`)
    return
  }
  const t1 = Date.now()
  for (const [n, i] of images.entries()) {
    const ref = `${registry.host}/${i.repository}:${i.tag ?? 'latest'}`
    await bed.run('skopeo', [
      'copy',
      '--quiet',
      '--src-tls-verify=false',
      '--override-arch',
      hostArch,
      `docker://${ref}`,
      `docker-archive:${join(work, 'compare', `${String(n)}.tar`)}:${ref}`
    ])
  }
  const sk = (Date.now() - t1) / 1000
  console.log(
    `fetch: kedge ${kedge.toFixed(2)} s (one archive, node start included), skopeo ${sk.toFixed(2)} s (image by image to docker-archive): ${(kedge / sk).toFixed(2)}× skopeo`
  )
}

/** Installs this machine's edge bundle into a temporary root (real containerd, STUBS), then verifies. */
async function installEdge(out: string, work: string, name: string): Promise<void> {
  const tarball = join(out, `${name}.tar.gz`)
  if (!existsSync(tarball)) {
    throw new Error(
      `--install needs the edge bundle for this machine (${hostArch}): build it too (no --side/--arch, or --side edge --arch ${hostArch})`
    )
  }
  console.log(`\ninstalling ${name} into a temporary root`)
  console.log(
    '  REAL: install.js from the bundle, its checks, files and journal; containerd (loopback socket) imports the images'
  )
  console.log(
    '  STUBS: systemctl, keadm, ip (recording), a metaServer; loopback listeners stand in for CloudCore 10000/10002\n'
  )
  const extracted = join(work, 'extracted')
  mkdirSync(extracted, { recursive: true })
  await bed.run('tar', ['-xzf', tarball, '-C', extracted])
  const containerd = await bed.startContainerd()
  const net = await listeners()
  try {
    const host = fakeHost(work)
    const env = { ...host.stubs.env, KEDGE_METASERVER: net.metaServer }
    // The log goes beside the bundles: the temporary root is removed when the demo ends.
    const log = join(out, `${name}-install.log`)
    const install = await runInstaller(
      join(extracted, name),
      edgeArgs(host, containerd.address, net, ['--log-file', log], 'demo-edge'),
      env,
      true
    )
    console.log(
      install.stdout
        .trimEnd()
        .split('\n')
        .map(l => `  ${l}`)
        .join('\n')
    )
    if (install.code !== 0)
      throw new Error(`install.js edge failed (exit ${String(install.code)}):\n${install.stderr}`)
    const verify = await runInstaller(
      join(extracted, name),
      ['verify', '--root', host.root, '--containerd-address', containerd.address],
      env,
      true
    )
    console.log('\n  verify (on its own):')
    console.log(
      verify.stdout
        .trimEnd()
        .split('\n')
        .map(l => `  ${l}`)
        .join('\n')
    )
    if (verify.code !== 0) throw new Error('verify failed')
    console.log(
      `\n  ${String(host.stubs.calls().length)} stub calls recorded; the images are in the real containerd.`
    )
  } finally {
    await net.close()
    await containerd.stop()
  }
}

main().catch((err: unknown) => {
  console.error(`demo: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(1)
})
