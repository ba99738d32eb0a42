/** The job summary: written at the end; a failure to write it is a warning, never a failure. */
import * as core from '@actions/core'

export async function writeSummarySafely(write: () => Promise<unknown>): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  try {
    await write()
  } catch (error) {
    core.warning(
      `the job summary could not be written (${error instanceof Error ? error.message : String(error)}); the outputs are set and the step goes on`
    )
  }
}
