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
  /** Host paths a command of the step writes (keadm join's edgecore): journaled and backed up first. */
  claims?: string[]
  /**
   * Before running again a step that was started and not finished (`cutShort`: a crash),
   * or that ran before with other inputs: clean what it left half done (keadm reset).
   */
  recover?(cutShort: boolean): Promise<void>
}

export interface Context {
  host: Host
  bundle: BundleInfo
  options: Options
  say(line: string): void
}

export const KEDGE_DIR = '/var/lib/kedge'

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

const WAIT_SECONDS = Number(process.env.KEDGE_WAIT_SECONDS ?? '300')

/** Polls `probe` once a second until it holds, or fails naming `what` and a hint. */
export async function waitFor(
  what: string,
  hint: string,
  probe: () => Promise<boolean>
): Promise<void> {
  const deadline = Date.now() + WAIT_SECONDS * 1000
  for (;;) {
    if (await probe()) return
    if (Date.now() > deadline)
      throw new Error(`timed out after ${WAIT_SECONDS} s waiting for ${what}; ${hint}`)
    await new Promise(r => setTimeout(r, 1000))
  }
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
