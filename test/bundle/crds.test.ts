/** fetch-crds: CRD validation, and fetching over a real loopback file server (stand-ins). */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { dump } from 'js-yaml'
import { edgemeshSources, fetchCrds, validateCrd, type BundleSpec } from '@kedge/bundle'
import * as bed from '../bed/index.js'
import { runAction } from '../lib/action-runner.js'

describe('CRD validation', () => {
  test('accepts an apiextensions.k8s.io/v1 CRD, several per file too', () => {
    const one = bed.crdYaml('Gateway', 'gateways')
    expect(validateCrd(one, 'gw.yaml')).toEqual([
      {
        file: 'gw.yaml',
        name: 'gateways.networking.istio.io',
        group: 'networking.istio.io',
        versions: ['v1alpha3']
      }
    ])
    expect(
      validateCrd(`${one}---\n${bed.crdYaml('Sidecar', 'sidecars')}`, 'two.yaml')
    ).toHaveLength(2)
  })
  test.each([
    [
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n',
      'x.yaml: is v1 ConfigMap, not an apiextensions.k8s.io/v1 CustomResourceDefinition'
    ],
    [
      bed
        .crdYaml('Gateway', 'gateways')
        .replace('apiextensions.k8s.io/v1', 'apiextensions.k8s.io/v1beta1'),
      'is apiextensions.k8s.io/v1beta1 CustomResourceDefinition, not'
    ],
    [
      bed.crdYaml('Gateway', 'gateways').replace(/ {6}schema:\n.*\n.*\n.*\n/, ''),
      'gateways.networking.istio.io: version v1alpha3 has no schema.openAPIV3Schema'
    ],
    [
      bed.crdYaml('Gateway', 'gateways').replace('  group: networking.istio.io\n', ''),
      'gateways.networking.istio.io has no spec.group'
    ],
    ['', 'x.yaml: holds no document'],
    ['a: [', 'x.yaml: not valid YAML']
  ])('refuses %#, naming the file', (text, message) => {
    expect(() => validateCrd(text, 'x.yaml')).toThrow(message)
  })
})

describe('fetch-crds over a loopback file server (stand-in CRDs and chart)', () => {
  let server: bed.FileServer
  let spec: BundleSpec
  let work: string
  let specFile: string
  const env = () => ({ RUNNER_TOOL_CACHE: join(work, 'tool-cache') })
  beforeAll(async () => {
    work = await bed.tempDir('crds')
    process.env.RUNNER_TOOL_CACHE = join(work, 'tool-cache')
    process.env.RUNNER_TEMP = join(work, 'temp')
    server = await bed.startFileServer()
    spec = await bed.seedReleases(server)
    specFile = join(work, 'kedge.yaml')
    writeFileSync(specFile, dump(spec))
  })
  afterAll(async () => {
    await server.stop()
    await bed.removeDir(work)
  })

  test('the three Istio CRDs and the EdgeMesh chart, verified against the pins', async () => {
    const dir = join(work, 'out')
    const result = await fetchCrds({ ...edgemeshSources(spec), dir })
    expect(result.crds.map(c => c.name).sort()).toEqual([
      'destinationrules.networking.istio.io',
      'gateways.networking.istio.io',
      'virtualservices.networking.istio.io'
    ])
    expect(result.crds.every(c => c.verifiedBy === 'sha256 pinned in the spec')).toBe(true)
    expect(readdirSync(join(dir, 'crds', 'istio')).sort()).toEqual([
      'crd-destinationrule.yaml',
      'crd-gateway.yaml',
      'crd-virtualservice.yaml'
    ])
    expect(result.charts.map(c => c.chart)).toEqual(['edgemesh'])
    expect(existsSync(join(dir, 'charts', 'edgemesh.tgz'))).toBe(true)
  })

  test('a file that is not a CRD fails naming its URL, and nothing is written', async () => {
    server.put('/not-a-crd.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n')
    const dir = join(work, 'bad')
    const sources = edgemeshSources(spec)
    await expect(
      fetchCrds({
        crds: [...sources.crds, { url: `${server.url}/not-a-crd.yaml`, sha256: '' }],
        charts: [],
        dir
      })
    ).rejects.toThrow(
      `${server.url}/not-a-crd.yaml: is v1 ConfigMap, not an apiextensions.k8s.io/v1 CustomResourceDefinition`
    )
    expect(existsSync(dir)).toBe(false)
  })

  test('a CRD that differs from its pin fails with URL, expected and actual', async () => {
    const sources = edgemeshSources(spec)
    const first = sources.crds[0]
    if (!first) throw new Error('no CRD source')
    await expect(
      fetchCrds({
        crds: [{ ...first, sha256: 'f'.repeat(64) }],
        charts: [],
        dir: join(work, 'pin')
      })
    ).rejects.toThrow(`checksum mismatch for ${first.url}: expected sha256 ${'f'.repeat(64)}, got `)
  })

  test('the built action (node dist/fetch-crds/index.js) writes the layout and its outputs', async () => {
    const dir = join(work, 'action')
    const run = await runAction('fetch-crds', { spec: specFile, 'output-dir': dir }, env())
    expect(run.stdout).not.toContain('::error::')
    expect(run.outputs).toEqual({ crds: '3', dir })
    expect(run.stdout).toContain('CRD gateways.networking.istio.io (v1alpha3)')
    const bad = await runAction(
      'fetch-crds',
      { spec: specFile, urls: `${server.url}/not-a-crd.yaml`, 'output-dir': join(work, 'x') },
      env()
    )
    expect(bad.code).toBe(1)
    expect(bad.stdout).toContain('::error::')
    expect(bad.stdout).toContain('not an apiextensions.k8s.io/v1 CustomResourceDefinition')
  })
})
