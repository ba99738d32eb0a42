/** Uploading the bundle as an artifact, and checking before the build that it can be. */
import * as core from '@actions/core'
import { formatBytes } from './inputs.js'

/** What @actions/artifact needs from the runner; checked before a build of many minutes. */
const RUNTIME_VARIABLES = ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_RESULTS_URL'] as const

export function checkArtifactRuntime(
  artifactName: string,
  env: NodeJS.ProcessEnv = process.env
): void {
  if (!artifactName) return
  const missing = RUNTIME_VARIABLES.filter(v => !env[v])
  if (missing.length === 0) return
  throw new Error(
    `input artifact-name: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set, so the bundle could not be uploaded; nothing was built. The runner sets them for an action step of a GitHub Actions job; elsewhere (a local run, act), leave artifact-name empty and upload the bundle output with actions/upload-artifact.`
  )
}

/** Uploads files as an artifact, stored as they are (a .tar.gz gains nothing from recompression). */
export async function uploadFiles(name: string, files: string[], root: string): Promise<void> {
  const { DefaultArtifactClient } = await import('@actions/artifact')
  const { id, size } = await new DefaultArtifactClient().uploadArtifact(name, files, root, {
    compressionLevel: 0
  })
  core.info(`uploaded artifact ${name} (id ${String(id)}, ${formatBytes(size ?? 0)})`)
}
