import { describe, expect, test } from '@jest/globals'
import {
  archiveMtime,
  CredentialStore,
  layoutDocuments,
  limiter,
  ociTwinOfDocker,
  parseChallenge,
  parseImageList,
  parseMirrors
} from '@kedge/oci'

describe('image lists', () => {
  test('newlines, commas, comments and duplicates', () => {
    const text = [
      '# cloud images',
      'kubeedge/cloudcore:v1.22.0, kubeedge/admission:v1.22.0',
      '',
      '  kubeedge/cloudcore:v1.22.0   # again',
      'eclipse-mosquitto:1.6.15'
    ].join('\n')
    expect(parseImageList(text)).toEqual([
      'kubeedge/cloudcore:v1.22.0',
      'kubeedge/admission:v1.22.0',
      'eclipse-mosquitto:1.6.15'
    ])
  })
})

describe('mirrors', () => {
  test('registry=URL pairs, several per registry, in order', () => {
    const m = parseMirrors(
      'docker.io=https://m1.example\nindex.docker.io=https://m2.example/,quay.io=https://q.example/v2'
    )
    expect(m.get('docker.io')).toEqual(['https://m1.example', 'https://m2.example'])
    expect(m.get('quay.io')).toEqual(['https://q.example/v2'])
  })
  test('a malformed entry is named', () => {
    expect(() => parseMirrors('docker.io https://m1.example')).toThrow(
      'mirror "docker.io https://m1.example" is not registry=URL'
    )
    expect(() => parseMirrors('docker.io=ftp://x')).toThrow('is not registry=URL')
  })
})

describe('WWW-Authenticate', () => {
  test('Bearer with quoted parameters', () => {
    expect(
      parseChallenge(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"'
      )
    ).toEqual({
      scheme: 'bearer',
      params: {
        realm: 'https://auth.docker.io/token',
        service: 'registry.docker.io',
        scope: 'repository:library/busybox:pull'
      }
    })
    expect(parseChallenge('Basic realm="Registry Realm"')?.scheme).toBe('basic')
    expect(parseChallenge(null)).toBeUndefined()
  })
})

describe('credentials', () => {
  test('docker config.json auths: base64 auth or username/password, Docker Hub aliases folded', () => {
    const store = new CredentialStore()
    const notes = store.addDockerConfig(
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: Buffer.from('hub:s3cr:et').toString('base64') },
          'registry.example:5000': { username: 'u', password: 'p' }
        },
        credsStore: 'desktop'
      }),
      'inline'
    )
    expect(store.get('docker.io')).toEqual({ username: 'hub', password: 's3cr:et' })
    expect(store.get('registry-1.docker.io')).toEqual({ username: 'hub', password: 's3cr:et' })
    expect(store.get('registry.example:5000')).toEqual({ username: 'u', password: 'p' })
    expect(store.get('ghcr.io')).toBeUndefined()
    expect(notes[0]).toContain('credential helpers')
    expect(store.secrets()).toContain('s3cr:et')
  })
  test('bad JSON and bad auth are errors that name the source', () => {
    const store = new CredentialStore()
    expect(() => store.addDockerConfig('{', '/tmp/config.json')).toThrow(
      'registry-auth (/tmp/config.json) is not valid JSON'
    )
    expect(() =>
      store.addDockerConfig(
        JSON.stringify({ auths: { x: { auth: Buffer.from('nocolon').toString('base64') } } }),
        'inline'
      )
    ).toThrow('auths["x"].auth is not base64 of "user:password"')
  })
})

describe('limiter', () => {
  test('never runs more than the limit at once', async () => {
    const run = limiter(3)
    let active = 0
    let peak = 0
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        run(async () => {
          active += 1
          peak = Math.max(peak, active)
          await new Promise(r => setTimeout(r, i % 3))
          active -= 1
        })
      )
    )
    expect(peak).toBe(3)
    expect(() => limiter(0)).toThrow('concurrency must be a whole number >= 1')
  })
})

describe('archive documents', () => {
  const d = (c: string) => `sha256:${c.repeat(64)}`
  /** A Docker schema-2 image, as the archive writer is given it. */
  const mosquitto = {
    name: 'docker.io/library/eclipse-mosquitto:1.6.15',
    tag: '1.6.15',
    platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
    manifest: {
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      digest: d('1'),
      size: 10
    },
    config: { digest: d('2'), size: 5 },
    layers: [{ digest: d('3'), size: 7 }]
  }
  test('index.json annotations, manifest.json and repositories, sorted by name', () => {
    const docs = layoutDocuments([
      { ...mosquitto, indexDigest: d('4') },
      {
        name: 'docker.io/kubeedge/cloudcore:v1.22.0',
        tag: 'v1.22.0',
        platform: { os: 'linux', architecture: 'amd64' },
        manifest: {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: d('5'),
          size: 10
        },
        config: { digest: d('6'), size: 5 },
        layers: [
          { digest: d('3'), size: 7 },
          { digest: d('7'), size: 9 }
        ]
      }
    ])
    expect(docs.index).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: d('5'),
          size: 10,
          platform: { architecture: 'amd64', os: 'linux' },
          annotations: {
            'io.containerd.image.name': 'docker.io/kubeedge/cloudcore:v1.22.0',
            'org.opencontainers.image.ref.name': 'docker.io/kubeedge/cloudcore:v1.22.0'
          }
        },
        {
          mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
          digest: d('1'),
          size: 10,
          platform: { architecture: 'arm64', os: 'linux', variant: 'v8' },
          annotations: {
            'io.containerd.image.name': 'docker.io/library/eclipse-mosquitto:1.6.15',
            'org.opencontainers.image.ref.name': 'docker.io/library/eclipse-mosquitto:1.6.15',
            'dev.kedge.image.index.digest': d('4')
          }
        }
      ]
    })
    expect(docs.manifestJson[0]).toEqual({
      Config: `blobs/sha256/${'6'.repeat(64)}`,
      RepoTags: ['docker.io/kubeedge/cloudcore:v1.22.0'],
      Layers: [`blobs/sha256/${'3'.repeat(64)}`, `blobs/sha256/${'7'.repeat(64)}`]
    })
    expect(docs.repositories['docker.io/kubeedge/cloudcore']).toEqual({ 'v1.22.0': '7'.repeat(64) })
  })

  test('the OCI twin of a Docker schema 2 manifest: same config and layers, OCI media types, its own digest', () => {
    const docker = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        config: {
          mediaType: 'application/vnd.docker.container.image.v1+json',
          size: 5,
          digest: d('2')
        },
        layers: [
          {
            mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
            size: 7,
            digest: d('3')
          },
          {
            mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
            size: 9,
            digest: d('7'),
            urls: ['https://example.invalid/layer']
          }
        ]
      })
    )
    const twin = ociTwinOfDocker(docker, 'image "x"')
    expect(JSON.parse(twin.bytes.toString('utf8'))).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: d('2'), size: 5 },
      layers: [
        { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d('3'), size: 7 },
        {
          mediaType: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
          digest: d('7'),
          size: 9,
          urls: ['https://example.invalid/layer']
        }
      ]
    })
    expect(twin.size).toBe(twin.bytes.length)
    expect(ociTwinOfDocker(docker, 'again').digest).toBe(twin.digest)
    const odd = Buffer.from(
      docker.toString('utf8').replace('rootfs.diff.tar.gzip', 'rootfs.diff.tar.lz4')
    )
    expect(() => ociTwinOfDocker(odd, 'image "x"')).toThrow('image "x": layer 0')
  })

  test('index.oci.json names the OCI twin of a Docker image (index.json keeps the registry manifest)', () => {
    const twin = { digest: d('9'), size: 3, bytes: Buffer.from('{}\n') }
    const docs = layoutDocuments([{ ...mosquitto, ociTwin: twin }])
    const name = 'docker.io/library/eclipse-mosquitto:1.6.15'
    expect((docs.index as { manifests: unknown[] }).manifests).toEqual([
      expect.objectContaining({
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        digest: d('1')
      })
    ])
    expect((docs.ociIndex as { manifests: unknown[] }).manifests).toEqual([
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: d('9'),
        size: 3,
        platform: { architecture: 'arm64', os: 'linux', variant: 'v8' },
        annotations: {
          'io.containerd.image.name': name,
          'org.opencontainers.image.ref.name': name,
          'dev.kedge.image.converted.from': d('1')
        }
      }
    ])
  })

  test('SOURCE_DATE_EPOCH sets the mtime; garbage is refused', () => {
    expect(archiveMtime({}).getTime()).toBe(0)
    expect(archiveMtime({ SOURCE_DATE_EPOCH: '1700000000' }).getTime()).toBe(1700000000000)
    expect(() => archiveMtime({ SOURCE_DATE_EPOCH: 'yesterday' })).toThrow(
      'SOURCE_DATE_EPOCH=yesterday'
    )
  })
})
