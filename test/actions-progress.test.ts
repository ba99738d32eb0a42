/** The adapters' progress lines, summary and artifact checks, as pure functions (no runner). */
import { describe, expect, test } from '@jest/globals'
import { checkArtifactRuntime } from '../packages/actions/src/artifact.js'
import {
  formatDuration,
  formatProgress,
  groupedProgress
} from '../packages/actions/src/progress.js'

const MiB = 1024 * 1024

describe('progress on the log', () => {
  test('bytes, percent, rate and ETA', () => {
    expect(formatProgress(120 * MiB, 512 * MiB, 10_000)).toBe(
      '120.0 MiB of 512.0 MiB (23%), 12.0 MiB/s, ETA 33 s'
    )
    expect(formatProgress(512 * MiB, 512 * MiB, 40_000)).toBe(
      '512.0 MiB of 512.0 MiB (100%), 12.8 MiB/s, done'
    )
    expect(formatProgress(0, 512 * MiB, 0)).toBe('0 B of 512.0 MiB (0%), 0 B/s, ETA unknown')
    expect([formatDuration(59.6), formatDuration(125), formatDuration(3725)]).toEqual([
      '1 min 0 s',
      '2 min 5 s',
      '1 h 2 min'
    ])
  })

  test('one group per phase; at most one line per 5 s within a phase, and always the last', () => {
    const lines: string[] = []
    const write = process.stdout.write.bind(process.stdout)
    process.stdout.write = (chunk: string) => {
      lines.push(chunk.trim())
      return true
    }
    let now = 0
    try {
      const progress = groupedProgress('package-bundle', () => now)
      progress.phase('images')
      for (const [t, done] of [
        [1000, 10],
        [2000, 20],
        [7000, 70],
        [8000, 80],
        [9000, 100]
      ] as const) {
        now = t
        progress.bytes(done * MiB, 100 * MiB)
      }
      progress.phase('archive')
      progress.close()
      progress.close()
    } finally {
      process.stdout.write = write
    }
    expect(lines).toEqual([
      '::group::package-bundle: images',
      '10.0 MiB of 100.0 MiB (10%), 10.0 MiB/s, ETA 9 s',
      '70.0 MiB of 100.0 MiB (70%), 10.0 MiB/s, ETA 3 s',
      '100.0 MiB of 100.0 MiB (100%), 11.1 MiB/s, done',
      '::endgroup::',
      '::group::package-bundle: archive',
      '::endgroup::'
    ])
  })
})

describe('artifact upload', () => {
  test('artifact-name needs the runtime token and results URL, checked before the build', () => {
    expect(() => {
      checkArtifactRuntime('', {})
    }).not.toThrow()
    expect(() => {
      checkArtifactRuntime('b', { ACTIONS_RUNTIME_TOKEN: 't', ACTIONS_RESULTS_URL: 'u' })
    }).not.toThrow()
    expect(() => {
      checkArtifactRuntime('b', {})
    }).toThrow(
      'input artifact-name: ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL are not set, so the bundle could not be uploaded; nothing was built.'
    )
  })
})
