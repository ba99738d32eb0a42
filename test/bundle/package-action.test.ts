/**
 * The three built actions chained as a workflow chains them (node dist/<name>/index.js with
 * INPUT_*), against the test bed: real registry, loopback file server with STAND-IN assets.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
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
    // As the built-in spec: no pin for k3s-images.txt (k3s publishes no checksum for it).
    spec.pins.k3sImagesTxt = ''
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
      'kubeedge/cloudcore:v1.22.2',
      'kubeedge/iptables-manager:v1.22.2',
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
    const name = 'kubeedge-cloud-1.22.2-k3s-1.34.2-k3s1-arm64'
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
    // k3s-images.txt: in the build log and the job summary under "verified by nothing".
    expect(run.stdout).toContain('verified by nothing: k3s-images.txt from http://127.0.0.1:')
    expect(run.summary).toContain('verified by nothing')
    // The URLs used (the bed's file server) go to the log and the summary, not bundle.json.
    expect(run.stdout).toContain(`asset k3s: ${server.url}/k3s/`)
    expect(run.summary).toContain('downloaded from')
    expect(run.summary).toContain(`${server.url}/helm/helm-v3.19.5-linux-arm64.tar.gz`)
    expect(readFileSync(join(out, `${name}.bundle.json`), 'utf8')).not.toContain(server.url)
    expect(run.summary).toMatch(/<td>k3s-images.txt<\/td><td>http:\/\/127\.0\.0\.1:\d+\/k3s\//)
    const manifest = JSON.parse(readFileSync(join(out, `${name}.bundle.json`), 'utf8')) as {
      images: unknown[]
    }
    expect(manifest.images).toHaveLength(6)
  })

  test('the root action entry fetches everything itself for the edge: absolute outputs, a log group per phase, progress with bytes and ETA; an unwritable summary only warns', async () => {
    const run = await runAction(
      'package-bundle',
      { side: 'edge', arch: 'amd64', spec: specFile, 'output-dir': 'root' },
      // A directory where the summary file should be: writing it fails.
      { ...env(), GITHUB_STEP_SUMMARY: work },
      { cwd: work }
    )
    expect(run.code).toBe(0)
    const bundle = join(work, 'root', 'kubeedge-edge-1.22.2-amd64.tar.gz')
    expect(run.outputs.bundle).toBe(bundle)
    expect(run.outputs.manifest).toBe(join(work, 'root', 'kubeedge-edge-1.22.2-amd64.bundle.json'))
    expect(existsSync(bundle)).toBe(true)
    const groups = run.stdout.split('\n').filter(l => l.startsWith('::group::'))
    expect(groups).toEqual([
      '::group::package-bundle: check the spec and inputs',
      '::group::package-bundle: release assets',
      '::group::package-bundle: images',
      '::group::package-bundle: CRDs, charts and your files',
      '::group::package-bundle: installer, metadata and SHA256SUMS',
      '::group::package-bundle: archive'
    ])
    expect(run.stdout.split('::endgroup::').length - 1).toBe(groups.length)
    const images = run.stdout.slice(run.stdout.indexOf('::group::package-bundle: images'))
    expect(images).toMatch(
      /\n[\d.]+ (B|KiB|MiB) of [\d.]+ (B|KiB|MiB) \(100%\), [\d.]+ (B|KiB|MiB)\/s, done\n/
    )
    expect(run.stdout).toContain('::warning::the job summary could not be written')
  })

  test('fetch-crds gives an absolute dir for a relative output-dir', async () => {
    const crds = await runAction(
      'fetch-crds',
      { spec: specFile, 'output-dir': 'crds-relative' },
      env(),
      { cwd: work }
    )
    expect(crds.code).toBe(0)
    expect(crds.outputs.dir).toBe(join(work, 'crds-relative'))
  })

  test('artifact-name without the runtime token fails before anything is fetched', async () => {
    const before = server.requests.length
    const run = await runAction(
      'package-bundle',
      {
        side: 'edge',
        arch: 'amd64',
        spec: specFile,
        'output-dir': join(work, 'no-token'),
        'artifact-name': 'bundle-edge-amd64'
      },
      { ...env(), ACTIONS_RESULTS_URL: 'http://127.0.0.1:9/' }
    )
    expect(run.code).toBe(1)
    expect(run.stdout).toContain(
      '::error::input artifact-name: ACTIONS_RUNTIME_TOKEN is not set, so the bundle could not be uploaded; nothing was built.'
    )
    expect(server.requests.length).toBe(before)
    expect(existsSync(join(work, 'no-token'))).toBe(false)
  })

  test('running an action leaves no kedge-action-* folder behind', async () => {
    const tmp = join(work, 'tmp')
    mkdirSync(tmp)
    const saved = process.env.TMPDIR
    process.env.TMPDIR = tmp
    try {
      const run = await runAction('package-bundle', { side: 'fog', arch: 'amd64' }, env())
      expect(run.code).toBe(1)
    } finally {
      if (saved === undefined) delete process.env.TMPDIR
      else process.env.TMPDIR = saved
    }
    expect(readdirSync(tmp)).toEqual([])
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
