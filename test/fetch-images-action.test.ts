/**
 * The built fetch-images action (dist/fetch-images/index.js), run as the GitHub runner
 * runs it, against the real registry. A stale dist/ is caught by check-dist.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as bed from './bed/index.js'
import { runAction } from './lib/action-runner.js'

describe('fetch-images action (node dist/fetch-images/index.js, real registry)', () => {
  let registry: bed.Registry
  let dir: string
  let mosquitto: bed.BuiltImage

  beforeAll(async () => {
    registry = await bed.startRegistry()
    dir = await bed.tempDir('action')
    const both = [bed.linuxAmd64, bed.linuxArm64]
    await bed.seedImage(registry.url, {
      repository: 'kubeedge/cloudcore',
      tag: 'v1.22.0',
      format: 'oci',
      index: true,
      attestations: true,
      platforms: both
    })
    mosquitto = await bed.seedImage(registry.url, {
      repository: 'library/eclipse-mosquitto',
      tag: '1.6.15',
      format: 'docker',
      index: true,
      platforms: both
    })
  })
  afterAll(async () => {
    await registry.stop()
    await bed.removeDir(dir)
  })

  test('inputs in, archive and outputs out, a log group per image and a job summary', async () => {
    const list = join(dir, 'images.txt')
    writeFileSync(list, `# edge images\n${registry.host}/library/eclipse-mosquitto:1.6.15\n`)
    const output = join(dir, 'out', 'edge.tar')
    const run = await runAction('fetch-images', {
      images: `${registry.host}/kubeedge/cloudcore:v1.22.0`,
      'images-file': list,
      platform: 'linux/arm64',
      output,
      'insecure-registries': registry.host,
      'cache-dir': join(dir, 'cache'),
      password: 's3cret-pass',
      username: 'someone',
      registry: 'ghcr.io'
    })
    expect(run.stdout).not.toContain('::error::')
    expect(run.code).toBe(0)
    expect(run.outputs).toEqual({
      archive: output,
      archives: JSON.stringify({ 'linux/arm64': output }),
      'images-json': join(dir, 'out', 'edge.tar.images.json'),
      count: '2',
      bytes: String(statSync(output).size),
      'cache-hit': 'false',
      'blobs-reused': '0',
      'blobs-fetched': expect.stringMatching(/^[1-9]\d*$/)
    })
    const report = JSON.parse(
      readFileSync(join(dir, 'out', 'edge.tar.images.json'), 'utf8')
    ) as Array<{
      manifestDigest: string
    }>
    expect(report.map(r => r.manifestDigest)).toContain(mosquitto.manifests[1]?.manifest.digest)
    expect(run.stdout).toContain(
      `::group::${registry.host}/kubeedge/cloudcore:v1.22.0 (linux/arm64/v8)`
    )
    expect(run.stdout).toContain('::add-mask::s3cret-pass')
    expect(run.stdout).toMatch(/fetched [\d.]+ KiB of [\d.]+ KiB/)
    expect(run.summary).toContain('<table>')
    expect(run.summary).toContain(`<code>${mosquitto.manifests[1]?.manifest.digest ?? ''}</code>`)
  })

  test('several platforms: one archive each, named by platform; the warm run says cache-hit', async () => {
    const hub = await bed.startProxy(registry.url)
    const account = hub.hub({ limit: 100 })
    const output = join(dir, 'multi', 'edge.tar')
    const inputs = {
      images: `${hub.host}/library/eclipse-mosquitto:1.6.15`,
      platform: 'linux/amd64,linux/arm64',
      output,
      'insecure-registries': hub.host,
      'cache-dir': join(dir, 'multi-cache')
    }
    const cold = await runAction('fetch-images', inputs).finally(() => hub.stop())
    expect(cold.code).toBe(0)
    // Docker Hub-style accounting (simulated by the proxy): one pull, reported in the summary.
    expect(account?.pulls).toBe(1)
    expect(cold.summary).toContain(`${hub.host}: 99 of 100 pulls left per 3600 s`)
    const amd = join(dir, 'multi', 'edge-linux-amd64.tar')
    const arm = join(dir, 'multi', 'edge-linux-arm64.tar')
    expect(cold.outputs.archive).toBe(`${amd}\n${arm}`)
    expect(JSON.parse(cold.outputs.archives ?? '')).toEqual({
      'linux/amd64': amd,
      'linux/arm64': arm
    })
    expect(cold.outputs['images-json']).toBe(
      `${join(dir, 'multi', 'edge-linux-amd64.tar.images.json')}\n${join(dir, 'multi', 'edge-linux-arm64.tar.images.json')}`
    )
    expect(cold.outputs['cache-hit']).toBe('false')
    const report = JSON.parse(
      readFileSync(join(dir, 'multi', 'edge-linux-arm64.tar.images.json'), 'utf8')
    ) as Array<{ manifestDigest: string }>
    expect(report.map(r => r.manifestDigest)).toEqual([mosquitto.manifests[1]?.manifest.digest])
    const warm = await runAction('fetch-images', {
      ...inputs,
      images: `${registry.host}/library/eclipse-mosquitto:1.6.15`,
      'insecure-registries': registry.host
    })
    expect(warm.outputs['cache-hit']).toBe('true')
    expect(warm.outputs['blobs-fetched']).toBe('0')
  })

  test('credentials docker/login-action left in $DOCKER_CONFIG/config.json are used and masked', async () => {
    const gate = await bed.startProxy(registry.url)
    try {
      gate.fault(/.*/, { basicAuth: 'ci:l0gin-s3cret' })
      const config = join(dir, 'docker-config')
      mkdirSync(config)
      writeFileSync(
        join(config, 'config.json'),
        JSON.stringify({
          auths: { [gate.host]: { auth: Buffer.from('ci:l0gin-s3cret').toString('base64') } }
        })
      )
      const inputs = {
        images: `${gate.host}/library/eclipse-mosquitto:1.6.15`,
        platform: 'linux/arm64',
        output: join(dir, 'login', 'i.tar'),
        'insecure-registries': gate.host
      }
      const without = await runAction('fetch-images', inputs)
      expect(without.code).toBe(1)
      const run = await runAction('fetch-images', inputs, { DOCKER_CONFIG: config })
      expect(run.code).toBe(0)
      expect(run.stdout).toContain('::add-mask::l0gin-s3cret')
      expect(run.stdout).toContain(`registry credentials: read ${join(config, 'config.json')}`)
    } finally {
      await gate.stop()
    }
  })

  test('a failure calls setFailed with the image and the cause, and leaves no archive', async () => {
    const output = join(dir, 'fail', 'edge.tar')
    const run = await runAction('fetch-images', {
      images: `${registry.host}/kubeedge/missing:v1`,
      platform: 'linux/arm64',
      output,
      'insecure-registries': registry.host
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(
      /::error::cannot fetch manifest v1 of 127\.0\.0\.1:\d+\/kubeedge\/missing: .*not found/
    )
    expect(existsSync(output)).toBe(false)
    expect(run.outputs).toEqual({})
  })

  test('bad inputs fail before any fetch, naming the input', async () => {
    const bad = await runAction('fetch-images', { images: 'x:1', concurrency: 'lots' })
    expect(bad.code).toBe(1)
    expect(bad.stdout).toContain(
      '::error::input concurrency: expected a whole number from 1 to 64, got "lots"'
    )
    const none = await runAction('fetch-images', { images: ' , ' })
    expect(none.stdout).toContain('::error::no images given')
    const half = await runAction('fetch-images', { images: 'x:1', username: 'u' })
    expect(half.stdout).toContain('::error::inputs username and password go together')
    const plain = await runAction('fetch-images', {
      images: `${registry.host}/kubeedge/cloudcore:v1.22.0`,
      output: join(dir, 'plain.tar')
    })
    expect(plain.code).toBe(1)
    expect(existsSync(join(dir, 'plain.tar'))).toBe(false)
  })
})
