/** The spec input shared by the bundle actions: a kedge.yaml path, or the built-in spec. */
import * as core from '@actions/core'
import { existsSync, readFileSync } from 'node:fs'
import { defaultSpec, parseSpec, skewWarning, type BundleSpec } from '@kedge/bundle'

export function readSpec(
  overrides: { versions?: Partial<BundleSpec['versions']> } = {}
): BundleSpec {
  const path = core.getInput('spec')
  if (!path) return defaultSpec(overrides)
  if (!existsSync(path)) throw new Error(`input spec: no file at "${path}"`)
  return parseSpec(readFileSync(path, 'utf8'), path, overrides)
}

/** Warns once about a k3s/KubeEdge version skew. */
export function warnSkew(spec: BundleSpec): void {
  const warning = skewWarning(spec)
  if (warning) core.warning(warning)
}
