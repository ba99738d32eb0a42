/** The upgrade plan's rules (pure): one minor at a time, no downgrade, same side and arch. */
import { describe, expect, test } from '@jest/globals'
import { parseVersion, planLines, planRefusal, type BundleInfo } from '@kedge/installer'

const bundle = (
  name: string,
  versions: Partial<BundleInfo['versions']>,
  side: 'cloud' | 'edge' = 'cloud'
): BundleInfo =>
  ({
    dir: '/nonexistent',
    name,
    side,
    arch: 'amd64',
    versions: {
      kubeedge: 'v1.22.0',
      edgemesh: 'v1.17.0',
      k3s: 'v1.34.2+k3s1',
      containerd: '1.7.29',
      node: 'v22.0.0',
      ...versions
    }
  }) as BundleInfo

describe('upgrade plan', () => {
  const from = bundle('kubeedge-cloud-1.22.0-amd64', {})
  test('versions parse with k3s builds', () => {
    expect(parseVersion('v1.34.2+k3s1')).toEqual([1, 34, 2, 1])
    expect(parseVersion('1.7.29')).toEqual([1, 7, 29, 0])
    expect(parseVersion('latest')).toBeNull()
  })
  test('a patch, a k3s build and one minor are allowed; the plan names each move', () => {
    expect(planRefusal(from, bundle('n1', { kubeedge: 'v1.22.2', k3s: 'v1.34.2+k3s2' }))).toBeNull()
    expect(planRefusal(from, bundle('n1', { kubeedge: 'v1.23.0', k3s: 'v1.35.1+k3s1' }))).toBeNull()
    expect(planLines(from, bundle('n1', { kubeedge: 'v1.22.2' }))).toEqual([
      'upgrade kubeedge-cloud-1.22.0-amd64 -> n1',
      '  k3s         v1.34.2+k3s1 (unchanged)',
      '  kubeedge    v1.22.0 -> v1.22.2',
      '  edgemesh    v1.17.0 (unchanged)'
    ])
  })
  test('a skipped minor is refused naming the minor to go through first', () => {
    expect(planRefusal(from, bundle('kubeedge-cloud-1.24.0-amd64', { kubeedge: 'v1.24.0' }))).toBe(
      'kubeedge v1.22.0 -> v1.24.0 skips a minor; upgrade one minor at a time: first to the newest kubeedge 1.23.x bundle, then to kubeedge-cloud-1.24.0-amd64'
    )
    expect(planRefusal(from, bundle('x', { k3s: 'v1.36.0+k3s1' }))).toMatch(
      /^k3s .* first to the newest k3s 1\.35\.x bundle/
    )
  })
  test('a downgrade, or another side or arch, is refused', () => {
    expect(planRefusal(bundle('n1', { kubeedge: 'v1.22.2' }), from)).toMatch(
      /^kubeedge v1\.22\.0 is older than the installed v1\.22\.2: kedge does not downgrade/
    )
    expect(planRefusal(bundle('n1', { k3s: 'v1.34.2+k3s2' }), from)).toMatch(/^k3s .* is older/)
    expect(planRefusal(from, bundle('e', {}, 'edge'))).toMatch(
      /upgrade it with a cloud amd64 bundle, not e$/
    )
  })
})
