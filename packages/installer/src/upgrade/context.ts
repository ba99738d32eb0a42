/** What every upgrade step shares: the install context, the installed bundle and the plan. */
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import type { DeltaSection } from '@kedge/bundle/delta-check'
import { bundleFile, type Context } from '../steps/common.js'
import type { Change } from './plan.js'
import type { Installed } from './record.js'

export interface Upgrade {
  ctx: Context
  installed: Installed
  changes: Change[]
  /** The delta section when the new bundle is a delta. */
  delta: DeltaSection | null
  /** Host dir of this upgrade's backup. */
  backup: string
}

/** Whether the bundle carries this file (a delta leaves out unchanged ones). */
export const bundleHas = (ctx: Context, p: string): boolean => existsSync(bundleFile(ctx, p))

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex')

/** Whether the bundle's copy of `from` differs from the host file `to` (or that is absent). */
export function differs(ctx: Context, from: string, to: string): boolean {
  if (!bundleHas(ctx, from)) return false
  if (!ctx.host.exists(to)) return true
  return sha(bundleFile(ctx, from)) !== sha(ctx.host.path(to))
}

/** `v1.22.2` for keadm's flags, whether the bundle says 1.22.2 or v1.22.2. */
export const vVersion = (v: string): string => (v.startsWith('v') ? v : `v${v}`)
