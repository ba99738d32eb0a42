/**
 * The built fetch-images action behind an HTTP proxy, as on a build machine whose only way
 * out is a corporate proxy: HTTPS_PROXY / HTTP_PROXY / NO_PROXY in the step's env. The
 * registry (Debian's docker-registry, HTTPS with a throwaway certificate) is named
 * `registry.test`, which only the bed's forward proxy resolves, so a fetch that went
 * around the proxy could not reach it. Everything stays on loopback.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { readArchiveImages } from '@kedge/oci'
import * as bed from './bed/index.js'
import { runAction } from './lib/action-runner.js'

const NAME = 'registry.test'

describe('fetch-images action through an HTTP proxy (real registry, bed forward proxy)', () => {
  let dir: string
  let cert: bed.ServerCertificate
  let registry: bed.Registry
  let plain: bed.Registry
  let named: string
  const specs: bed.ImageSpec[] = [
    {
      repository: 'kubeedge/cloudcore',
      tag: 'v1.22.0',
      format: 'oci',
      index: true,
      platforms: [bed.linuxAmd64, bed.linuxArm64],
      baseSize: 200_000,
      layerSize: 100_000
    },
    {
      repository: 'library/eclipse-mosquitto',
      tag: '1.6.15',
      format: 'docker',
      index: false,
      platforms: [bed.linuxArm64],
      baseName: 'alpine',
      baseSize: 120_000,
      layerSize: 50_000
    }
  ]
  const images = (host: string) => specs.map(s => `${host}/${s.repository}:${s.tag}`).join('\n')

  beforeAll(async () => {
    dir = await bed.tempDir('proxy')
    cert = await bed.makeServerCertificate(dir, [NAME])
    registry = await bed.startRegistry({ tls: cert })
    plain = await bed.startRegistry()
    for (const spec of specs) {
      await bed.seedImage(registry.url, spec, registry.fetch)
      await bed.seedImage(plain.url, spec)
    }
    named = `${NAME}:${new URL(registry.url).port}`
  })
  afterAll(async () => {
    await registry.stop()
    await plain.stop()
    await bed.removeDir(dir)
  })

  const fetchThrough = async (
    proxyUrl: string,
    output: string,
    extra: Record<string, string> = {}
  ) =>
    runAction(
      'fetch-images',
      { images: images(named), platform: 'linux/arm64', output },
      { NODE_EXTRA_CA_CERTS: cert.certPath, HTTPS_PROXY: proxyUrl, ...extra }
    )

  test('HTTPS_PROXY: every request to the registry goes through a CONNECT tunnel, TLS end to end', async () => {
    const proxy = await bed.startForwardProxy({ hosts: { [NAME]: '127.0.0.1' } })
    try {
      const output = join(dir, 'tunnel', 'edge.tar')
      const run = await fetchThrough(proxy.url, output)
      expect(run.stdout).not.toContain('::error::')
      expect(run.code).toBe(0)
      expect(run.outputs).toMatchObject({ archive: output, count: '2' })
      const archived = await readArchiveImages(output)
      expect(archived.map(a => a.name)).toEqual(specs.map(s => `${named}/${s.repository}:${s.tag}`))
      // Only tunnels, all to the registry; kept-alive connections carry many requests.
      expect(proxy.connects.length).toBeGreaterThan(0)
      expect(new Set(proxy.connects)).toEqual(new Set([named]))
      expect(proxy.requests).toEqual([])
    } finally {
      await proxy.stop()
    }
  })

  test('proxy credentials in the URL: sent as Proxy-Authorization, masked in the log', async () => {
    const proxy = await bed.startForwardProxy({
      hosts: { [NAME]: '127.0.0.1' },
      credentials: 'builder:p@ss-w0rd'
    })
    try {
      const port = new URL(proxy.url).port
      const output = join(dir, 'auth', 'edge.tar')
      const run = await fetchThrough(`http://builder:p%40ss-w0rd@127.0.0.1:${port}`, output)
      expect(run.stdout).not.toContain('::error::')
      expect(run.code).toBe(0)
      const basic = `Basic ${Buffer.from('builder:p@ss-w0rd').toString('base64')}`
      expect(new Set(proxy.authorizations)).toEqual(new Set([basic]))
      // The password is masked in both spellings (a workflow command writes % as %25); no
      // other line holds it.
      expect(run.stdout).toContain('::add-mask::p@ss-w0rd')
      expect(run.stdout).toContain('::add-mask::p%2540ss-w0rd')
      const leaks = run.stdout
        .split('\n')
        .filter(l => !l.startsWith('::add-mask::') && /p@ss-w0rd|p%40ss-w0rd/.test(l))
      expect(leaks).toEqual([])
    } finally {
      await proxy.stop()
    }
  })

  test('a proxy that wants credentials (407): fails at once, naming the proxy and what to set; no archive', async () => {
    const proxy = await bed.startForwardProxy({
      hosts: { [NAME]: '127.0.0.1' },
      credentials: 'builder:secret'
    })
    try {
      const output = join(dir, 'refused', 'edge.tar')
      const run = await fetchThrough(proxy.url, output)
      expect(run.code).toBe(1)
      const error = run.stdout.split('\n').find(l => l.startsWith('::error::')) ?? ''
      expect(error).toContain(
        `proxy ${proxy.url} refused CONNECT ${named} (HTTP/1.1 407 Proxy Authentication Required): it wants credentials: set the proxy URL to http://user:password@host:port`
      )
      // Not retried: one CONNECT per image at most (the manifests), none for blobs.
      expect(proxy.connects.length).toBeLessThanOrEqual(specs.length)
      expect(existsSync(output)).toBe(false)
    } finally {
      await proxy.stop()
    }
  })

  test('loopback and NO_PROXY hosts go direct: the proxy sees nothing', async () => {
    const proxy = await bed.startForwardProxy({ hosts: { [NAME]: '127.0.0.1' } })
    try {
      // The registry by its loopback address: never proxied (as Go's and docker's clients do).
      const direct = await runAction(
        'fetch-images',
        {
          images: images(registry.host),
          platform: 'linux/arm64',
          output: join(dir, 'lo', 'a.tar')
        },
        { NODE_EXTRA_CA_CERTS: cert.certPath, HTTPS_PROXY: proxy.url }
      )
      expect(direct.stdout).not.toContain('::error::')
      expect(direct.code).toBe(0)
      expect(proxy.connects).toEqual([])
      // A proxy that is not there, and NO_PROXY naming the registry's network: still direct.
      const bypass = await runAction(
        'fetch-images',
        {
          images: images(registry.host),
          platform: 'linux/arm64',
          output: join(dir, 'lo', 'b.tar')
        },
        {
          NODE_EXTRA_CA_CERTS: cert.certPath,
          https_proxy: 'http://127.0.0.1:1',
          no_proxy: 'example.com,127.0.0.0/8'
        }
      )
      expect(bypass.code).toBe(0)
    } finally {
      await proxy.stop()
    }
  })

  test('HTTP_PROXY for a plain-HTTP registry: absolute-form requests through the proxy', async () => {
    const proxy = await bed.startForwardProxy({ hosts: { [NAME]: '127.0.0.1' } })
    try {
      const host = `${NAME}:${new URL(plain.url).port}`
      const output = join(dir, 'plain', 'edge.tar')
      const run = await runAction(
        'fetch-images',
        {
          images: images(host),
          platform: 'linux/arm64',
          output,
          'insecure-registries': host
        },
        { HTTP_PROXY: proxy.url }
      )
      expect(run.stdout).not.toContain('::error::')
      expect(run.code).toBe(0)
      expect(proxy.connects).toEqual([])
      expect(proxy.requests.length).toBeGreaterThan(0)
      expect(proxy.requests.every(r => r.startsWith(`http://${host}/v2/`))).toBe(true)
      expect(proxy.requests.some(r => r.includes('/blobs/sha256:'))).toBe(true)
    } finally {
      await proxy.stop()
    }
  })
})
