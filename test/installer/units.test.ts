/** The installer's pure parts: config merges, flag validation, plan order. */
import { describe, expect, test } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { load } from 'js-yaml'
import {
  formatJoinFile,
  parseJoinFile,
  timeLeft,
  tokenExpiry,
  containerdConfig,
  edgecoreSettings,
  enableDynamicController,
  getPath,
  setPath,
  mergeSettings,
  missingSettings,
  parseOptions,
  UsageError
} from '@kedge/installer'

const TOKEN = `${'ab'.repeat(32)}.eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2ln`

describe('edgecore.yaml merge', () => {
  const yaml = [
    'apiVersion: edgecore.config.kubeedge.io/v1alpha2',
    'kind: EdgeCore',
    'modules:',
    '  edgeHub:',
    '    httpServer: https://192.0.2.10:10002',
    '    token: keep-me',
    '  edged:',
    '    tailoredKubeletConfig:',
    '      cgroupDriver: cgroupfs',
    '      clusterDomain: cluster.local',
    '  metaManager:',
    '    metaServer:',
    '      enable: false',
    '      server: 127.0.0.1:10550',
    ''
  ].join('\n')
  const wanted = edgecoreSettings('192.0.2.10')

  test('finds what did not take', async () => {
    expect(await missingSettings(yaml, wanted)).toEqual([
      'modules.metaManager.metaServer.enable',
      'modules.edgeStream.enable',
      'modules.edgeStream.server',
      'modules.edged.tailoredKubeletConfig.clusterDNS'
    ])
  })

  test('sets exactly those keys and keeps every other one; a second merge changes nothing', async () => {
    const merged = await mergeSettings(yaml, wanted, 'edgecore.yaml')
    const doc = load(merged)
    expect(getPath(doc, 'modules.edgeHub')).toEqual({
      httpServer: 'https://192.0.2.10:10002',
      token: 'keep-me'
    })
    expect(getPath(doc, 'modules.metaManager.metaServer')).toEqual({
      enable: true,
      server: '127.0.0.1:10550'
    })
    expect(getPath(doc, 'modules.edged.tailoredKubeletConfig')).toEqual({
      cgroupDriver: 'cgroupfs',
      clusterDomain: 'cluster.local',
      clusterDNS: ['169.254.96.16']
    })
    expect(getPath(doc, 'modules.edgeStream')).toEqual({ enable: true, server: '192.0.2.10:10004' })
    expect(await missingSettings(merged, wanted)).toEqual([])
    expect(await mergeSettings(merged, wanted, 'x')).toBe(merged)
  })
})

describe('cloudcore ConfigMap: dynamicController on, nothing else touched', () => {
  const inner =
    'apiVersion: cloudcore.config.kubeedge.io/v1alpha2\nkind: CloudCore\nmodules:\n  cloudHub:\n    advertiseAddress:\n    - 192.0.2.10\n    websocket:\n      port: 10000\n  dynamicController:\n    enable: false\n  router:\n    enable: false\n'
  const cm = JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'cloudcore',
      namespace: 'kubeedge',
      resourceVersion: '7',
      labels: { a: 'b' }
    },
    data: { 'cloudcore.yaml': inner, other: 'x' }
  })

  test('the whole cloudcore.yaml is written back with that one key changed', async () => {
    const { yaml, changed } = await enableDynamicController(cm)
    expect(changed).toBe(true)
    const out = load(yaml) as { metadata: Record<string, unknown>; data: Record<string, string> }
    expect(out.metadata).toEqual({ name: 'cloudcore', namespace: 'kubeedge', labels: { a: 'b' } })
    expect(out.data.other).toBe('x')
    const before = load(inner) as Record<string, unknown>
    const after = load(out.data['cloudcore.yaml'] ?? '')
    setPath(before, 'modules.dynamicController.enable', true)
    expect(after).toEqual(before)
  })

  test('already on: unchanged; no cloudcore.yaml: refused, not replaced', async () => {
    const on = (await enableDynamicController(cm)).yaml
    expect((await enableDynamicController(on)).changed).toBe(false)
    await expect(enableDynamicController('{"data":{}}')).rejects.toThrow(
      'has no data["cloudcore.yaml"]; not editing it'
    )
  })
})

describe('containerd config', () => {
  test('sandbox image from the bundle, SystemdCgroup from --cgroup-driver, CNI dirs', () => {
    const toml = containerdConfig('kubeedge/pause:3.6', 'cgroupfs')
    expect(toml).toContain('sandbox_image = "docker.io/kubeedge/pause:3.6"')
    expect(toml).toContain('SystemdCgroup = false')
    expect(toml).toContain('bin_dir = "/opt/cni/bin"')
    expect(containerdConfig('registry.k8s.io/pause:3.10', 'systemd')).toContain(
      'SystemdCgroup = true'
    )
    expect(containerdConfig('registry.k8s.io/pause:3.10', 'systemd')).toContain(
      'sandbox_image = "registry.k8s.io/pause:3.10"'
    )
  })

  test('a sandbox image that would close the TOML string is refused, not written', () => {
    expect(() =>
      containerdConfig('kubeedge/pause:3.6"\n[plugins.evil]\nx = "1', 'cgroupfs')
    ).toThrow(/sandboxImage ".*" is not an image reference; not writing config.toml/)
  })
})

describe('flags', () => {
  const usage = (argv: string[]) => {
    try {
      parseOptions(argv)
    } catch (err) {
      if (err instanceof UsageError) return err.message
      throw err
    }
    return 'accepted'
  }
  test.each([
    [
      ['edge', '--cloudcore-ipport', '10.0.0.1', '--token', TOKEN],
      '--cloudcore-ipport: "10.0.0.1" is not IP:PORT'
    ],
    [
      ['edge', '--cloudcore-ipport', '999.1.1.1:10000', '--token', TOKEN],
      '"999.1.1.1" is not an IP address'
    ],
    [['edge', '--cloud-ip', '192.0.2.1', '--token', 'abc'], 'does not look like a KubeEdge token'],
    [['edge', '--cloud-ip', '192.0.2.1'], 'a token is required'],
    [['edge', '--token', TOKEN], '--cloudcore-ipport IP:10000 (or --cloud-ip IP) is required'],
    [
      ['edge', '--cloud-ip', '192.0.2.1', '--token', TOKEN, '--cgroup-driver', 'cgroupv2'],
      'expected cgroupfs or systemd'
    ],
    [['cloud', '--advertise-address', '192.0.2.1,nope'], '"nope" is not an IP address'],
    [['cloud', '--relay-node', 'r1'], '"r1" is not NAME=IP[,IP]'],
    [['cloud', '--edgemesh', '--no-edgemesh'], 'contradict'],
    [['fly'], 'unknown command "fly"'],
    [
      ['edge', '--cloud-ip', '192.0.2.1', '--token', TOKEN, '--node-name', 'Bad_Name'],
      'is not a valid node name'
    ],
    [
      ['edge', '--cloud-ip', '192.0.2.1', '--token', TOKEN, '--labels', 'nokey'],
      '"nokey" is not key=value'
    ]
  ])('%j -> %s', (argv, message) => {
    expect(usage(argv)).toContain(message)
  })
  test('good flags parse; --dry-run is plan', () => {
    const o = parseOptions([
      'edge',
      '--cloudcore-ipport',
      '192.0.2.1:10000',
      '--token',
      TOKEN,
      '--dry-run',
      '--labels',
      'site=a,zone=b'
    ])
    expect('help' in o).toBe(false)
    if ('help' in o) return
    expect(o.command).toBe('plan')
    expect(o.cloudIp).toBe('192.0.2.1')
    expect(o.labels).toEqual(['site=a', 'zone=b'])
    expect(o.cgroupDriver).toBe('cgroupfs')
  })
})

describe('the join file', () => {
  const jwt = (claims: unknown) =>
    `${'cd'.repeat(32)}.eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`
  const token = jwt({ exp: 1_900_000_000 })

  test('format and parse round-trip; expires is the JWT exp, RFC 3339 UTC', () => {
    const text = formatJoinFile({ cloudcoreIpport: '192.0.2.10:10000', token, edgemesh: false })
    expect(text.split('\n').filter(l => l && !l.startsWith('#'))).toEqual([
      'cloudcore-ipport=192.0.2.10:10000',
      `token=${token}`,
      'edgemesh=false',
      'expires=2030-03-17T17:46:40Z'
    ])
    expect(parseJoinFile(text, 'f')).toEqual({
      cloudcoreIpport: '192.0.2.10:10000',
      token,
      edgemesh: false,
      expires: '2030-03-17T17:46:40Z'
    })
    expect(tokenExpiry(jwt({ sub: 'x' }))).toBeUndefined()
    expect(timeLeft(new Date(7_200_000 + 60_000), new Date(0))).toBe('2 h 1 min')
    expect(timeLeft(new Date(0), new Date(3_600_000))).toBe('expired 1 h 0 min ago')
  })

  test('a bad line names the file and line', () => {
    expect(() => parseJoinFile('# c\nnonsense\n', 'j.txt')).toThrow('j.txt line 2 is not key=value')
    expect(() => parseJoinFile('edgemesh=maybe\n', 'j.txt')).toThrow(
      'edgemesh must be true or false'
    )
    expect(() => parseJoinFile('tokn=x\n', 'j.txt')).toThrow('unknown key "tokn"')
  })

  test('--join-file fills what the flags leave open; --token-file takes a join file too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kedge-join-'))
    try {
      const file = join(dir, 'edge-join.txt')
      writeFileSync(
        file,
        formatJoinFile({ cloudcoreIpport: '192.0.2.10:10000', token, edgemesh: false })
      )
      const fromFile = parseOptions(['edge', '--join-file', file])
      if ('help' in fromFile) throw new Error('help')
      expect([fromFile.cloudIp, fromFile.cloudPort, fromFile.token, fromFile.edgemesh]).toEqual([
        '192.0.2.10',
        10000,
        token,
        false
      ])
      const overridden = parseOptions([
        'edge',
        '--join-file',
        file,
        '--cloudcore-ipport',
        '198.51.100.7:10000',
        '--edgemesh'
      ])
      if ('help' in overridden) throw new Error('help')
      expect([overridden.cloudIp, overridden.edgemesh, overridden.token]).toEqual([
        '198.51.100.7',
        true,
        token
      ])
      const viaTokenFile = parseOptions(['edge', '--cloud-ip', '192.0.2.1', '--token-file', file])
      if ('help' in viaTokenFile) throw new Error('help')
      expect(viaTokenFile.token).toBe(token)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
