/**
 * Docker Hub's pull limits (issue 14): the fault proxy plays Docker Hub's accounting
 * (simulated: see test/bed/hub.ts) in front of the real registry. A release-shaped run
 * (several images, both arches, one fetch for all platforms) must make exactly one pull
 * per image cold, and none warm; a 429 is waited out when it resets in time, and fails at
 * once, clearly, when it does not.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fetchImages, RateLimitError, type FetchImagesOptions } from '@kedge/oci'
import * as bed from './bed/index.js'

const fast = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 }
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex')

/** Shaped like a release's cloud set: OCI indexes with attestations, Docker lists, one base. */
const SET: Array<[string, string, 'oci' | 'docker']> = [
  ['kubeedge/cloudcore', 'v1.22.0', 'oci'],
  ['kubeedge/iptables-manager', 'v1.22.0', 'oci'],
  ['kubeedge/installation-package', 'v1.22.0', 'oci'],
  ['kubeedge/edgemesh-agent', 'v1.17.0', 'oci'],
  ['library/eclipse-mosquitto', '1.6.15', 'docker'],
  ['rancher/mirrored-pause', '3.6', 'docker']
]

describe('Docker Hub pull accounting (simulated by the proxy, real registry behind it)', () => {
  let registry: bed.Registry
  let proxy: bed.Proxy
  let dir: string
  const images = () => SET.map(([r, t]) => `${proxy.host}/${r}:${t}`)
  const options = (extra: Partial<FetchImagesOptions>): FetchImagesOptions => ({
    images: images(),
    platform: 'linux/amd64,linux/arm64',
    output: join(dir, 'out', 'cloud.tar'),
    client: { insecure: [proxy.host], retry: fast },
    ...extra
  })

  beforeAll(async () => {
    registry = await bed.startRegistry()
    proxy = await bed.startProxy(registry.url)
    dir = await bed.tempDir('hub')
    for (const [repository, tag, format] of SET) {
      await bed.seedImage(registry.url, {
        repository,
        tag,
        format,
        index: true,
        attestations: format === 'oci',
        platforms: [bed.linuxAmd64, bed.linuxArm64],
        baseSize: 50_000,
        layerSize: 20_000
      })
    }
  })
  afterEach(() => {
    proxy.hub(undefined)
  })
  afterAll(async () => {
    await proxy.stop()
    await registry.stop()
    await bed.removeDir(dir)
  })

  test('a release-shaped run: cold, one pull per image for both platforms; warm, zero pulls and the same archives', async () => {
    const cacheDir = join(dir, 'cache')
    const cold = proxy.hub({ limit: 100 })
    const first = await fetchImages(options({ cacheDir, output: join(dir, 'cold', 'cloud.tar') }))
    expect(cold?.pulls).toBe(SET.length)
    expect(first.platforms.map(p => p.output)).toEqual([
      join(dir, 'cold', 'cloud-linux-amd64.tar'),
      join(dir, 'cold', 'cloud-linux-arm64.tar')
    ])
    expect(first.platforms.map(p => p.imagesJson)).toEqual([
      join(dir, 'cold', 'cloud-linux-amd64.tar.images.json'),
      join(dir, 'cold', 'cloud-linux-arm64.tar.images.json')
    ])
    expect(first.images.map(i => i.platform)).toEqual([
      ...SET.map(() => 'linux/amd64'),
      ...SET.map(() => 'linux/arm64/v8')
    ])
    // Docker Hub's headers reach the report: 100 - 6 pulls left.
    expect(first.rateLimits).toEqual([
      expect.objectContaining({ host: proxy.host, limit: 100, remaining: 100 - SET.length })
    ])

    const warm = proxy.hub({ limit: 100 })
    const second = await fetchImages(options({ cacheDir, output: join(dir, 'warm', 'cloud.tar') }))
    expect(warm?.pulls).toBe(0)
    expect(warm?.manifestGets).toBe(0)
    expect(second.stats.bytesFetched).toBe(0)
    expect(second.images.every(i => i.verifiedBy === 'docker-content-digest')).toBe(true)
    for (const [i, p] of first.platforms.entries()) {
      expect(sha(second.platforms[i]?.output ?? '')).toBe(sha(p.output))
    }
  })

  test('a tag moved upstream is seen by the HEAD: the new index is pulled (one pull), nothing else', async () => {
    const cacheDir = join(dir, 'cache-moved')
    const ref = `${proxy.host}/library/eclipse-mosquitto:1.6.15`
    await fetchImages(options({ images: [ref], cacheDir, output: join(dir, 'moved-a', 'm.tar') }))
    // Push a different image under the same tag.
    const moved = await bed.seedImage(registry.url, {
      repository: 'library/eclipse-mosquitto',
      tag: '1.6.15',
      format: 'docker',
      index: true,
      platforms: [bed.linuxAmd64, bed.linuxArm64],
      baseSize: 50_000,
      layerSize: 20_001
    })
    const account = proxy.hub({ limit: 100 })
    const result = await fetchImages(
      options({ images: [ref], cacheDir, output: join(dir, 'moved-b', 'm.tar') })
    )
    expect(account?.pulls).toBe(1)
    expect(result.images.map(i => i.indexDigest)).toEqual([moved.top.digest, moved.top.digest])
  })

  test('one run per platform instead pulls every index twice (why release jobs share one fetch)', async () => {
    const account = proxy.hub({ limit: 100 })
    for (const platform of ['linux/amd64', 'linux/arm64']) {
      await fetchImages(
        options({ platform, output: join(dir, 'split', `${platform.replace('/', '-')}.tar`) })
      )
    }
    expect(account?.pulls).toBe(2 * SET.length)
  })

  test('a 429 that resets within the budget is waited out (Retry-After honoured)', async () => {
    const account = proxy.hub({ limit: 2, windowSeconds: 1 })
    const started = Date.now()
    const result = await fetchImages(
      options({
        images: images().slice(0, 3),
        platform: 'linux/arm64',
        output: join(dir, 'wait', 'i.tar')
      })
    )
    expect(result.images).toHaveLength(3)
    expect(proxy.requests.some(r => r.status === 429)).toBe(true)
    expect(Date.now() - started).toBeGreaterThanOrEqual(500)
    expect(account?.pulls).toBeGreaterThan(0)
  })

  test('a 429 that resets after the budget fails at once: registry, limit, reset time, how to log in; no archive', async () => {
    proxy.hub({ limit: 2, windowSeconds: 3600 })
    const out = join(dir, 'limited')
    const started = Date.now()
    const run = fetchImages(
      options({
        platform: 'linux/arm64',
        output: join(out, 'i.tar'),
        client: { insecure: [proxy.host], retry: { ...fast, budgetMs: 60_000 } }
      })
    )
    await expect(run).rejects.toThrow(
      new RegExp(
        `${proxy.host.replace('.', '\\.')} refused manifest v\\S+ of \\S+ with HTTP 429 Too Many Requests \\(${proxy.host.replace('.', '\\.')}: 0 of 2 pulls left per 3600 s\\); the limit resets in 3\\d{3} s \\(at \\d{4}-\\d\\d-\\d\\dT[\\d:]+Z\\), later than kedge may wait \\(60 s\\)\\. Authenticate to the registry`
      )
    )
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(existsSync(out)).toBe(false)
  })

  test('the Docker Hub error says how to log in', () => {
    const err = new RateLimitError(
      {
        host: 'registry-1.docker.io',
        limit: 10,
        remaining: 0,
        windowSeconds: 3600,
        resetMs: 1_800_000
      },
      'manifest v1.22.0 of kubeedge/cloudcore',
      900_000
    )
    expect(err.message).toContain(
      'registry-1.docker.io refused manifest v1.22.0 of kubeedge/cloudcore with HTTP 429 Too Many Requests (registry-1.docker.io: 0 of 10 pulls left per 3600 s); the limit resets in 1800 s'
    )
    expect(err.message).toContain('later than kedge may wait (900 s)')
    expect(err.message).toContain(
      'run docker/login-action before this step, or give username and password'
    )
  })
})
