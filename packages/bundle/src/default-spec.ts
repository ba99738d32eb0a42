/**
 * The built-in kedge.yaml. Copy it (`kedge.yaml` at the repository root is the same text,
 * kept equal by a test) and change what you need; every field is required except where
 * the schema says otherwise.
 */
export const DEFAULT_SPEC_YAML = `# kedge bundle spec: what the cloud and edge bundles carry, and where it comes from.
# {name} placeholders take the value of versions.<name>.
apiVersion: kedge.dev/v1alpha1
kind: BundleSpec

# Each pin is the newest patch of its minor that upstream's tags showed when it was chosen
# (kubeedge/kubeedge, containerd/containerd, opencontainers/runc, helm/helm; 2026-08):
# patches carry security and bug fixes and nothing else. Bundle names follow kubeedge.
versions:
  # v1.22.2 (2026-07): security backports over v1.22.0 (NodeUpgradeJob/ConfigUpdateJob
  # command injection, tar path traversal, viaduct DoS).
  kubeedge: v1.22.2
  edgemesh: v1.17.0
  k3s: v1.34.2+k3s1
  # containerd 1.7 (LTS line): KubeEdge needs >= 1.6, and the edge installer writes a
  # config version 2 file with sandbox_image under the CRI plugin, the layout KubeEdge's own
  # docs and CI use. 2.x moved that setting (pinned_images, config version 3).
  # 1.7.34 (2026-07): the newest 1.7 patch.
  containerd: 1.7.34
  # v1.3.6 (2026-06): the newest 1.3 patch; fixes CVE-2026-41579 (/dev symlink in an image)
  # and a v1.3.0 regression that could leave runc exec/run stuck.
  runc: v1.3.6
  cni: v1.5.1
  # v3.19.5 (2026-01): the newest 3.19 patch.
  helm: v3.19.5
  # Node.js LTS for hosts without node >= 18 (install.sh falls back to it).
  node: v24.11.0

# Base URLs of every download; point them at a mirror or an artifact store.
sources:
  kubeedge: https://github.com/kubeedge/kubeedge/releases/download
  k3s: https://github.com/k3s-io/k3s/releases/download
  k3sInstallScript: https://raw.githubusercontent.com/k3s-io/k3s/{k3s}/install.sh
  containerd: https://github.com/containerd/containerd/releases/download
  runc: https://github.com/opencontainers/runc/releases/download
  cni: https://github.com/containernetworking/plugins/releases/download
  helm: https://get.helm.sh
  node: https://nodejs.org/dist
  edgemesh: https://raw.githubusercontent.com/kubeedge/edgemesh/{edgemesh}

# sha256 of downloads that publish no checksum of their own.
pins:
  # k3s publishes no checksum for install.sh, and kedge could not confirm one at the tag.
  # Empty: the build records its sha256 in bundle.json and warns; pin it here.
  k3sInstallScript: ""
  # k3s's sha256sum-<arch>.txt lists the binary and the airgap image tarballs, not
  # k3s-images.txt (k3s release workflow); the file is scripts/airgap/image-list.txt at the
  # k3s tag. Empty: the build records its sha256 in bundle.json and lists it under
  # "verified by nothing" in the build log and job summary; pin it here.
  k3sImagesTxt: ""
  # build/helm/edgemesh.tgz and build/crds/istio/*.yaml at kubeedge/edgemesh v1.17.0.
  edgemeshChart: 49614b252d76a083030799c67ba44c26af528a84aebbb523c277d19e34b6f3a4
  istioCrds:
    crd-destinationrule.yaml: 468ec2b7cc1d5a8db67c2fa4a674f310436236a6b94aa7d9658128c4c0fe197c
    crd-gateway.yaml: 390beddcf0f5f1cefeba039f062d2b1237269f0ed8919e51a114c7796e5d895b
    crd-virtualservice.yaml: 7112f3df4339d3b45bb0328fe6718b343084e24b12eb32396a7df2d3bf3f45e3

edgemesh:
  enabled: true

# The cloudcore chart runs a mosquitto DaemonSet on edge nodes with this image; the edge
# bundle preloads it and the cloud installer points the chart at it
# (mosquitto.image.repository and .tag, from bundle.json). enabled: false turns the
# DaemonSet off instead.
mosquitto:
  enabled: true
  image: eclipse-mosquitto:1.6.15

# k3s's servicelb runs an svclb-* DaemonSet (rancher/klipper-lb, hostPorts 80/443) on every
# node that has no control-plane taint, KubeEdge edge nodes included. false: the installer
# passes --disable=servicelb. true: keep it; the edge bundle then carries klipper-lb (the
# image k3s-images.txt names).
k3s:
  servicelb: false

# The cloudcore chart's optional components, off by default as in the chart (KubeEdge v1.22
# manifests/charts/cloudcore/values.yaml). true: the cloud bundle carries the image and the
# installer enables the component (controllerManager.enable / admission.enable).
cloudcore:
  controllerManager: false
  admission: false

# The pod sandbox image the edge installer's containerd config names (and preloads).
sandboxImage: kubeedge/pause:3.6

registry:
  # e.g. docker.io=https://mirror.example.com, tried before the origin
  mirrors: []
  # host:port of registries reached over plain HTTP
  insecure: []
  # When every mirror fails, try the registry itself (false: stay on the mirrors).
  fallbackToOrigin: true

sides:
  cloud:
    images:
      - kubeedge/cloudcore:{kubeedge}
      - kubeedge/iptables-manager:{kubeedge}
      - kubeedge/edgemesh-agent:{edgemesh}
    # Add the images of the k3s release's k3s-images.txt (resolved at build time).
    k3sImages: true
    # Your own files: { url, sha256, path } (path under files/ in the bundle).
    files: []
  edge:
    images:
      - kubeedge/installation-package:{kubeedge}
      - kubeedge/edgemesh-agent:{edgemesh}
      - kubeedge/pause:3.6
      - eclipse-mosquitto:1.6.15
    files: []
`
