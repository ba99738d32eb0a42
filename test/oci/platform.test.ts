import { describe, expect, test } from '@jest/globals'
import {
  formatPlatform,
  offeredPlatforms,
  parsePlatform,
  platformMatches,
  selectManifest,
  type IndexEntry
} from '@kedge/oci'

const entry = (platform: IndexEntry['platform'], extra: Partial<IndexEntry> = {}): IndexEntry => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${formatPlatform(platform ?? { os: '?', architecture: '?' })
    .length.toString()
    .repeat(64)
    .slice(0, 64)}`,
  size: 1,
  ...(platform ? { platform } : {}),
  ...extra
})

describe('platforms', () => {
  test('parse and normalize', () => {
    expect(parsePlatform('linux/arm64')).toEqual({
      os: 'linux',
      architecture: 'arm64',
      variant: 'v8'
    })
    expect(parsePlatform('linux/aarch64')).toEqual({
      os: 'linux',
      architecture: 'arm64',
      variant: 'v8'
    })
    expect(parsePlatform('linux/x86_64')).toEqual({ os: 'linux', architecture: 'amd64' })
    expect(parsePlatform('linux/arm')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' })
    expect(parsePlatform('linux/arm/7')).toEqual({
      os: 'linux',
      architecture: 'arm',
      variant: 'v7'
    })
    expect(() => parsePlatform('arm64')).toThrow(
      'invalid platform "arm64": expected os/architecture'
    )
    expect(() => parsePlatform('linux//v8')).toThrow('invalid platform')
  })

  test('arm64 matches arm64/v8 and arm64 without a variant; not arm or amd64', () => {
    const arm64 = parsePlatform('linux/arm64')
    expect(platformMatches(arm64, { os: 'linux', architecture: 'arm64', variant: 'v8' })).toBe(true)
    expect(platformMatches(arm64, { os: 'linux', architecture: 'arm64' })).toBe(true)
    expect(platformMatches(arm64, { os: 'linux', architecture: 'arm', variant: 'v7' })).toBe(false)
    expect(platformMatches(arm64, { os: 'linux', architecture: 'amd64' })).toBe(false)
    expect(
      platformMatches(parsePlatform('linux/arm/v7'), {
        os: 'linux',
        architecture: 'arm',
        variant: 'v6'
      })
    ).toBe(false)
    expect(
      platformMatches(parsePlatform('linux/amd64'), {
        os: 'linux',
        architecture: 'amd64',
        variant: 'v3'
      })
    ).toBe(true)
    expect(
      platformMatches(parsePlatform('linux/amd64'), { os: 'windows', architecture: 'amd64' })
    ).toBe(false)
  })

  test('selectManifest never chooses an attestation', () => {
    const attestation = entry(
      { os: 'unknown', architecture: 'unknown' },
      { annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } }
    )
    const arm = entry({ os: 'linux', architecture: 'arm64', variant: 'v8' })
    const amd = entry({ os: 'linux', architecture: 'amd64' })
    expect(selectManifest([attestation, amd, arm], parsePlatform('linux/arm64'))).toBe(arm)
    expect(selectManifest([attestation], parsePlatform('linux/arm64'))).toBeUndefined()
    expect(offeredPlatforms([attestation, amd, arm])).toEqual(['linux/amd64', 'linux/arm64/v8'])
  })
})
