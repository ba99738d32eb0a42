/**
 * The package-bundle action (and the root all-in-one action, which runs this same entry):
 * side + arch + spec in, one verified, deterministic bundle tarball out, optionally
 * uploaded as an artifact without recompression.
 */
import * as core from '@actions/core'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  ARCHES,
  buildDelta,
  packageBundle,
  SIDES,
  type Arch,
  type Side,
  type PackageResult
} from '@kedge/bundle'
import { actionsLogger, formatBytes, readRegistryInputs } from '../inputs.js'
import { readSpec } from '../spec-input.js'

function oneOf<T extends string>(name: string, allowed: readonly T[]): T {
  const value = core.getInput(name, { required: true })
  if (!(allowed as readonly string[]).includes(value)) {
    throw new Error(`input ${name}: expected ${allowed.join(' or ')}, got "${value}"`)
  }
  return value as T
}

/** The installer built beside this action's bundle (dist/installer/install.js), if any. */
function builtInstaller(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url))
  const path = join(here, '..', 'installer', 'install.js')
  return existsSync(path) ? path : undefined
}

/** Uploads the bundle and its bundle.json as an artifact, stored as they are (no recompression). */
async function upload(name: string, result: PackageResult, root: string): Promise<void> {
  const { DefaultArtifactClient } = await import('@actions/artifact')
  const { id, size } = await new DefaultArtifactClient().uploadArtifact(
    name,
    [result.bundle, result.manifest],
    root,
    {
      compressionLevel: 0
    }
  )
  core.info(`uploaded artifact ${name} (id ${String(id)}, ${formatBytes(size ?? 0)})`)
}

async function writeSummary(result: PackageResult): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  await core.summary
    .addHeading(`kedge bundle ${result.name}`, 3)
    .addTable([
      [
        { data: 'bundle', header: true },
        { data: 'size', header: true },
        { data: 'sha256', header: true },
        { data: 'images', header: true }
      ],
      [
        `${result.name}.tar.gz`,
        formatBytes(result.size),
        `<code>${result.sha256}</code>`,
        String(result.images.length)
      ]
    ])
    .addList(result.warnings.length ? result.warnings : ['no warnings'])
    .write()
}

/** With input `base`: the delta bundle of `result` against that previous release. */
async function writeDelta(base: string, result: PackageResult, outputDir: string): Promise<void> {
  const baseSha256 = core.getInput('base-sha256')
  const delta = await buildDelta({
    base,
    ...(baseSha256 ? { baseSha256 } : {}),
    bundle: result.bundle,
    outputDir,
    client: readRegistryInputs(),
    logger: actionsLogger
  })
  core.info(`${delta.name}.tar.gz: ${formatBytes(delta.size)} (full: ${formatBytes(result.size)})`)
  core.setOutput('delta-bundle', delta.bundle)
  core.setOutput('delta-sha256', delta.sha256)
  core.setOutput('delta-manifest', delta.manifest)
}

export async function run(): Promise<void> {
  try {
    const side: Side = oneOf('side', SIDES)
    const arch: Arch = oneOf('arch', ARCHES)
    const spec = readSpec()
    const outputDir = core.getInput('output-dir') || 'kedge-bundles'
    const imagesArchive = core.getInput('images-archive')
    const imagesJson = core.getInput('images-json')
    const crdsDir = core.getInput('crds-dir')
    const cacheDir = core.getInput('cache-dir')
    const installer = builtInstaller()
    const result = await packageBundle({
      spec,
      side,
      arch,
      outputDir,
      ...(imagesArchive ? { imagesArchive } : {}),
      ...(imagesJson ? { imagesJson } : {}),
      ...(crdsDir ? { crdsDir } : {}),
      ...(cacheDir ? { cacheDir } : {}),
      ...(installer ? { installer } : {}),
      client: readRegistryInputs(),
      logger: actionsLogger
    })
    core.info(
      `${result.name}.tar.gz: ${formatBytes(result.size)}, sha256 ${result.sha256}, ${result.images.length} images`
    )
    core.setOutput('bundle', result.bundle)
    core.setOutput('sha256', result.sha256)
    core.setOutput('size', result.size)
    core.setOutput('manifest', result.manifest)
    const base = core.getInput('base')
    if (base) await writeDelta(base, result, outputDir)
    const artifact = core.getInput('artifact-name')
    if (artifact) await upload(artifact, result, outputDir)
    await writeSummary(result)
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error))
  }
}
