/**
 * STAND-IN release assets for the offline test bed and the demo: small synthetic files at
 * the URL layout of each upstream project, with checksum files in each project's own
 * format, served by the loopback file server. The binaries are shell scripts that say
 * they are stand-ins; the CRDs are minimal valid CRDs under the real Istio names.
 * `bedSpec` returns the built-in spec with every source pointed at the file server and the
 * pins set to the stand-ins' digests.
 */
import { gzipSync } from 'node:zlib'
import { pack } from 'tar-stream'
import { defaultSpec, sideImages, type Arch, type BundleSpec } from '@kedge/bundle'
import { parseReference } from '@kedge/oci'
import { hexDigest, type FileServer } from './fileserver.js'
import { linuxAmd64, linuxArm64, seedImage } from './images.js'
import { clusterTool, ctrTool, k3sInstallScript } from './tool-standins.js'

export const ISTIO_CRDS: Record<string, { kind: string; plural: string }> = {
  'crd-destinationrule.yaml': { kind: 'DestinationRule', plural: 'destinationrules' },
  'crd-gateway.yaml': { kind: 'Gateway', plural: 'gateways' },
  'crd-virtualservice.yaml': { kind: 'VirtualService', plural: 'virtualservices' }
}

export function crdYaml(kind: string, plural: string, group = 'networking.istio.io'): string {
  return [
    'apiVersion: apiextensions.k8s.io/v1',
    'kind: CustomResourceDefinition',
    'metadata:',
    `  name: ${plural}.${group}`,
    'spec:',
    `  group: ${group}`,
    '  names:',
    `    kind: ${kind}`,
    `    plural: ${plural}`,
    '  scope: Namespaced',
    '  versions:',
    '    - name: v1alpha3',
    '      served: true',
    '      storage: true',
    '      schema:',
    '        openAPIV3Schema:',
    '          type: object',
    '          x-kubernetes-preserve-unknown-fields: true',
    ''
  ].join('\n')
}

/** A stand-in executable: a shell script naming what it stands in for. */
export function standIn(name: string, extraBytes = 0): Buffer {
  const script = `#!/bin/sh\n# kedge test bed STAND-IN for ${name}; not the real program.\necho "${name} (kedge stand-in) $*"\n`
  // Compressible, binary-like padding (repeating structure with varying fields).
  const pad = Buffer.alloc(extraBytes)
  for (let i = 0; i < extraBytes; i++) pad[i] = (i % 251) ^ ((i >> 10) & 0x3f)
  return Buffer.concat([
    Buffer.from(script),
    pad.length ? Buffer.from(`exit 0\n`) : Buffer.alloc(0),
    pad
  ])
}

export async function tarGz(
  files: Array<{ name: string; data: Buffer; mode?: number }>
): Promise<Buffer> {
  const archive = pack()
  const chunks: Buffer[] = []
  archive.on('data', (c: unknown) => chunks.push(c as Buffer))
  const done = new Promise<void>(resolve => archive.on('end', resolve))
  for (const f of files) {
    archive.entry(
      {
        name: f.name,
        size: f.data.length,
        mode: f.mode ?? 0o755,
        mtime: new Date(0),
        uid: 0,
        gid: 0
      },
      f.data
    )
  }
  archive.finalize()
  await done
  return gzipSync(Buffer.concat(chunks), { level: 6 })
}

const K3S_IMAGES = [
  'docker.io/rancher/mirrored-pause:3.6',
  'docker.io/rancher/mirrored-coredns-coredns:1.13.1'
]

/** The images the stand-in k3s-images.txt lists (the registry must hold them). */
export function k3sStandInImages(): string[] {
  return [...K3S_IMAGES]
}

/**
 * Serves stand-in assets for both arches on `server` and returns the built-in spec pointed
 * at them. `binarySize` pads the stand-in binaries (compressible) for benchmarks.
 */
export async function seedReleases(
  server: FileServer,
  options: { binarySize?: number } = {}
): Promise<BundleSpec> {
  const spec = defaultSpec()
  const v = spec.versions
  const base = server.url
  const pad = options.binarySize ?? 0
  const arches: Arch[] = ['amd64', 'arm64']
  const put = (path: string, data: Buffer | string) => {
    server.put(path, data)
    return path
  }

  for (const arch of arches) {
    const keadm = `keadm-${v.kubeedge}-linux-${arch}.tar.gz`
    put(
      `/kubeedge/${v.kubeedge}/${keadm}`,
      await tarGz([
        {
          name: `keadm-${v.kubeedge}-linux-${arch}/keadm/keadm`,
          data: clusterTool(`keadm ${v.kubeedge} ${arch}`, pad)
        }
      ])
    )
    server.putChecksum(
      `/kubeedge/${v.kubeedge}/checksum_${keadm}.txt`,
      [`/kubeedge/${v.kubeedge}/${keadm}`],
      { algorithm: 'sha512', format: 'bare' }
    )

    const k3sFile = arch === 'amd64' ? 'k3s' : `k3s-${arch}`
    put(`/k3s/${v.k3s}/${k3sFile}`, clusterTool(`k3s ${v.k3s} ${arch}`, pad))
    put(`/k3s/${v.k3s}/k3s-images.txt`, `${K3S_IMAGES.join('\n')}\n`)
    server.putChecksum(
      `/k3s/${v.k3s}/sha256sum-${arch}.txt`,
      [`/k3s/${v.k3s}/${k3sFile}`, `/k3s/${v.k3s}/k3s-images.txt`],
      { algorithm: 'sha256', format: 'sum' }
    )

    const helm = `helm-${v.helm}-linux-${arch}.tar.gz`
    put(
      `/helm/${helm}`,
      await tarGz([
        { name: `linux-${arch}/helm`, data: clusterTool(`helm ${v.helm} ${arch}`, pad) }
      ])
    )
    server.putChecksum(`/helm/${helm}.sha256sum`, [`/helm/${helm}`], {
      algorithm: 'sha256',
      format: 'sum'
    })

    const containerd = `containerd-${v.containerd}-linux-${arch}.tar.gz`
    put(
      `/containerd/v${v.containerd}/${containerd}`,
      await tarGz(
        ['containerd', 'ctr', 'containerd-shim-runc-v2'].map(b => ({
          name: `bin/${b}`,
          data: b === 'ctr' ? ctrTool(v.containerd) : standIn(`${b} ${v.containerd} ${arch}`, pad)
        }))
      )
    )
    server.putChecksum(
      `/containerd/v${v.containerd}/${containerd}.sha256sum`,
      [`/containerd/v${v.containerd}/${containerd}`],
      { algorithm: 'sha256', format: 'sum' }
    )

    put(`/runc/${v.runc}/runc.${arch}`, standIn(`runc ${v.runc} ${arch}`, pad))

    const cni = `cni-plugins-linux-${arch}-${v.cni}.tgz`
    put(
      `/cni/${v.cni}/${cni}`,
      await tarGz(
        ['bridge', 'host-local', 'loopback', 'portmap'].map(b => ({
          name: `./${b}`,
          data: standIn(`cni ${b} ${v.cni}`, pad)
        }))
      )
    )
    server.putChecksum(`/cni/${v.cni}/${cni}.sha256`, [`/cni/${v.cni}/${cni}`], {
      algorithm: 'sha256',
      format: 'sum'
    })

    const nodeArch = arch === 'amd64' ? 'x64' : 'arm64'
    const node = `node-${v.node}-linux-${nodeArch}.tar.gz`
    put(
      `/node/${v.node}/${node}`,
      await tarGz([
        {
          name: `node-${v.node}-linux-${nodeArch}/bin/node`,
          data: standIn(`node ${v.node} ${arch}`, pad)
        }
      ])
    )
  }
  server.putChecksum(
    `/runc/${v.runc}/runc.sha256sum`,
    arches.map(a => `/runc/${v.runc}/runc.${a}`),
    { algorithm: 'sha256', format: 'sum' }
  )
  server.putChecksum(
    `/node/${v.node}/SHASUMS256.txt`,
    arches.map(
      a => `/node/${v.node}/node-${v.node}-linux-${a === 'amd64' ? 'x64' : 'arm64'}.tar.gz`
    ),
    { algorithm: 'sha256', format: 'sum' }
  )

  put(`/k3s-install/${v.k3s}/install.sh`, k3sInstallScript(v.k3s))
  const chart = await tarGz([
    {
      name: 'edgemesh/Chart.yaml',
      data: Buffer.from(
        `apiVersion: v2\nname: edgemesh\nversion: ${v.edgemesh.replace(/^v/, '')}\ndescription: kedge STAND-IN chart\n`
      ),
      mode: 0o644
    }
  ])
  put(`/edgemesh/${v.edgemesh}/build/helm/edgemesh.tgz`, chart)
  const crdPins: Record<string, string> = {}
  for (const [file, { kind, plural }] of Object.entries(ISTIO_CRDS)) {
    const text = crdYaml(kind, plural)
    put(`/edgemesh/${v.edgemesh}/build/crds/istio/${file}`, text)
    crdPins[file] = hexDigest('sha256', text)
  }

  spec.sources = {
    kubeedge: `${base}/kubeedge`,
    k3s: `${base}/k3s`,
    k3sInstallScript: `${base}/k3s-install/${v.k3s}/install.sh`,
    containerd: `${base}/containerd`,
    runc: `${base}/runc`,
    cni: `${base}/cni`,
    helm: `${base}/helm`,
    node: `${base}/node`,
    edgemesh: `${base}/edgemesh/${v.edgemesh}`
  }
  spec.pins = {
    k3sInstallScript: hexDigest('sha256', k3sInstallScript(v.k3s)),
    edgemeshChart: hexDigest('sha256', chart),
    istioCrds: crdPins
  }
  return spec
}

/** Every image a spec's bundles carry, under its real name, both arches, in `registryUrl`. */
export async function seedSpecImages(
  registryUrl: string,
  spec: BundleSpec,
  sizes: { baseSize?: number; layerSize?: number } = {}
): Promise<string[]> {
  const names = new Set([
    ...sideImages(spec, 'cloud'),
    ...sideImages(spec, 'edge'),
    ...k3sStandInImages()
  ])
  for (const name of names) {
    const ref = parseReference(name)
    await seedImage(registryUrl, {
      repository: ref.repository,
      tag: ref.tag ?? 'latest',
      format: ref.repository.startsWith('kubeedge/') ? 'oci' : 'docker',
      index: true,
      attestations: ref.repository.startsWith('kubeedge/'),
      platforms: [linuxAmd64, linuxArm64],
      baseSize: sizes.baseSize ?? 64 * 1024,
      layerSize: sizes.layerSize ?? 8 * 1024
    })
  }
  return [...names]
}

/** The spec pointed at the bed: stand-in assets on `server`, images from `registry` only. */
export async function bedSpec(
  server: FileServer,
  registry: { url: string; host: string },
  sizes: { baseSize?: number; layerSize?: number } = {}
): Promise<BundleSpec> {
  const spec = await seedReleases(server)
  spec.registry = {
    mirrors: [`docker.io=${registry.url}`],
    insecure: [registry.host],
    fallbackToOrigin: false
  }
  await seedSpecImages(registry.url, spec, sizes)
  return spec
}
