/** The files the edge install writes: the containerd unit and config, the CNI conflist. */

export const CONTAINERD_UNIT = `[Unit]
Description=containerd container runtime (installed by kedge)
Documentation=https://containerd.io
After=network.target local-fs.target

[Service]
ExecStartPre=-/sbin/modprobe overlay
ExecStart=/usr/local/bin/containerd
Type=notify
Delegate=yes
KillMode=process
Restart=always
RestartSec=5
LimitNPROC=infinity
LimitCORE=infinity
TasksMax=infinity
OOMScoreAdjust=-999

[Install]
WantedBy=multi-user.target
`

export function containerdConfig(sandboxImage: string, cgroupDriver: string): string {
  const image =
    sandboxImage.includes('/') && !sandboxImage.split('/')[0]?.includes('.')
      ? `docker.io/${sandboxImage}`
      : sandboxImage
  return `# written by kedge: containerd >= 1.6 config, version 2
version = 2

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${image}"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = ${cgroupDriver === 'systemd' ? 'true' : 'false'}

[plugins."io.containerd.grpc.v1.cri".cni]
  bin_dir = "/opt/cni/bin"
  conf_dir = "/etc/cni/net.d"
`
}

export const CNI_CONFLIST = `${JSON.stringify(
  {
    cniVersion: '1.0.0',
    name: 'containerd-net',
    plugins: [
      {
        type: 'bridge',
        bridge: 'cni0',
        isGateway: true,
        ipMasq: true,
        promiscMode: true,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: '10.88.0.0/16' }]],
          routes: [{ dst: '0.0.0.0/0' }]
        }
      },
      { type: 'portmap', capabilities: { portMappings: true } }
    ]
  },
  null,
  2
)}\n`
