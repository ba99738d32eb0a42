/**
 * What every step shares: the Step and Context shapes, waiting, and the image import that
 * both sides run (into the edge's containerd, or k3s's).
 */
import { statSync } from 'node:fs'
import { join } from 'node:path'
import type { BundleInfo } from '../bundle.js'
import type { Host } from '../host.js'
import type { Options } from '../options.js'

export interface Step {
  name: string
  title: string
  /** What the step depends on; a change re-runs it and the steps after it. */
  inputs: unknown
  /** The commands and files, for plan. */
  plan: string[]
  run(): Promise<void>
}

export interface Context {
  host: Host
  bundle: BundleInfo
  options: Options
  say(line: string): void
}

export const KEDGE_DIR = '/var/lib/kedge'

/** Where the installer places the binaries it ships. */
export const BIN_DIR = '/usr/local/bin'

/**
 * A binary the installer placed, by its absolute path (under --root): never looked up on
 * PATH, which RHEL's sudo secure_path leaves /usr/local/bin out of.
 */
export function placed(host: Host, name: string): string {
  return host.path(`${BIN_DIR}/${name}`)
}

/** kubectl arguments listing the phases of the cloudcore pods (install wait and verify). */
export const CLOUDCORE_PHASES = [
  '-n',
  'kubeedge',
  'get',
  'pods',
  '-l',
  'kubeedge=cloudcore',
  '-o',
  'jsonpath={.items[*].status.phase}'
]

/** The bundle's images that `listed` (ctr images ls -q output) does not hold. */
export function missingImages(listed: string, bundle: BundleInfo): string[] {
  const names = new Set(listed.split('\n').map(l => l.trim()))
  return bundle.images.filter(i => !names.has(i.name)).map(i => i.name)
}

/** How often a wait says what it waits for. */
export const PROGRESS_SECONDS = 10

/**
 * Polls `probe` once a second until it holds, or fails after --wait-timeout naming `what`
 * and a hint. At least every 10 s it prints what it waits for, the time so far and the limit.
 */
export async function waitFor(
  ctx: Context,
  what: string,
  hint: string,
  probe: () => Promise<boolean>
): Promise<void> {
  const limit = ctx.options.waitTimeout
  const started = Date.now()
  let said = started
  for (;;) {
    if (await probe()) return
    const now = Date.now()
    const elapsed = Math.round((now - started) / 1000)
    if (now - started > limit * 1000)
      throw new Error(
        `timed out after ${limit} s waiting for ${what}; ${hint} (a slow host: run again with --wait-timeout ${limit * 2})`
      )
    if (now - said >= PROGRESS_SECONDS * 1000) {
      ctx.say(`  still waiting for ${what}: ${elapsed} s so far, limit ${limit} s`)
      said = now
    }
    await new Promise(r => setTimeout(r, 1000))
  }
}

/** Whether this install includes EdgeMesh (--no-edgemesh, the join file, the bundle). */
export function edgemeshOn(ctx: { options: Options; bundle: BundleInfo }): boolean {
  return (ctx.options.edgemesh ?? true) && ctx.bundle.edgemesh.enabled
}

export const bundleFile = (ctx: Context, p: string): string => join(ctx.bundle.dir, p)

/** Imports the side's image archive, then checks that containerd lists every image. */
export async function importImages(
  ctx: Context,
  importer: [string, string[]],
  lister: [string, string[]]
): Promise<void> {
  const archive = bundleFile(ctx, `images/${ctx.bundle.side}-images.tar`)
  const mib = (statSync(archive).size / 1048576).toFixed(1)
  ctx.say(
    `  importing ${ctx.bundle.images.length} images (${mib} MiB) into containerd namespace k8s.io`
  )
  await ctx.host.run(importer[0], [
    ...importer[1],
    '--platform',
    `linux/${ctx.bundle.arch}`,
    archive
  ])
  const missing = missingImages((await ctx.host.run(lister[0], lister[1])).stdout, ctx.bundle)
  if (missing.length > 0)
    throw new Error(`after the import, containerd does not list: ${missing.join(', ')}`)
  ctx.say(`  all ${ctx.bundle.images.length} images listed`)
}
