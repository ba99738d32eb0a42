/**
 * The package-bundle action (and the root all-in-one action, which runs this same entry):
 * side + arch + spec in, one verified, deterministic bundle tarball out, optionally
 * uploaded as an artifact without recompression. Inputs → packageBundle → outputs.
 */
import * as core from '@actions/core'
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  ARCHES,
  buildDelta,
  packageBundle,
  SIDES,
  type PackageOptions,
  type PackageResult
} from '@kedge/bundle'
import { checkArtifactRuntime, uploadFiles } from '../artifact.js'
import { actionsLogger, formatBytes, readRegistryInputs } from '../inputs.js'
import { groupedProgress } from '../progress.js'
import { readSpec } from '../spec-input.js'
import { writeSummarySafely } from '../summary.js'

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

/** The signing key (input signing-key, else $KEDGE_SIGNING_KEY), every line masked. */
function readSigningKey(): string | undefined {
  const pem = core.getInput('signing-key') || process.env.KEDGE_SIGNING_KEY || ''
  for (const line of pem.split('\n')) if (line.trim()) core.setSecret(line.trim())
  return pem.trim() ? pem : undefined
}

/** Every input, checked, paths made absolute (against the workspace, the step's cwd). */
function readInputs(): { options: PackageOptions; artifact: string } {
  const path = (name: string): string | undefined => {
    const value = core.getInput(name)
    return value ? resolve(value) : undefined
  }
  const [imagesArchive, crdsDir, cacheDir] = ['images-archive', 'crds-dir', 'cache-dir'].map(path)
  const installer = builtInstaller()
  const signingKey = readSigningKey()
  const options: PackageOptions = {
    side: oneOf('side', SIDES),
    arch: oneOf('arch', ARCHES),
    spec: readSpec(),
    outputDir: resolve(core.getInput('output-dir') || 'kedge-bundles'),
    ...(imagesArchive ? { imagesArchive } : {}),
    ...(crdsDir ? { crdsDir } : {}),
    ...(cacheDir ? { cacheDir } : {}),
    ...(installer ? { installer } : {}),
    ...(signingKey ? { signingKey } : {}),
    client: readRegistryInputs(),
    logger: actionsLogger
  }
  return { options, artifact: core.getInput('artifact-name') }
}

function setOutputs(result: PackageResult): void {
  core.info(
    `${result.name}.tar.gz: ${formatBytes(result.size)}, sha256 ${result.sha256}, ${result.images.length} images`
  )
  core.setOutput('bundle', result.bundle)
  core.setOutput('sha256', result.sha256)
  core.setOutput('size', result.size)
  core.setOutput('manifest', result.manifest)
  core.setOutput('sbom', result.sbom)
}

async function summary(result: PackageResult): Promise<void> {
  core.summary
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
  const mirrored = result.downloads.filter(d => d.url !== d.recordedUrl)
  if (mirrored.length > 0) {
    core.summary.addHeading('downloaded from (bundle.json records the upstream URL)', 4)
    core.summary.addTable([
      ['download', 'from', 'upstream'].map(data => ({ data, header: true })),
      ...mirrored.map(d => [d.name, d.url, d.recordedUrl])
    ])
  }
  if (result.unverified.length > 0) {
    core.summary.addHeading(
      'verified by nothing (recorded in bundle.json; pin them in the spec)',
      4
    )
    core.summary.addTable([
      ['download', 'from', 'sha256'].map(data => ({ data, header: true })),
      ...result.unverified.map(u => [u.name, u.url, `<code>${u.sha256}</code>`])
    ])
  }
  await core.summary.write()
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
  const progress = groupedProgress('package-bundle')
  try {
    const { options, artifact } = readInputs()
    checkArtifactRuntime(artifact)
    const result = await packageBundle({ ...options, progress })
    progress.close()
    setOutputs(result)
    const base = core.getInput('base')
    if (base) await writeDelta(base, result, options.outputDir)
    if (artifact) {
      progress.phase(`upload artifact ${artifact}`)
      await uploadFiles(artifact, [result.bundle, result.manifest, result.sbom], options.outputDir)
      progress.close()
    }
    await writeSummarySafely(() => summary(result))
  } catch (error) {
    progress.close()
    core.setFailed(error instanceof Error ? error.message : String(error))
  }
}
