/**
 * The built fetch-images action against Debian's docker-registry serving HTTPS on
 * 127.0.0.1 with a throwaway self-signed certificate, and no insecure-registries: the TLS
 * path of wire.ts (handshake, certificate check, kept-alive connections) against a real
 * registry. The action trusts the certificate the way a user with a private CA does, with
 * NODE_EXTRA_CA_CERTS (node reads it when it starts); without it the fetch must fail.
 * Then the fault proxy, serving HTTPS in front of the HTTPS registry, breaks blobs (resume
 * with Range over TLS), and the registry runs in token-auth mode with an HTTPS realm.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import { listTar, readArchiveImages } from '@kedge/oci'
import * as bed from './bed/index.js'
import { runAction } from './lib/action-runner.js'

const sha256File = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex')

/** Every blob of an archive (`blobs/sha256/<hex>`), and those whose bytes hash to another digest. */
async function mismatchedBlobs(archive: string): Promise<{ checked: string[]; bad: string[] }> {
  const handle = await open(archive, 'r')
  try {
    const checked: string[] = []
    const bad: string[] = []
    for (const [name, member] of await listTar(handle, archive)) {
      if (!name.startsWith('blobs/sha256/')) continue
      const data = Buffer.alloc(member.size)
      await handle.read(data, 0, member.size, member.offset)
      const digest = `sha256:${name.slice('blobs/sha256/'.length)}`
      checked.push(digest)
      if (bed.sha256(data) !== digest) bad.push(digest)
    }
    return { checked, bad }
  } finally {
    await handle.close()
  }
}

describe('fetch-images action over HTTPS (real registry, self-signed certificate)', () => {
  let dir: string
  let cert: bed.ServerCertificate
  let registry: bed.Registry
  const seeded: bed.BuiltImage[] = []
  const both = [bed.linuxAmd64, bed.linuxArm64]
  const specs: bed.ImageSpec[] = [
    {
      repository: 'kubeedge/cloudcore',
      tag: 'v1.22.0',
      format: 'oci',
      index: true,
      attestations: true,
      platforms: both,
      baseSize: 300_000,
      layerSize: 200_000
    },
    {
      repository: 'kubeedge/edgemesh-agent',
      tag: 'v1.17.0',
      format: 'docker',
      index: true,
      platforms: both,
      baseSize: 300_000,
      layerSize: 120_000
    },
    {
      repository: 'library/eclipse-mosquitto',
      tag: '1.6.15',
      format: 'oci',
      index: false,
      platforms: [bed.linuxArm64],
      baseName: 'alpine',
      baseSize: 150_000,
      layerSize: 70_000
    }
  ]
  const names = () => specs.map(s => `${registry.host}/${s.repository}:${s.tag}`)
  const inputs = (output: string, cache: string) => ({
    images: names().join('\n'),
    platform: 'linux/arm64',
    output,
    'cache-dir': cache
  })

  beforeAll(async () => {
    dir = await bed.tempDir('tls')
    cert = await bed.makeServerCertificate(dir)
    registry = await bed.startRegistry({ tls: cert })
    for (const spec of specs) seeded.push(await bed.seedImage(registry.url, spec, registry.fetch))
  })
  afterAll(async () => {
    await registry.stop()
    await bed.removeDir(dir)
  })

  test('with NODE_EXTRA_CA_CERTS and no insecure-registries: every image, its blobs intact', async () => {
    expect(registry.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    const output = join(dir, 'out', 'edge.tar')
    const cache = join(dir, 'cache')
    const trusted = { NODE_EXTRA_CA_CERTS: cert.certPath }
    const cold = await runAction('fetch-images', inputs(output, cache), trusted)
    expect(cold.stdout).not.toContain('::error::')
    expect(cold.code).toBe(0)
    expect(cold.outputs).toMatchObject({
      archive: output,
      count: '3',
      'cache-hit': 'false',
      'blobs-reused': '0'
    })

    // What the archive holds, read back from it: each image's arm64 manifest and config.
    const want = seeded.map(image => {
      const m = image.manifests.find(x => x.platform.architecture === 'arm64')
      if (!m) throw new Error(`no arm64 manifest in ${image.name}`)
      return { name: `${registry.host}/${image.name}`, manifest: m, index: image.index }
    })
    const archived = await readArchiveImages(output)
    expect(archived).toEqual(
      want.map(w => ({
        name: w.name,
        platform: 'linux/arm64/v8',
        indexDigest: w.index?.digest ?? null,
        manifestDigest: w.manifest.manifest.digest,
        configDigest: w.manifest.config.digest,
        size: [w.manifest.manifest, w.manifest.config, ...w.manifest.layers].reduce(
          (n, b) => n + b.size,
          0
        ),
        layers: 2
      }))
    )
    // Blob bytes: every blob the images need is in the archive and hashes to its digest.
    const blobs = await mismatchedBlobs(output)
    expect(blobs.bad).toEqual([])
    for (const w of want) {
      for (const b of [w.manifest.manifest, w.manifest.config, ...w.manifest.layers]) {
        expect(blobs.checked).toContain(b.digest)
      }
    }
    expect(Number(cold.outputs['blobs-fetched'])).toBe(
      new Set(want.flatMap(w => [w.manifest.config, ...w.manifest.layers].map(b => b.digest))).size
    )
    // An outside reader (skopeo, OCI view) agrees on the OCI image.
    const inspected = await bed.run('skopeo', [
      'inspect',
      '--raw',
      `oci-archive:${output}:${want[0]?.name ?? ''}`
    ])
    expect(bed.sha256(inspected.stdout)).toBe(want[0]?.manifest.manifest.digest)
  })

  test('a warm run over TLS with the cache fetches manifests only: no blob bytes', async () => {
    const cache = join(dir, 'warm-cache')
    const trusted = { NODE_EXTRA_CA_CERTS: cert.certPath }
    const cold = await runAction(
      'fetch-images',
      inputs(join(dir, 'cold', 'edge.tar'), cache),
      trusted
    )
    expect(cold.code).toBe(0)
    expect(cold.outputs['cache-hit']).toBe('false')
    const output = join(dir, 'warm', 'edge.tar')
    const warm = await runAction('fetch-images', inputs(output, cache), trusted)
    expect(warm.stdout).not.toContain('::error::')
    expect(warm.code).toBe(0)
    expect(warm.outputs).toMatchObject({ count: '3', 'cache-hit': 'true', 'blobs-fetched': '0' })
    expect(warm.outputs['blobs-reused']).toBe(cold.outputs['blobs-fetched'])
    expect(warm.stdout).toContain('fetched 0 B in 0 blob requests')
    expect(warm.summary).toContain('0 B fetched')
    // Same images, same bytes (the archive is deterministic).
    expect(sha256File(output)).toBe(sha256File(join(dir, 'cold', 'edge.tar')))
  })

  test('without NODE_EXTRA_CA_CERTS: fails, naming the registry and what to do; no archive', async () => {
    const output = join(dir, 'untrusted', 'edge.tar')
    const run = await runAction('fetch-images', inputs(output, join(dir, 'untrusted-cache')))
    expect(run.code).toBe(1)
    const errors = run.stdout.split('\n').filter(l => l.startsWith('::error::'))
    expect(errors).toHaveLength(1)
    // One line per image (%0A is a newline in a workflow command), each with the same cause.
    const lines = (errors[0] ?? '').slice('::error::'.length).split('%0A')
    const cause = `the TLS certificate of ${registry.host} is not trusted (self-signed certificate, DEPTH_ZERO_SELF_SIGNED_CERT): if the registry uses a private CA or a self-signed certificate, set NODE_EXTRA_CA_CERTS to a PEM file holding it (node reads it at start-up: set it in the step's env); insecure-registries is only for registries that serve plain HTTP`
    expect(lines).toEqual(
      specs.map(
        s =>
          `cannot fetch manifest ${s.tag} of ${registry.host}/${s.repository}: ${registry.url}/v2: ${cause}`
      )
    )
    expect(existsSync(output)).toBe(false)
    const left = existsSync(join(dir, 'untrusted')) ? readdirSync(join(dir, 'untrusted')) : []
    expect(left).toEqual([])
    expect(run.outputs).toEqual({})
  })

  test("listed in insecure-registries although it serves HTTPS: fails with the registry's 400 and says to take it out", async () => {
    const output = join(dir, 'insecure', 'edge.tar')
    const run = await runAction('fetch-images', {
      ...inputs(output, join(dir, 'insecure-cache')),
      'insecure-registries': registry.host
    })
    expect(run.code).toBe(1)
    const error = run.stdout.split('\n').find(l => l.startsWith('::error::')) ?? ''
    expect(error).toContain(
      `http://${registry.host}/v2: HTTP 400: Client sent an HTTP request to an HTTPS server.; ${registry.host} serves HTTPS: take it out of insecure-registries (a private CA or a self-signed certificate is trusted through NODE_EXTRA_CA_CERTS)`
    )
    expect(existsSync(output)).toBe(false)
  })
})

describe('fetch-images action over HTTPS: faults and token auth on TLS', () => {
  let dir: string
  let cert: bed.ServerCertificate
  let trusted: Record<string, string>
  beforeAll(async () => {
    dir = await bed.tempDir('tls-more')
    cert = await bed.makeServerCertificate(dir)
    trusted = { NODE_EXTRA_CA_CERTS: cert.certPath }
  })
  afterAll(async () => {
    await bed.removeDir(dir)
  })

  test('a blob cut short or dropped over TLS resumes with Range; connections are kept alive', async () => {
    const registry = await bed.startRegistry({ tls: cert })
    const proxy = await bed.startProxy(registry.url, { tls: cert, upstreamCa: cert.certPath })
    try {
      const image = await bed.seedImage(
        registry.url,
        {
          repository: 'kubeedge/cloudcore',
          tag: 'v1.22.0',
          format: 'oci',
          index: true,
          platforms: [bed.linuxAmd64, bed.linuxArm64],
          baseSize: 300_000,
          layerSize: 200_000
        },
        registry.fetch
      )
      const [base, top] = image.manifests[1]?.layers ?? []
      if (!base || !top) throw new Error('no arm64 layers')
      proxy.fault(new RegExp(`${top.digest}$`), { truncateAt: 100_000, times: 1 })
      proxy.fault(new RegExp(`${base.digest}$`), { drop: true, times: 1 })
      const output = join(dir, 'resume', 'edge.tar')
      const run = await runAction(
        'fetch-images',
        {
          images: `${proxy.host}/kubeedge/cloudcore:v1.22.0`,
          platform: 'linux/arm64',
          output
        },
        trusted
      )
      expect(run.stdout).not.toContain('::error::')
      expect(run.code).toBe(0)
      expect((await mismatchedBlobs(output)).bad).toEqual([])
      const gets = (digest: string) =>
        proxy.requests.filter(r => r.method === 'GET' && r.path.endsWith(digest))
      // The cut one resumed where it broke, the dropped one came whole on a second try.
      expect(gets(top.digest).map(r => r.range)).toEqual([undefined, 'bytes=100000-'])
      expect(gets(top.digest)[1]?.status).toBe(206)
      expect(gets(base.digest).map(r => r.range)).toEqual([undefined, undefined])
      // Kept-alive TLS connections: fewer connections than requests (each fault closed one).
      expect(proxy.requests.length).toBeGreaterThanOrEqual(7)
      expect(proxy.connections).toBeLessThan(proxy.requests.length)
    } finally {
      await proxy.stop()
      await registry.stop()
    }
  })

  test('token auth on TLS: the Bearer challenge, the token from an HTTPS realm, credentials for a private repository', async () => {
    const tokens = await bed.startTokenServer({
      users: { robot: 'hunter2' },
      privateRepositories: ['private/app'],
      tls: cert
    })
    // Seed through the open registry over TLS, then serve the same storage behind token auth.
    const storage = join(dir, 'storage')
    const open = await bed.startRegistry({ storage, tls: cert })
    const image = await bed
      .seedImage(
        open.url,
        {
          repository: 'private/app',
          tag: '1',
          format: 'docker',
          index: true,
          platforms: [bed.linuxAmd64, bed.linuxArm64],
          baseSize: 100_000,
          layerSize: 50_000
        },
        open.fetch
      )
      .finally(() => open.stop())
    const registry = await bed.startRegistry({ storage, tls: cert, tokenAuth: tokens })
    try {
      expect(tokens.realm).toMatch(/^https:/)
      const inputs = {
        images: `${registry.host}/private/app:1`,
        platform: 'linux/arm64',
        output: join(dir, 'auth', 'app.tar')
      }
      const anonymous = await runAction('fetch-images', inputs, trusted)
      expect(anonymous.code).toBe(1)
      expect(anonymous.stdout).toContain('denied access to private/app (HTTP 401)')
      const run = await runAction(
        'fetch-images',
        { ...inputs, registry: registry.host, username: 'robot', password: 'hunter2' },
        trusted
      )
      expect(run.stdout).not.toContain('::error::')
      expect(run.code).toBe(0)
      expect(tokens.requests).toContainEqual({
        scope: 'repository:private/app:pull',
        user: 'robot',
        granted: ['pull']
      })
      const archived = await readArchiveImages(inputs.output)
      expect(archived.map(a => a.manifestDigest)).toEqual([image.manifests[1]?.manifest.digest])
      expect((await mismatchedBlobs(inputs.output)).bad).toEqual([])
    } finally {
      await registry.stop()
      await tokens.stop()
    }
  })
})
