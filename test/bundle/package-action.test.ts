/**
 * The three built actions chained as a workflow chains them (node dist/<name>/index.js with
 * INPUT_*), against the test bed: real registry, loopback file server with STAND-IN assets.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { dump } from 'js-yaml'
import * as bed from '../bed/index.js'
import { runAction } from '../lib/action-runner.js'

describe('package-bundle action chained after fetch-images and fetch-crds', () => {
  let registry: bed.Registry
  let server: bed.FileServer
  let work: string
  let specFile: string
  const env = () => ({ RUNNER_TOOL_CACHE: join(work, 'tool-cache') })

  beforeAll(async () => {
    work = await bed.tempDir('package-action')
    registry = await bed.startRegistry()
    server = await bed.startFileServer()
    const spec = await bed.bedSpec(server, registry)
    specFile = join(work, 'kedge.yaml')
    writeFileSync(specFile, dump(spec))
  })
  afterAll(async () => {
    await server.stop()
    await registry.stop()
    await bed.removeDir(work)
  })

  test('fetch-images -> fetch-crds -> package-bundle gives the cloud bundle and its outputs', async () => {
    const images = [
      'kubeedge/cloudcore:v1.22.0',
      'kubeedge/iptables-manager:v1.22.0',
      'kubeedge/edgemesh-agent:v1.17.0',
      ...bed.k3sStandInImages()
    ].join('\n')
    const fetched = await runAction('fetch-images', {
      images,
      platform: 'linux/arm64',
      output: join(work, 'images', 'cloud.tar'),
      mirrors: `docker.io=${registry.url}`,
      'insecure-registries': registry.host
    })
    expect(fetched.code).toBe(0)
    const crds = await runAction(
      'fetch-crds',
      { spec: specFile, 'output-dir': join(work, 'crds') },
      env()
    )
    expect(crds.outputs.crds).toBe('3')
    const out = join(work, 'out')
    const run = await runAction(
      'package-bundle',
      {
        side: 'cloud',
        arch: 'arm64',
        spec: specFile,
        'images-archive': fetched.outputs.archive ?? '',
        'crds-dir': crds.outputs.dir ?? '',
        'output-dir': out
      },
      env()
    )
    expect(run.stdout).not.toContain('::error::')
    const name = 'kubeedge-cloud-1.22.0-k3s-1.34.2-k3s1-arm64'
    expect(run.outputs).toEqual({
      bundle: join(out, `${name}.tar.gz`),
      sha256: execFileSync('sha256sum', [join(out, `${name}.tar.gz`)], { encoding: 'utf8' }).slice(
        0,
        64
      ),
      size: String(statSync(join(out, `${name}.tar.gz`)).size),
      manifest: join(out, `${name}.bundle.json`),
      sbom: join(out, `${name}.cdx.json`)
    })
    expect(run.stdout).toContain('::warning::k3s v1.34.2+k3s1 runs Kubernetes 1.34, above 1.31')
    expect(run.summary).toContain(`kedge bundle ${name}`)
    const manifest = JSON.parse(readFileSync(join(out, `${name}.bundle.json`), 'utf8')) as {
      images: unknown[]
    }
    expect(manifest.images).toHaveLength(5)
  })

  test('the root action entry fetches everything itself for the edge', async () => {
    const out = join(work, 'root')
    const run = await runAction(
      'package-bundle',
      { side: 'edge', arch: 'amd64', spec: specFile, 'output-dir': out },
      env()
    )
    expect(run.code).toBe(0)
    expect(existsSync(join(out, 'kubeedge-edge-1.22.0-amd64.tar.gz'))).toBe(true)
  })

  test('bad inputs and a bad spec fail before anything is fetched, naming what is wrong', async () => {
    const side = await runAction('package-bundle', { side: 'fog', arch: 'amd64' }, env())
    expect(side.stdout).toContain('::error::input side: expected cloud or edge, got "fog"')
    const arch = await runAction('package-bundle', { side: 'edge', arch: 'riscv64' }, env())
    expect(arch.stdout).toContain('::error::input arch: expected amd64 or arm64, got "riscv64"')
    const badSpec = join(work, 'bad.yaml')
    writeFileSync(
      badSpec,
      readFileSync(specFile, 'utf8').replace('- kubeedge/pause:3.6', '- kubeedge/pause')
    )
    const before = server.requests.length
    const run = await runAction(
      'package-bundle',
      { side: 'edge', arch: 'amd64', spec: badSpec, 'output-dir': join(work, 'bad') },
      env()
    )
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('has no tag (pin a tag or a digest)')
    expect(server.requests.length).toBe(before)
    expect(existsSync(join(work, 'bad'))).toBe(false)
  })
})
