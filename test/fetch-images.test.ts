/**
 * fetch-images against real parts: Debian's docker-registry (open, and in token-auth mode
 * with a loopback token server), a counting fault-injecting proxy, and the real containerd
 * for import. Nothing is mocked.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fetchImages, type FetchImagesOptions, type Logger } from '@kedge/oci'
import * as bed from './bed/index.js'

const fast = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 }
const sha256File = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex')

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = []
  return {
    lines,
    info: m => lines.push(`info ${m}`),
    warn: m => lines.push(`warn ${m}`),
    debug: () => undefined
  }
}

describe('fetch-images (real registry, proxy and containerd)', () => {
  let registry: bed.Registry
  let proxy: bed.Proxy
  let containerd: bed.Containerd
  let dir: string
  const seeded = new Map<string, bed.BuiltImage>()
  const via = (name: string) => `${proxy.host}/${name}`
  const options = (
    extra: Partial<FetchImagesOptions> & Pick<FetchImagesOptions, 'images' | 'output'>
  ): FetchImagesOptions => ({
    platform: 'linux/arm64',
    client: { insecure: [proxy.host, registry.host], retry: fast },
    ...extra
  })
  const seed = async (spec: bed.ImageSpec) => {
    seeded.set(`${spec.repository}:${spec.tag}`, await bed.seedImage(registry.url, spec))
  }
  const arm = (name: string) => {
    const image = seeded.get(name)
    const m = image?.manifests.find(x => x.platform.architecture === 'arm64')
    if (!image || !m) throw new Error(`no arm64 seed for ${name}`)
    return { image, manifest: m }
  }
  const tarsIn = (d: string) => readdirSync(d).filter(f => f.includes('.tar'))
  /** Anything under `d` that could pass for output: archives (also partial ones) and reports. */
  const leftovers = (d: string) =>
    existsSync(d)
      ? readdirSync(d, { recursive: true })
          .map(String)
          .filter(f => f.includes('.tar') || f.endsWith('.json'))
      : []
  afterEach(() => {
    proxy.clearFaults()
  })

  beforeAll(async () => {
    registry = await bed.startRegistry()
    proxy = await bed.startProxy(registry.url)
    containerd = await bed.startContainerd()
    dir = await bed.tempDir('fetch')
    const both = [bed.linuxAmd64, bed.linuxArm64]
    await seed({
      repository: 'kubeedge/cloudcore',
      tag: 'v1.22.0',
      format: 'oci',
      index: true,
      attestations: true,
      platforms: both,
      baseSize: 300_000,
      layerSize: 20_000
    })
    await seed({
      repository: 'library/eclipse-mosquitto',
      tag: '1.6.15',
      format: 'docker',
      index: true,
      platforms: both,
      baseSize: 300_000,
      layerSize: 1_000_000
    })
    await seed({
      repository: 'kubeedge/pause',
      tag: '3.6',
      format: 'docker',
      index: false,
      platforms: [bed.linuxArm64]
    })
    await seed({
      repository: 'amd/only',
      tag: '1',
      format: 'oci',
      index: false,
      platforms: [bed.linuxAmd64]
    })
    await seed({
      repository: 'no/arm64',
      tag: '1',
      format: 'oci',
      index: true,
      platforms: [bed.linuxAmd64, bed.linuxArmV7]
    })
  })
  afterAll(async () => {
    await containerd.stop()
    await proxy.stop()
    await registry.stop()
    await bed.removeDir(dir)
  })

  test('OCI index with attestations, Docker list (variant v8) and a single-arch image import into real containerd with the upstream digests', async () => {
    const output = join(dir, 'shapes', 'images.tar')
    const result = await fetchImages(
      options({
        images: [
          via('kubeedge/cloudcore:v1.22.0'),
          via('library/eclipse-mosquitto:1.6.15'),
          via('kubeedge/pause:3.6')
        ],
        output
      })
    )
    expect(result.archives).toEqual([output])
    const report = JSON.parse(readFileSync(result.imagesJson, 'utf8')) as typeof result.images
    expect(report).toEqual(result.images)
    for (const [name, indexed] of [
      ['kubeedge/cloudcore:v1.22.0', true],
      ['library/eclipse-mosquitto:1.6.15', true],
      ['kubeedge/pause:3.6', false]
    ] as const) {
      const { image, manifest } = arm(name)
      const line = report.find(r => r.name === via(name))
      expect(line).toMatchObject({
        reference: via(name),
        platform: 'linux/arm64/v8',
        indexDigest: indexed ? image.top.digest : null,
        manifestDigest: manifest.manifest.digest,
        configDigest: manifest.config.digest,
        layers: manifest.layers.length,
        size:
          manifest.manifest.size +
          manifest.config.size +
          manifest.layers.reduce((n, l) => n + l.size, 0)
      })
    }
    // The attestation manifests were never fetched.
    const attestation = seeded.get('kubeedge/cloudcore:v1.22.0')?.attestations[0]?.digest ?? 'none'
    expect(proxy.requests.some(r => r.path.endsWith(attestation))).toBe(false)

    await containerd.importImages(output, { platform: 'linux/arm64' })
    const listed = await containerd.listImages()
    for (const name of [
      'kubeedge/cloudcore:v1.22.0',
      'library/eclipse-mosquitto:1.6.15',
      'kubeedge/pause:3.6'
    ]) {
      const found = listed.find(i => i.ref === via(name))
      expect(found?.digest).toBe(arm(name).manifest.manifest.digest)
      expect(found?.platforms).toEqual(['linux/arm64'])
    }
  })

  test('a base layer shared by two images is fetched once; the archive stores it once', async () => {
    const before = proxy.requests.length
    const result = await fetchImages(
      options({
        images: [via('kubeedge/cloudcore:v1.22.0'), via('library/eclipse-mosquitto:1.6.15')],
        output: join(dir, 'shared', 'images.tar')
      })
    )
    const base = arm('kubeedge/cloudcore:v1.22.0').manifest.layers[0]?.digest ?? ''
    expect(arm('library/eclipse-mosquitto:1.6.15').manifest.layers[0]?.digest).toBe(base)
    const gets = proxy.requests
      .slice(before)
      .filter(r => r.method === 'GET' && bed.BLOB_PATH.test(r.path))
    expect(gets.filter(r => r.path.endsWith(base))).toHaveLength(1)
    expect(new Set(gets.map(r => r.path.split('/').pop())).size).toBe(gets.length)
    // Archive size: unique blobs plus tar headers and the small JSON documents.
    expect(result.bytes).toBeLessThan(result.uniqueBlobBytes * 1.01 + 20_480)
    const entries = (await bed.run('tar', ['tf', result.output])).stdout.split('\n')
    expect(entries.filter(e => e.endsWith(base.slice(7)))).toHaveLength(1)
  })

  test('a warm cache fetches zero blob bytes, and two runs give byte-identical archives', async () => {
    const cacheDir = join(dir, 'cache')
    const images = [
      via('kubeedge/cloudcore:v1.22.0'),
      via('library/eclipse-mosquitto:1.6.15'),
      via('kubeedge/pause:3.6')
    ]
    const cold = await fetchImages(
      options({ images, output: join(dir, 'warm', 'a.tar'), cacheDir })
    )
    expect(cold.stats.bytesFetched).toBeGreaterThan(0)
    const before = proxy.count(bed.BLOB_PATH)
    const warm = await fetchImages(
      options({ images, output: join(dir, 'warm', 'b.tar'), cacheDir })
    )
    expect(warm.stats.bytesFetched).toBe(0)
    expect(warm.stats.requests).toBe(0)
    expect(proxy.count(bed.BLOB_PATH)).toBe(before)
    expect(sha256File(join(dir, 'warm', 'a.tar'))).toBe(sha256File(join(dir, 'warm', 'b.tar')))
    // A cold run without the cache gives the same bytes again.
    const fresh = await fetchImages(options({ images, output: join(dir, 'warm', 'c.tar') }))
    expect(sha256File(fresh.output)).toBe(sha256File(join(dir, 'warm', 'a.tar')))
  })

  test('a corrupted blob response is retried and then succeeds', async () => {
    const layer = arm('library/eclipse-mosquitto:1.6.15').manifest.layers[1]?.digest ?? ''
    proxy.fault(new RegExp(`${layer}$`), { corruptByteAt: 100, times: 1 })
    const before = proxy.count(new RegExp(`${layer}$`))
    const result = await fetchImages(
      options({
        images: [via('library/eclipse-mosquitto:1.6.15')],
        output: join(dir, 'corrupt-once', 'i.tar')
      })
    )
    proxy.clearFaults()
    expect(proxy.count(new RegExp(`${layer}$`)) - before).toBe(2)
    expect(result.images[0]?.manifestDigest).toBe(
      arm('library/eclipse-mosquitto:1.6.15').manifest.manifest.digest
    )
  })

  test('a blob corrupted every time fails naming image, digest and source, and leaves no archive', async () => {
    const layer = arm('library/eclipse-mosquitto:1.6.15').manifest.layers[1]?.digest ?? ''
    proxy.fault(new RegExp(`${layer}$`), { corruptByteAt: 100 })
    const out = join(dir, 'corrupt-always')
    const ref = via('library/eclipse-mosquitto:1.6.15')
    const run = fetchImages(options({ images: [ref], output: join(out, 'i.tar') }))
    await expect(run).rejects.toThrow(`image "${ref}": blob ${layer}`)
    await expect(run).rejects.toThrow(
      `from ${proxy.url}/v2/library/eclipse-mosquitto/blobs/${layer}`
    )
    await expect(run).rejects.toThrow('content hashes to sha256:')
    expect(leftovers(out)).toEqual([])
  })

  test('a body cut short resumes with Range (206) and verifies', async () => {
    const layer = arm('library/eclipse-mosquitto:1.6.15').manifest.layers[1]?.digest ?? ''
    proxy.fault(new RegExp(`${layer}$`), { truncateAt: 400_000, times: 1 })
    const before = proxy.requests.length
    const result = await fetchImages(
      options({
        images: [via('library/eclipse-mosquitto:1.6.15')],
        output: join(dir, 'resume', 'i.tar')
      })
    )
    const tries = proxy.requests.slice(before).filter(r => r.path.endsWith(layer))
    expect(tries).toHaveLength(2)
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(tries[1]?.range ?? '')?.[1])
    // Bytes in flight when the socket was cut may be lost; what was written is kept.
    expect(resumedAt).toBeGreaterThan(0)
    expect(resumedAt).toBeLessThanOrEqual(400_000)
    expect(tries[1]?.status).toBe(206)
    // Nothing was fetched twice: the bytes received are exactly the config and the layers.
    const { manifest } = arm('library/eclipse-mosquitto:1.6.15')
    const needed = manifest.config.size + manifest.layers.reduce((n, l) => n + l.size, 0)
    expect(result.stats.bytesFetched).toBe(needed)
  })

  test('503 and 429 answers are retried', async () => {
    proxy.fault(/\/manifests\//, { status: 503, times: 1 })
    proxy.fault(bed.BLOB_PATH, { status: 429, times: 1 })
    const result = await fetchImages(
      options({ images: [via('kubeedge/pause:3.6')], output: join(dir, 'retry', 'i.tar') })
    )
    proxy.clearFaults()
    expect(result.images).toHaveLength(1)
  })

  test('a missing platform lists what the index offers; a single-arch image of another arch is refused', async () => {
    const out = join(dir, 'missing')
    await expect(
      fetchImages(options({ images: [via('no/arm64:1')], output: join(out, 'i.tar') }))
    ).rejects.toThrow(
      `image "${via('no/arm64:1')}" has no linux/arm64/v8 variant; its index offers linux/amd64, linux/arm/v7`
    )
    await expect(
      fetchImages(options({ images: [via('amd/only:1')], output: join(out, 'i.tar') }))
    ).rejects.toThrow(
      `image "${via('amd/only:1')}" is a single-platform image for linux/amd64, not linux/arm64/v8`
    )
    await expect(
      fetchImages(options({ images: [via('nope/nope:1')], output: join(out, 'i.tar') }))
    ).rejects.toThrow(/cannot fetch manifest 1 of 127\.0\.0\.1:\d+\/nope\/nope: .*not found/)
    expect(leftovers(out)).toEqual([])
  })

  test('a plain-HTTP registry not listed as insecure fails with the TLS cause and a hint', async () => {
    await expect(
      fetchImages({
        images: [via('kubeedge/pause:3.6')],
        platform: 'linux/arm64',
        output: join(dir, 'tls', 'i.tar'),
        client: { retry: fast }
      })
    ).rejects.toThrow(`if ${proxy.host} serves plain HTTP, list it in insecure-registries`)
  })

  test('a registry with a Basic challenge gets the credentials for its host, and only then', async () => {
    const { CredentialStore } = await import('@kedge/oci')
    const gate = await bed.startProxy(registry.url)
    try {
      gate.fault(/.*/, { basicAuth: 'ci:s3cret' })
      const base = {
        images: [`${gate.host}/kubeedge/pause:3.6`],
        platform: 'linux/arm64',
        output: join(dir, 'basic', 'i.tar')
      }
      await expect(
        fetchImages({ ...base, client: { insecure: [gate.host], retry: fast } })
      ).rejects.toThrow(
        `${gate.host} asks for credentials for kubeedge/pause (Basic realm="kedge test"); give username/password or registry-auth`
      )
      const credentials = new CredentialStore()
      credentials.set(gate.host, { username: 'ci', password: 's3cret' })
      credentials.set('other.example', { username: 'no', password: 'leak' })
      const result = await fetchImages({
        ...base,
        client: { insecure: [gate.host], retry: fast, credentials }
      })
      expect(result.images).toHaveLength(1)
      const sent = gate.requests.filter(r => r.authorization).map(r => r.authorization)
      expect(new Set(sent)).toEqual(
        new Set([`Basic ${Buffer.from('ci:s3cret').toString('base64')}`])
      )
    } finally {
      await gate.stop()
    }
  })

  test('invalid references are all rejected before any network call', async () => {
    const before = proxy.requests.length
    await expect(
      fetchImages(
        options({
          images: [via('kubeedge/pause:3.6'), 'Bad Name', 'x@sha256:12'],
          output: join(dir, 'bad', 'i.tar')
        })
      )
    ).rejects.toThrow(
      /invalid image reference "Bad Name".*\n.*invalid image reference "x@sha256:12"/
    )
    await expect(
      fetchImages(
        options({ images: ['x:1'], platform: 'arm64', output: join(dir, 'bad', 'i.tar') })
      )
    ).rejects.toThrow('invalid platform "arm64"')
    expect(proxy.requests.length).toBe(before)
  })

  test('per-image writes one archive per image, named as the operator docs name them', async () => {
    const out = join(dir, 'per-image')
    const result = await fetchImages(
      options({
        images: [via('kubeedge/cloudcore:v1.22.0'), via('kubeedge/pause:3.6')],
        output: out,
        perImage: true
      })
    )
    const prefix = proxy.host.replace(':', '-')
    expect(tarsIn(out).sort()).toEqual([
      `${prefix}-kubeedge-cloudcore-v1.22.0.tar`,
      `${prefix}-kubeedge-pause-3.6.tar`
    ])
    expect(result.imagesJson).toBe(join(out, 'images.json'))
    expect(result.images.map(i => i.archive).sort()).toEqual(result.archives.slice().sort())
  })

  test('a mirror is tried before the origin; when it fails, the origin serves and the fallback is logged', async () => {
    const mirror = await bed.startProxy(registry.url)
    try {
      const ref = `${registry.host}/kubeedge/pause:3.6`
      const client = {
        insecure: [registry.host, mirror.host],
        retry: fast,
        mirrors: new Map([[registry.host, [mirror.url]]])
      }
      const served = await fetchImages({
        images: [ref],
        platform: 'linux/arm64',
        output: join(dir, 'mirror', 'a.tar'),
        client
      })
      expect(mirror.count(/\/manifests\//)).toBeGreaterThan(0)
      expect(mirror.count(bed.BLOB_PATH)).toBeGreaterThan(0)
      expect(served.images[0]?.name).toBe(`${registry.host}/kubeedge/pause:3.6`)

      mirror.fault(/.*/, { status: 500 })
      const logger = recordingLogger()
      await fetchImages({
        images: [ref],
        platform: 'linux/arm64',
        output: join(dir, 'mirror', 'b.tar'),
        client,
        logger
      })
      expect(logger.lines.some(l => l.startsWith(`warn mirror ${mirror.url}/v2 failed`))).toBe(true)
    } finally {
      await mirror.stop()
    }
  })
})

describe('fetch-images with token auth (real registry in token mode, loopback token server)', () => {
  let open: bed.Registry
  let registry: bed.Registry
  let tokens: bed.TokenServer
  let proxy: bed.Proxy
  let files: bed.FileServer
  let dir: string
  let privateImage: bed.BuiltImage

  beforeAll(async () => {
    dir = await bed.tempDir('token')
    tokens = await bed.startTokenServer({
      users: { robot: 'hunter2' },
      privateRepositories: ['private/app']
    })
    // Seed through an open registry, then serve the same storage behind token auth.
    const storage = join(dir, 'storage')
    open = await bed.startRegistry({ storage })
    await bed.seedImage(open.url, {
      repository: 'public/app',
      tag: '1',
      format: 'oci',
      index: true,
      platforms: [bed.linuxAmd64, bed.linuxArm64]
    })
    privateImage = await bed.seedImage(open.url, {
      repository: 'private/app',
      tag: '1',
      format: 'oci',
      index: true,
      platforms: [bed.linuxAmd64, bed.linuxArm64]
    })
    await open.stop()
    registry = await bed.startRegistry({ storage, tokenAuth: tokens })
    proxy = await bed.startProxy(registry.url)
    files = await bed.startFileServer()
  })
  afterAll(async () => {
    await files.stop()
    await proxy.stop()
    await registry.stop()
    await tokens.stop()
    await bed.removeDir(dir)
  })

  test('anonymous pull of a public repository goes through the Bearer challenge', async () => {
    const result = await fetchImages({
      images: [`${registry.host}/public/app:1`],
      platform: 'linux/amd64',
      output: join(dir, 'public.tar'),
      client: { insecure: [registry.host], retry: fast }
    })
    expect(result.images).toHaveLength(1)
    expect(
      tokens.requests.some(r => r.scope === 'repository:public/app:pull' && r.user === undefined)
    ).toBe(true)
  })

  test('a private repository needs credentials: without them a clear error, with them it works', async () => {
    const base = {
      images: [`${registry.host}/private/app:1`],
      platform: 'linux/arm64',
      output: join(dir, 'private.tar')
    }
    await expect(
      fetchImages({ ...base, client: { insecure: [registry.host], retry: fast } })
    ).rejects.toThrow(
      `denied access to private/app (HTTP 401); the repository may be private: give username/password or registry-auth`
    )
    const { CredentialStore } = await import('@kedge/oci')
    const wrong = new CredentialStore()
    wrong.set(registry.host, { username: 'robot', password: 'nope' })
    await expect(
      fetchImages({
        ...base,
        client: { insecure: [registry.host], retry: fast, credentials: wrong }
      })
    ).rejects.toThrow('token request')
    const right = new CredentialStore()
    right.addDockerConfig(
      JSON.stringify({
        auths: { [registry.host]: { auth: Buffer.from('robot:hunter2').toString('base64') } }
      }),
      'test'
    )
    const result = await fetchImages({
      ...base,
      client: { insecure: [registry.host], retry: fast, credentials: right }
    })
    expect(result.images[0]?.manifestDigest).toBe(privateImage.manifests[1]?.manifest.digest)
    expect(tokens.requests.some(r => r.user === 'robot' && r.granted.includes('pull'))).toBe(true)
  })

  test('a blob redirect to another host is followed without the Authorization header', async () => {
    const layer = privateImage.manifests[1]?.layers[0]
    if (!layer) throw new Error('no layer')
    files.put(`/cdn/${layer.digest}`, layer.data)
    proxy.fault(new RegExp(`${layer.digest}$`), {
      redirectTo: () => `${files.url}/cdn/${layer.digest}`
    })
    const credentials = new (await import('@kedge/oci')).CredentialStore()
    credentials.set(proxy.host, { username: 'robot', password: 'hunter2' })
    const result = await fetchImages({
      images: [`${proxy.host}/private/app:1`],
      platform: 'linux/arm64',
      output: join(dir, 'redirect.tar'),
      client: { insecure: [proxy.host], retry: fast, credentials }
    })
    expect(result.images).toHaveLength(1)
    const sent = proxy.requests.find(r => r.path.endsWith(layer.digest))
    expect(sent?.status).toBe(307)
    expect(sent?.authorization).toMatch(/^Bearer /)
    const cdn = files.requests.filter(r => r.path === `/cdn/${layer.digest}`)
    expect(cdn).toHaveLength(1)
    expect(cdn[0]?.authorization).toBeUndefined()
  })
})
