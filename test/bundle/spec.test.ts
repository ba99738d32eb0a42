import { describe, expect, test } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import {
  chartImage,
  DEFAULT_SPEC_YAML,
  defaultSpec,
  edgeDaemonSets,
  parseSpec,
  requiredImages,
  sideImages,
  skewWarning,
  SpecError,
  installSh
} from '@kedge/bundle'

const repoRoot = resolve(import.meta.dirname, '..', '..')

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

function problemsOf(yaml: string): string[] {
  try {
    parseSpec(yaml, 'kedge.yaml')
  } catch (err) {
    if (err instanceof SpecError) return err.problems
    throw err
  }
  return []
}

const edit = (from: string, to: string): string => {
  expect(DEFAULT_SPEC_YAML).toContain(from)
  return DEFAULT_SPEC_YAML.replace(from, to)
}

describe('the built-in spec', () => {
  test('parses, with the pinned stack and placeholders filled in', () => {
    const spec = defaultSpec()
    expect(spec.versions).toMatchObject({
      kubeedge: 'v1.22.2',
      edgemesh: 'v1.17.0',
      k3s: 'v1.34.2+k3s1',
      containerd: '1.7.34',
      cni: 'v1.5.1',
      runc: 'v1.3.6',
      helm: 'v3.19.5'
    })
    expect(spec.sides.cloud.images).toContain('kubeedge/cloudcore:v1.22.2')
    expect(spec.sources.edgemesh).toBe(
      'https://raw.githubusercontent.com/kubeedge/edgemesh/v1.17.0'
    )
    expect(spec.sides.edge.files).toEqual([])
  })

  test('kedge.yaml at the repository root is the built-in spec', () => {
    expect(readFileSync(resolve(repoRoot, 'kedge.yaml'), 'utf8')).toBe(DEFAULT_SPEC_YAML)
  })

  test('k3s 1.34 against KubeEdge 1.22 (tested to 1.31) is a warning, not an error', () => {
    expect(skewWarning(defaultSpec())).toContain('Kubernetes 1.34, above 1.31')
    const older = parseSpec(edit('k3s: v1.34.2+k3s1', 'k3s: v1.31.4+k3s1'), 'x')
    expect(skewWarning(older)).toBeUndefined()
  })

  test('each side must carry what its workloads run; mosquitto follows its switch', () => {
    const spec = defaultSpec()
    expect(requiredImages(spec, 'edge')).toEqual([
      'kubeedge/installation-package:v1.22.2',
      'kubeedge/pause:3.6',
      'eclipse-mosquitto:1.6.15',
      'kubeedge/edgemesh-agent:v1.17.0'
    ])
    expect(requiredImages(spec, 'cloud')).toEqual([
      'kubeedge/cloudcore:v1.22.2',
      'kubeedge/iptables-manager:v1.22.2',
      'kubeedge/edgemesh-agent:v1.17.0'
    ])
    const noMqtt = parseSpec(
      edit('mosquitto:\n  enabled: true', 'mosquitto:\n  enabled: false'),
      'x'
    )
    expect(requiredImages(noMqtt, 'edge')).not.toContain('eclipse-mosquitto:1.6.15')
    // A required image left out of the list is still carried.
    const lean = parseSpec(edit('      - kubeedge/pause:3.6\n', ''), 'x')
    expect(sideImages(lean, 'edge')).toContain('kubeedge/pause:3.6')
  })
})

describe('spec errors name the path, the value and what was expected', () => {
  test.each([
    [
      '      - kubeedge/pause:3.6',
      '      - kubeedge/pause',
      'sides.edge.images[2]: "kubeedge/pause" has no tag (pin a tag or a digest)'
    ],
    [
      '      - kubeedge/pause:3.6',
      '      - Kubeedge/Pause:3.6',
      'sides.edge.images[2]: "Kubeedge/Pause:3.6" is not an image reference: path component "Pause" is not valid'
    ],
    ['  cni: v1.5.1', '  cni: latest', 'versions.cni: "latest" is not a version like v1.22.0'],
    [
      '  helm: https://get.helm.sh',
      '  helm: get.helm.sh',
      'sources.helm: "get.helm.sh" is not an http(s) URL'
    ],
    [
      '  edgemeshChart: 49614b25',
      '  edgemeshChart: XX14b25',
      'pins.edgemeshChart: "XX14b252d76a083030799c67ba44c26af528a84aebbb523c277d19e34b6f3a4" is not a sha256'
    ],
    [
      'edgemesh:\n  enabled: true',
      'edgemesh:\n  enabled: yes please',
      'edgemesh.enabled: "yes please" is not true or false'
    ],
    [
      'sandboxImage: kubeedge/pause:3.6',
      'sandboxImage: kubeedge/pause:3.6\nsandboxImge: x',
      'sandboxImge: unknown field (expected one of apiVersion, kind'
    ],
    [
      '    files: []\n  edge:',
      '    files:\n      - { url: "https://x.example/a", sha256: "' +
        'a'.repeat(64) +
        '", path: "../etc/passwd" }\n  edge:',
      'sides.cloud.files[0].path: "../etc/passwd" is not a relative path inside the bundle'
    ],
    [
      '  mirrors: []',
      '  mirrors: [docker.io]',
      'registry.mirrors[0]: "docker.io" is not registry=URL'
    ]
  ])('%j -> %j', (from, to, message) => {
    const problems = problemsOf(edit(from, to))
    expect(problems.some(p => p.startsWith(message))).toBe(true)
  })

  test('every problem at once, in one error naming the file', () => {
    let error: unknown
    try {
      parseSpec(
        edit('  cni: v1.5.1', '  cni: latest').replace('kind: BundleSpec', 'kind: Bundle'),
        'my/kedge.yaml'
      )
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(SpecError)
    expect((error as Error).message).toMatch(
      /^my\/kedge\.yaml: 2 problems:\n {2}kind: "Bundle" is not BundleSpec\n {2}versions.cni/
    )
  })

  test('a version that would run a command in install.sh, or change an argument, is refused', () => {
    expect(problemsOf(edit('  node: v24.11.0', '  node: v24.11.0$(touch /tmp/pwned)'))).toEqual([
      expect.stringMatching(
        /^versions\.node: "v24\.11\.0\$\(touch \/tmp\/pwned\)" is not a version/
      )
    ])
    expect(problemsOf(edit('  kubeedge: v1.22.2', '  kubeedge: "v1.22.2 --set x=y"'))[0]).toMatch(
      /^versions\.kubeedge: .* is not a version/
    )
    expect(problemsOf(edit('  k3s: v1.34.2+k3s1', '  k3s: "v1.34.2+k3s1`id`"'))[0]).toMatch(
      /^versions\.k3s: .* is not a version/
    )
    expect(problemsOf(DEFAULT_SPEC_YAML)).toEqual([])
    expect(() => installSh('node-v24.11.0$(id)-linux-x64.tar.gz')).toThrow(
      /is not a plain file name/
    )
    expect(installSh('node-v24.11.0-linux-x64.tar.gz')).toContain(
      'runtime="$here/runtime/node-v24.11.0-linux-x64.tar.gz"'
    )
  })

  test('broken YAML, and a document that is not a mapping', () => {
    expect(problemsOf('versions: [unclosed')[0]).toMatch(/^not valid YAML/)
    expect(problemsOf('- a list')).toEqual(['(top level): a list is not a mapping'])
  })
})

describe('a user spec extends the built-in one', () => {
  const sha = 'a'.repeat(64)
  test('a spec holding only sides.edge.images gets the built-in spec with those images appended', () => {
    const spec = parseSpec(
      'sides:\n  edge:\n    images:\n      - registry.example.com/factory/plc-gateway:2.4.1\n',
      'kedge.yaml'
    )
    const builtIn = defaultSpec()
    expect(spec.sides.edge.images).toEqual([
      ...builtIn.sides.edge.images,
      'registry.example.com/factory/plc-gateway:2.4.1'
    ])
    expect({ ...spec, sides: builtIn.sides }).toEqual(builtIn)
  })

  test('mappings merge key by key (placeholders follow the merged versions); files append; an image listed twice is kept once', () => {
    const spec = parseSpec(
      [
        'versions:',
        '  kubeedge: v1.21.0',
        'sides:',
        '  cloud:',
        '    images: [kubeedge/cloudcore:v1.21.0]',
        '    files:',
        `      - { url: "https://example.com/a.txt", sha256: ${sha}, path: a.txt }`
      ].join('\n'),
      'kedge.yaml'
    )
    expect(spec.versions.kubeedge).toBe('v1.21.0')
    expect(spec.versions.k3s).toBe(defaultSpec().versions.k3s)
    expect(spec.sides.cloud.images.filter(i => i === 'kubeedge/cloudcore:v1.21.0')).toHaveLength(1)
    expect(spec.sides.cloud.files).toEqual([
      { url: 'https://example.com/a.txt', sha256: sha, path: 'a.txt' }
    ])
  })

  test('schema errors in a partial spec still name the path', () => {
    expect(problemsOf('sides:\n  edge:\n    images: [kubeedge/pause]\n    extra: 1\n')).toEqual([
      'sides.edge.images[0]: "kubeedge/pause" has no tag (pin a tag or a digest)',
      'sides.edge.extra: unknown field (expected one of images, files)'
    ])
  })
})

describe('bad input gets a clear error', () => {
  test('a YAML alias bomb is refused at once, naming the limit', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]']
    for (let i = 1; i < 12; i++) {
      const prev = String.fromCharCode(96 + i)
      const next = String.fromCharCode(97 + i)
      lines.push(`${next}: &${next} [${Array(10).fill(`*${prev}`).join(', ')}]`)
    }
    const started = Date.now()
    const problems = problemsOf(lines.join('\n'))
    expect(Date.now() - started).toBeLessThan(2000)
    expect(problems).toEqual([
      expect.stringMatching(
        /^the document expands to more than 20000 values or 32 levels .*YAML aliases\?/
      )
    ])
  })

  test('a document over 256 KiB is refused', () => {
    expect(problemsOf(`# ${'x'.repeat(300 * 1024)}\n`)).toEqual([
      `${300 * 1024 + 3} bytes; a spec is at most 262144 bytes`
    ])
  })

  test('__proto__, constructor and toString keys are refused, each named', () => {
    expect(
      problemsOf('__proto__: {polluted: true}\nversions:\n  constructor: v1\n  toString: v1\n')
    ).toEqual([
      '__proto__: the key "__proto__" is not allowed',
      'versions.constructor: the key "constructor" is not allowed'
    ])
    expect(problemsOf('versions:\n  toString: v1.0.0\n')).toEqual([
      'versions.toString: unknown field (expected one of kubeedge, edgemesh, k3s, containerd, runc, cni, helm, node)'
    ])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  test('a files path with a newline is refused', () => {
    const sha = 'b'.repeat(64)
    expect(
      problemsOf(
        `sides:\n  edge:\n    files:\n      - { url: "https://example.com/x", sha256: ${sha}, path: "a\\nb.txt" }\n`
      )
    ).toEqual([
      'sides.edge.files[0].path: "a\\nb.txt" holds a control character (a newline, tab, ...): name the file without one'
    ])
  })
})

describe('mosquitto image and the chart', () => {
  test('the chart gets repository and tag; a mosquitto image needs a tag', () => {
    expect(chartImage('eclipse-mosquitto:1.6.15')).toEqual({
      repository: 'eclipse-mosquitto',
      tag: '1.6.15'
    })
    expect(chartImage('registry.example.com:5000/mqtt/mosquitto:2.0.20')).toEqual({
      repository: 'registry.example.com:5000/mqtt/mosquitto',
      tag: '2.0.20'
    })
    const digest = `sha256:${'c'.repeat(64)}`
    expect(chartImage(`eclipse-mosquitto:2.0.20@${digest}`)).toEqual({
      repository: 'eclipse-mosquitto',
      tag: `2.0.20@${digest}`
    })
    expect(
      problemsOf(edit('  image: eclipse-mosquitto:1.6.15', `  image: eclipse-mosquitto@${digest}`))
    ).toEqual([
      `mosquitto.image: "eclipse-mosquitto@${digest}" has no tag (the cloudcore chart takes mosquitto.image.repository and .tag)`
    ])
  })
})

describe('what reaches edge nodes, and the chart components', () => {
  test('the cloud carries controller-manager and admission only when the spec enables them (off, as in the chart)', () => {
    const spec = defaultSpec()
    expect(spec.cloudcore).toEqual({ controllerManager: false, admission: false })
    expect(sideImages(spec, 'cloud').filter(i => /controller-manager|admission/.test(i))).toEqual(
      []
    )
    const on = parseSpec(
      edit(
        'cloudcore:\n  controllerManager: false\n  admission: false',
        'cloudcore:\n  controllerManager: true\n  admission: true'
      ),
      'x'
    )
    expect(requiredImages(on, 'cloud')).toEqual(
      expect.arrayContaining(['kubeedge/controller-manager:v1.22.2', 'kubeedge/admission:v1.22.2'])
    )
  })

  test('edge DaemonSets: edgemesh-agent, mosquitto when enabled, klipper-lb when servicelb is kept', () => {
    const k3sList = ['docker.io/rancher/klipper-lb:v0.4.13', 'docker.io/rancher/mirrored-pause:3.6']
    const spec = defaultSpec()
    expect(spec.k3s).toEqual({ servicelb: false })
    expect(edgeDaemonSets(spec, k3sList).map(d => d.image)).toEqual([
      'eclipse-mosquitto:1.6.15',
      'kubeedge/edgemesh-agent:v1.17.0'
    ])
    const kept = parseSpec(edit('k3s:\n  servicelb: false', 'k3s:\n  servicelb: true'), 'x')
    expect(edgeDaemonSets(kept, k3sList).map(d => d.image)).toContain(
      'docker.io/rancher/klipper-lb:v0.4.13'
    )
    expect(requiredImages(kept, 'edge', k3sList)).toContain('docker.io/rancher/klipper-lb:v0.4.13')
    const noMqtt = parseSpec(
      edit('mosquitto:\n  enabled: true', 'mosquitto:\n  enabled: false'),
      'x'
    )
    expect(edgeDaemonSets(noMqtt).map(d => d.daemonSet)).toEqual([
      'edgemesh-agent (EdgeMesh chart)'
    ])
  })

  test('a spec written before k3s, cloudcore and pins.k3sImagesTxt existed still reads, with their defaults', () => {
    const old = DEFAULT_SPEC_YAML.replace(/\nk3s:\n {2}servicelb: false\n/, '\n')
      .replace(/\ncloudcore:\n {2}controllerManager: false\n {2}admission: false\n/, '\n')
      .replace(/\n {2}k3sImagesTxt: ""\n/, '\n')
    expect(old).not.toMatch(/^(k3s|cloudcore):|k3sImagesTxt:/m)
    const spec = parseSpec(old, 'old.yaml')
    expect(spec.k3s).toEqual({ servicelb: false })
    expect(spec.cloudcore).toEqual({ controllerManager: false, admission: false })
    expect(spec.pins.k3sImagesTxt).toBe('')
  })
})

describe('values that reach a shell, TOML or YAML are held to strict patterns when the spec is read', () => {
  test.each([
    [
      '  kubeedge: v1.22.2',
      '  kubeedge: "v1.22.2;reboot"',
      'versions.kubeedge: "v1.22.2;reboot" is not a version'
    ],
    [
      '  k3s: v1.34.2+k3s1',
      '  k3s: "v1.34.2+k3s1$(id)"',
      'versions.k3s: "v1.34.2+k3s1$(id)" is not a version'
    ],
    [
      '  containerd: 1.7.34',
      '  containerd: "1.7.34\\n"',
      'versions.containerd: "1.7.34\\n" is not a version'
    ],
    [
      'sandboxImage: kubeedge/pause:3.6',
      'sandboxImage: "kubeedge/pause:3.6\\"\\nx"',
      'sandboxImage: "kubeedge/pause:3.6\\"\\nx" is not an image reference (letters, digits'
    ],
    [
      '      - kubeedge/pause:3.6',
      "      - 'kubeedge/pause:3.6`id`'",
      'sides.edge.images[2]: "kubeedge/pause:3.6`id`" is not an image reference (letters, digits'
    ],
    [
      '  image: eclipse-mosquitto:1.6.15',
      "  image: 'eclipse-mosquitto:1.6.15 --set x=y'",
      'mosquitto.image: "eclipse-mosquitto:1.6.15 --set x=y" is not an image reference (letters'
    ],
    [
      '    files: []\n  edge:',
      '    files:\n      - { url: "https://x.example/a", sha256: "' +
        'a'.repeat(64) +
        '", path: "tools/a\'b.sh" }\n  edge:',
      'sides.cloud.files[0].path: "tools/a\'b.sh" is not a plain relative path'
    ],
    [
      '  helm: https://get.helm.sh',
      '  helm: "https://get.helm.sh/$HOME"',
      'sources.helm: "https://get.helm.sh/$HOME" is not an http(s) URL'
    ],
    [
      '  helm: https://get.helm.sh',
      '  helm: "https://get.helm.sh/{helmm}"',
      'sources.helm: "https://get.helm.sh/{helmm}" is not an http(s) URL'
    ],
    [
      '  mirrors: []',
      '  mirrors: ["docker.io=https://m.example/;id"]',
      'registry.mirrors[0]: "docker.io=https://m.example/;id" is not registry=URL'
    ]
  ])('%j -> %j', (from, to, message) => {
    // The field itself is named first (a version also spoils the strings that use it).
    expect(problemsOf(edit(from, to))[0]).toMatch(new RegExp(`^${escape(message)}`))
  })

  test('the built-in values pass', () => {
    expect(() => defaultSpec()).not.toThrow()
  })
})
