/** The text of --help, for install.js and each command. */
export const HELP: Record<string, string> = {
  main: `usage: node install.js <command> [options]   (or ./install.sh <command> ...)

commands:
  cloud       install the cloud side: k3s, CloudCore, Istio CRDs, join file, EdgeMesh
  edge        install the edge side: containerd, runc, CNI, images, keadm join
  plan        print the ordered steps with their commands and files; change nothing
  verify      run the checklist; PASS/FAIL per check and a count (exit 1 on any FAIL)
  uninstall   undo in reverse order; keeps logs, join file and PSK unless --purge
  token       on the cloud: mint a fresh edge token and rewrite the join file
  upgrade     upgrade a host an older kedge bundle installed (--rollback: undo it)

common options:
  --yes             no prompts          --dry-run    the same as plan
  --json            machine-readable: one JSON object, the last line of stdout
  --log-file F      (default /var/log/kubeedge-<side>-install.log)
  --root DIR        prefix for every path read or written (tests, image builders)
  --side cloud|edge for plan/verify/uninstall (default: the bundle's side)
  --trust-key FILE  refuse a bundle whose SHA256SUMS.sig this public key (PEM) does not
                    verify (default: /etc/kedge/trust.pem when it exists)
  --wait-timeout S  how long each wait (API, cloudcore, edgecore) may take (default 300)
  --help            this help, or <command> --help

exit codes: 0 ok, 1 a step or check failed, 2 bad usage or bad input, 130 interrupted`,
  cloud: `usage: node install.js cloud [options]
  --advertise-address IP[,IP]  the address edges reach CloudCore on (default: this host's primary IP)
  --node-name NAME             the k3s node name (default: the host name)
  --edgemesh / --no-edgemesh   install EdgeMesh (default: yes); written to the join file
  --relay-node NAME=IP[,IP]    an EdgeMesh relay node, repeatable (default: this node)
  --kubeconfig FILE            use an existing cluster: skip k3s
  --disable-traefik            start k3s without Traefik
  --keep-servicelb             keep k3s's servicelb (default: --disable=servicelb; its
                               DaemonSet would land on edge nodes)
  --add-default-route          if the host has no default route (k3s needs one), add a dummy
                               interface with one; without it, preflight stops and says how
writes /var/lib/kedge/edge-join.txt (0600) for the edges; see: install.js token --help`,
  upgrade: `usage: node install.js upgrade [--dry-run] [--rollback] [options]
  prints the plan (version from -> to per component), refuses a downgrade or a skipped
  minor, backs up, then upgrades in place (journaled: run it again to resume)
  --dry-run    print the plan and the steps; change nothing
  --rollback   return to the bundle this host ran before the last upgrade`,
  edge: `usage: node install.js edge [options]
  --join-file FILE             edge-join.txt from the cloud: address, token, EdgeMesh choice
  --cloudcore-ipport IP:PORT   CloudCore's websocket address (port 10000), or --cloud-ip IP
  --token-file FILE            a file with only the token (flags override the join file)
  --edgemesh / --no-edgemesh   EdgeMesh on this node (default: the join file's, else yes)
  --node-name NAME             the edge node name (default: the host name)
  --cgroup-driver cgroupfs|systemd   (default cgroupfs; containerd is configured to match)
  --labels k=v[,k=v]           node labels
  --certport PORT              CloudCore's certificate port (default 10002)
an expired token is refused (exit 2): run ./install.sh token on the cloud, copy the file again`,
  plan: `usage: node install.js plan [--side cloud|edge] [the install flags]
prints the ordered steps of the side's install with their commands and files; changes
nothing. Missing edge join flags show as <cloud-ip> and <token>. The same as cloud|edge --dry-run.
It checks the bundle's listing and signature but hashes only meta/bundle.json; cloud|edge
hash every file before they change anything.`,
  verify: `usage: node install.js verify [--side cloud|edge] [--root DIR] [--json]
runs the checklist of what was installed (EdgeMesh checks only when it was): one PASS or
FAIL line per check with a hint, then the count. Exit 0 iff every check passed.
--json: {"command":"verify","side":...,"ok":...,"passed":N,"failed":M,"checks":[...]}`,
  uninstall: `usage: node install.js uninstall [--yes] [--purge] [--root DIR] [--json]
undoes the install in reverse order: keadm reset, helm uninstall, k3s-uninstall.sh, then
every file the installer wrote (backups restored). On a TTY it asks first; otherwise
--yes is required. Keeps the log, the join file and the EdgeMesh PSK unless --purge.`,
  token: `usage: node install.js token [--root DIR] [--json]   (on the cloud)
mints a fresh edge token (keadm gettoken; it is valid about 24 h), rewrites the join file
/var/lib/kedge/edge-join.txt (0600) and prints its path and expiry. Copy the file to the
edge and run there: sudo ./install.sh edge --join-file edge-join.txt --yes
--json: {"command":"token","ok":true,"joinFile":"...","expires":"..."}`
}
