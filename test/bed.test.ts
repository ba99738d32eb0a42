/**
 * The test bed itself, end to end, with real parts: Debian's docker-registry, containerd
 * and runc, and skopeo as an outside oracle. Nothing here is mocked.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { join } from 'node:path'
import * as bed from './bed/index.js'

describe('registry and synthetic images (real docker-registry)', () => {
  let registry: bed.Registry
  beforeAll(async () => {
    registry = await bed.startRegistry()
  })
  afterAll(async () => {
    await registry.stop()
  })

  async function getManifest(repo: string, ref: string, accept: string[]) {
    const res = await fetch(`${registry.url}/v2/${repo}/manifests/${ref}`, {
      headers: { accept: accept.join(', ') }
    })
    expect(res.status).toBe(200)
    return {
      type: res.headers.get('content-type'),
      digest: res.headers.get('docker-content-digest'),
      body: JSON.parse(await res.text()) as {
        manifests?: Array<{ digest: string; platform: bed.Platform; annotations?: object }>
      }
    }
  }

  test('multi-arch OCI index with attestations is served as pushed', async () => {
    const image = await bed.seedImage(registry.url, {
      repository: 'kubeedge/cloudcore',
      tag: 'v1.22.0',
      format: 'oci',
      index: true,
      attestations: true,
      platforms: [bed.linuxAmd64, bed.linuxArm64]
    })
    const got = await getManifest('kubeedge/cloudcore', 'v1.22.0', [bed.MediaTypes.ociIndex])
    expect(got.type).toBe(bed.MediaTypes.ociIndex)
    expect(got.digest).toBe(image.top.digest)
    const platforms = got.body.manifests?.map(m => bed.platformString(m.platform))
    expect(platforms).toEqual([
      'linux/amd64',
      'linux/arm64/v8',
      'unknown/unknown',
      'unknown/unknown'
    ])
    expect(got.body.manifests?.[2]?.annotations).toMatchObject({
      'vnd.docker.reference.type': 'attestation-manifest',
      'vnd.docker.reference.digest': image.manifests[0]?.manifest.digest
    })
  })

  test('Docker manifest list and a single-arch image share a per-arch base layer', async () => {
    const list = await bed.seedImage(registry.url, {
      repository: 'kubeedge/edgemesh-agent',
      tag: 'v1.17.0',
      format: 'docker',
      index: true,
      platforms: [bed.linuxAmd64, bed.linuxArm64],
      baseSize: 64 * 1024
    })
    const single = await bed.seedImage(registry.url, {
      repository: 'library/eclipse-mosquitto',
      tag: '1.6.15',
      format: 'docker',
      index: false,
      platforms: [bed.linuxArm64],
      baseSize: 64 * 1024
    })
    const got = await getManifest('kubeedge/edgemesh-agent', 'v1.17.0', [bed.MediaTypes.dockerList])
    expect(got.type).toBe(bed.MediaTypes.dockerList)
    expect(got.digest).toBe(list.top.digest)
    const one = await getManifest('library/eclipse-mosquitto', '1.6.15', [
      bed.MediaTypes.dockerManifest
    ])
    expect(one.type).toBe(bed.MediaTypes.dockerManifest)
    expect(single.index).toBeUndefined()

    const armBase = list.manifests[1]?.layers[0]?.digest
    const amdBase = list.manifests[0]?.layers[0]?.digest
    expect(single.manifests[0]?.layers[0]?.digest).toBe(armBase)
    expect(amdBase).not.toBe(armBase)
    // The shared blob is really in the registry under both repositories.
    for (const repo of ['kubeedge/edgemesh-agent', 'library/eclipse-mosquitto']) {
      const res = await fetch(`${registry.url}/v2/${repo}/blobs/${armBase ?? ''}`, {
        method: 'HEAD'
      })
      expect(res.status).toBe(200)
    }
  })

  test('the builder is deterministic and its size knob sets the compressed size', async () => {
    const spec: bed.ImageSpec = {
      repository: 'kedge/big',
      tag: 'x',
      format: 'oci',
      index: false,
      platforms: [bed.linuxAmd64],
      layerSize: 3 * 1024 * 1024
    }
    const a = await bed.buildImage(spec)
    const b = await bed.buildImage({ ...spec })
    expect(a.top.digest).toBe(b.top.digest)
    const top = a.manifests[0]?.layers[0]
    expect(top?.size).toBeGreaterThan(3 * 1024 * 1024)
    expect(top?.size).toBeLessThan(3 * 1024 * 1024 * 1.01)
    const other = await bed.buildImage({ ...spec, tag: 'y' })
    expect(other.top.digest).not.toBe(a.top.digest)
  })

  test('an attestation needs an OCI index', async () => {
    await expect(
      bed.buildImage({
        repository: 'x/y',
        tag: 'z',
        format: 'docker',
        index: true,
        attestations: true,
        platforms: [bed.linuxAmd64]
      })
    ).rejects.toThrow('attestations need an OCI index')
  })
})

describe('bed end to end: registry -> skopeo (oracle) -> real containerd', () => {
  let registry: bed.Registry
  let containerd: bed.Containerd
  let dir: string
  beforeAll(async () => {
    registry = await bed.startRegistry()
    containerd = await bed.startContainerd()
    dir = await bed.tempDir('bed-e2e')
  })
  afterAll(async () => {
    await containerd.stop()
    await registry.stop()
    await bed.removeDir(dir)
  })

  test('the arm64 variant of a multi-arch image imports and lists as linux/arm64', async () => {
    await bed.seedImage(registry.url, {
      repository: 'kubeedge/installation-package',
      tag: 'v1.22.0',
      format: 'oci',
      index: true,
      attestations: true,
      platforms: [bed.linuxAmd64, bed.linuxArm64],
      baseSize: 256 * 1024
    })
    const name = `${registry.host}/kubeedge/installation-package:v1.22.0`
    const tar = join(dir, 'arm64.tar')
    await bed.run('skopeo', [
      'copy',
      '--src-tls-verify=false',
      '--override-arch',
      'arm64',
      `docker://${name}`,
      `docker-archive:${tar}:${name}`
    ])
    await containerd.importImages(tar, { platform: 'linux/arm64' })
    const images = await containerd.listImages()
    const found = images.find(i => i.ref === name)
    expect(found?.platforms).toEqual(['linux/arm64'])
    // The amd64 variant was not copied.
    expect(images).toHaveLength(1)
  })
})

describe('ctr images ls parsing', () => {
  test('columns are cut at the header positions, sizes with spaces included', () => {
    const out = [
      'REF                          TYPE                                                 DIGEST                                                                  SIZE      PLATFORMS              LABELS ',
      'docker.io/kubeedge/pause:3.6 application/vnd.oci.image.index.v1+json              sha256:aaaa                                                             253.2 KiB linux/amd64,linux/arm64 -      ',
      ''
    ].join('\n')
    expect(bed.parseImageList(out)).toEqual([
      {
        ref: 'docker.io/kubeedge/pause:3.6',
        type: 'application/vnd.oci.image.index.v1+json',
        digest: 'sha256:aaaa',
        size: '253.2 KiB',
        platforms: ['linux/amd64', 'linux/arm64']
      }
    ])
    expect(() => bed.parseImageList('NAME DIGEST\n')).toThrow('unexpected ctr images ls header')
  })
})
