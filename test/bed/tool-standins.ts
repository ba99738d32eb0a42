/**
 * The contents of the STAND-IN tools inside the stand-in release assets. The cluster tools
 * (keadm, helm, k3s) are the RECORDING STUB (stubs/cluster-stub.cjs) itself, so they reach
 * a test host only the way the real ones do: when the installer installs them from the
 * bundle under --root. k3s's install.sh stand-in follows upstream's air-gap path
 * (INSTALL_K3S_SKIP_DOWNLOAD=true) file for file: the kubectl/crictl/ctr links (each only
 * when no such command is on PATH), k3s-killall.sh, k3s-uninstall.sh, the unit and its env
 * file, then systemctl enable, daemon-reload, restart. The containerd tarball's ctr forwards
 * to Debian's real ctr (the tests run a real containerd).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '../lib/repo.js'

/** Printable padding inside a JS comment, so a padded stub still runs (benchmarks). */
function jsPadding(bytes: number): string {
  if (bytes <= 0) return ''
  let pad = ''
  for (let i = 0; pad.length < bytes; i++) pad += `${(i * 2654435761) % 999983} `
  return `/* padding for benchmarks\n${pad.slice(0, bytes)}\n*/\n`
}

/** keadm, helm or k3s as it is inside its release asset: the recording stub. */
export function clusterTool(name: string, extraBytes = 0): Buffer {
  const stub = readFileSync(join(repoRoot(), 'test', 'bed', 'stubs', 'cluster-stub.cjs'), 'utf8')
  const [shebang, ...rest] = stub.split('\n')
  return Buffer.from(
    [
      shebang,
      `// kedge test bed STAND-IN for ${name}: the recording stub; not the real program.`,
      ...rest
    ].join('\n') + jsPadding(extraBytes)
  )
}

/** ctr inside the stand-in containerd tarball: Debian's real ctr, reached by its path. */
export function ctrTool(version: string): Buffer {
  return Buffer.from(
    `#!/bin/sh\n# kedge test bed STAND-IN for ctr ${version}: runs Debian's real ctr.\nexec /usr/bin/ctr "$@"\n`
  )
}

/** k3s's install.sh as the installer runs it offline (a stand-in; see the module comment). */
export function k3sInstallScript(version: string): string {
  return `#!/bin/sh
# kedge test bed STAND-IN for k3s's install.sh ${version}: only the air-gap path
# (INSTALL_K3S_SKIP_DOWNLOAD=true), with upstream's file layout; not the real script.
set -e
if [ "\${INSTALL_K3S_SKIP_DOWNLOAD:-}" != true ]; then
  echo '[ERROR]  stand-in: only INSTALL_K3S_SKIP_DOWNLOAD=true is simulated' >&2
  exit 1
fi
BIN_DIR=\${INSTALL_K3S_BIN_DIR:-/usr/local/bin}
SYSTEMD_DIR=\${INSTALL_K3S_SYSTEMD_DIR:-/etc/systemd/system}
FILE_K3S_SERVICE=$SYSTEMD_DIR/k3s.service
FILE_K3S_ENV=$SYSTEMD_DIR/k3s.service.env
echo '[INFO]  Skipping k3s download and verify'
if [ ! -x "$BIN_DIR/k3s" ]; then
  echo "[ERROR]  Executable k3s binary not found at $BIN_DIR/k3s" >&2
  exit 1
fi
for cmd in kubectl crictl ctr; do
  if [ ! -e "$BIN_DIR/$cmd" ] || [ "\${INSTALL_K3S_SYMLINK:-}" = force ]; then
    if [ -z "$(command -v "$cmd" 2>/dev/null || true)" ] || [ "\${INSTALL_K3S_SYMLINK:-}" = force ]; then
      echo "[INFO]  Creating $BIN_DIR/$cmd symlink to k3s"
      ln -sf k3s "$BIN_DIR/$cmd"
    else
      echo "[INFO]  Skipping $BIN_DIR/$cmd symlink to k3s, command exists in PATH"
    fi
  fi
done
printf '#!/bin/sh\\n# stand-in k3s-killall.sh\\nsystemctl stop k3s\\n' > "$BIN_DIR/k3s-killall.sh"
chmod 755 "$BIN_DIR/k3s-killall.sh"
cat > "$BIN_DIR/k3s-uninstall.sh" <<UNINSTALL
#!/bin/sh
# stand-in k3s-uninstall.sh (upstream's layout: killall, disable, remove unit, links, binary)
$BIN_DIR/k3s-killall.sh
systemctl disable k3s
rm -f $FILE_K3S_SERVICE $FILE_K3S_ENV
for cmd in kubectl crictl ctr; do
  if [ -L $BIN_DIR/\\$cmd ]; then rm -f $BIN_DIR/\\$cmd; fi
done
rm -f $BIN_DIR/k3s $BIN_DIR/k3s-killall.sh $BIN_DIR/k3s-uninstall.sh
UNINSTALL
chmod 755 "$BIN_DIR/k3s-uninstall.sh"
mkdir -p "$SYSTEMD_DIR"
: > "$FILE_K3S_ENV"
chmod 600 "$FILE_K3S_ENV"
case "\${INSTALL_K3S_EXEC:-}" in
  server*|agent*) exec_args=\${INSTALL_K3S_EXEC} ;;
  *) exec_args="server \${INSTALL_K3S_EXEC:-}" ;;
esac
cat > "$FILE_K3S_SERVICE" <<UNIT
[Unit]
Description=Lightweight Kubernetes
Documentation=https://k3s.io
Wants=network-online.target
After=network-online.target

[Install]
WantedBy=multi-user.target

[Service]
Type=notify
EnvironmentFile=-$FILE_K3S_ENV
KillMode=process
Delegate=yes
Restart=always
ExecStart=$BIN_DIR/k3s $exec_args
UNIT
systemctl enable "$FILE_K3S_SERVICE" >/dev/null
systemctl daemon-reload >/dev/null
systemctl restart k3s
`
}
