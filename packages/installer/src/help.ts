/** The text of --help, for install.js and each command. */
export const HELP: Record<string, string> = {
  main: `usage: node install.js <command> [options]   (or ./install.sh <command> ...)

commands:
  cloud       install the cloud side: k3s, CloudCore, Istio CRDs, token, EdgeMesh
  edge        install the edge side: containerd, runc, CNI, images, keadm join
  plan        print the ordered steps with their commands and files; change nothing
  verify      run the checklist; PASS/FAIL per check (exit 1 on any FAIL)
  uninstall   undo in reverse order; keeps logs, token and PSK unless --purge
  upgrade     upgrade a host an older kedge bundle installed (--rollback: undo it)

common options:
  --yes             no prompts          --dry-run    the same as plan
  --json            machine-readable    --log-file F (default /var/log/kubeedge-<side>-install.log)
  --root DIR        prefix for every path read or written (tests, image builders)
  --side cloud|edge for plan/verify/uninstall (default: the bundle's side)
  --help            this help, or <command> --help

exit codes: 0 ok, 1 a step failed, 2 bad usage or bad input`,
  cloud: `usage: node install.js cloud [options]
  --advertise-address IP[,IP]  the address edges reach CloudCore on (default: this host's primary IP)
  --node-name NAME             the k3s node name (default: the host name)
  --edgemesh / --no-edgemesh   install EdgeMesh (default: yes)
  --relay-node NAME=IP[,IP]    an EdgeMesh relay node, repeatable (default: this node)
  --kubeconfig FILE            use an existing cluster: skip k3s
  --disable-traefik            start k3s without Traefik`,
  upgrade: `usage: node install.js upgrade [--dry-run] [--rollback] [options]
  prints the plan (version from -> to per component), refuses a downgrade or a skipped
  minor, backs up, then upgrades in place (journaled: run it again to resume)
  --dry-run    print the plan and the steps; change nothing
  --rollback   return to the bundle this host ran before the last upgrade`,
  edge: `usage: node install.js edge [options]
  --cloudcore-ipport IP:PORT   CloudCore's websocket address (port 10000), or --cloud-ip IP
  --token TOKEN | --token-file FILE   the token from the cloud (edge-join.txt, keadm gettoken)
  --node-name NAME             the edge node name (default: the host name)
  --cgroup-driver cgroupfs|systemd   (default cgroupfs; containerd is configured to match)
  --labels k=v[,k=v]           node labels
  --certport PORT              CloudCore's certificate port (default 10002)`
}
