/**
 * A real containerd (Debian's, with runc) on a temporary --root, --state and --address,
 * and `ctr` helpers for the images that kedge's archives must import into.
 * containerd needs root; tests that use it run as root (as CI does).
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { removeDir, run, startDaemon, tempDir, waitFor, type RunResult } from './proc.js'

export interface CtrImage {
  ref: string
  type: string
  digest: string
  size: string
  platforms: string[]
}

export interface ImportOptions {
  /** Import content for this platform only (ctr's default is the host's platform). */
  platform?: string
  allPlatforms?: boolean
  /** Skip unpacking into a snapshot (needed for a foreign architecture's layers on some hosts). */
  noUnpack?: boolean
}

export interface Containerd {
  readonly address: string
  readonly root: string
  readonly state: string
  /** Runs `ctr --address ... -n <namespace> ARGS`. */
  ctr(args: string[], namespace?: string): Promise<RunResult>
  /** `ctr -n k8s.io images import`; returns ctr's output. */
  importImages(tarPath: string, options?: ImportOptions, namespace?: string): Promise<string>
  /** `ctr -n k8s.io images ls`, parsed. */
  listImages(namespace?: string): Promise<CtrImage[]>
  stop(): Promise<void>
}

/** Parses `ctr images ls` output (columns REF TYPE DIGEST SIZE PLATFORMS LABELS). */
export function parseImageList(output: string): CtrImage[] {
  const lines = output.split('\n').filter(l => l.trim() !== '')
  const header = lines.shift() ?? ''
  const cols = ['REF', 'TYPE', 'DIGEST', 'SIZE', 'PLATFORMS', 'LABELS'].map(c => header.indexOf(c))
  if (cols.some(c => c < 0)) throw new Error(`unexpected ctr images ls header: ${header}`)
  const cut = (line: string, i: number): string =>
    line.slice(cols[i], i + 1 < cols.length ? cols[i + 1] : undefined).trim()
  return lines.map(line => ({
    ref: cut(line, 0),
    type: cut(line, 1),
    digest: cut(line, 2),
    size: cut(line, 3),
    platforms: cut(line, 4)
      .split(',')
      .map(p => p.trim())
      .filter(Boolean)
  }))
}

export async function startContainerd(): Promise<Containerd> {
  if (process.getuid?.() !== 0) {
    throw new Error('containerd needs root: run the tests as root (CI does), e.g. sudo npm test')
  }
  const dir = await tempDir('containerd')
  const root = join(dir, 'root')
  const state = join(dir, 'state')
  const address = join(dir, 'containerd.sock')
  const config = join(dir, 'config.toml')
  // CRI and the snapshotters that need special filesystems are off: the bed needs the
  // content store, images and the native/overlay snapshotters, nothing that touches the
  // host network or the node's cgroups.
  await writeFile(
    config,
    [
      'version = 2',
      `root = "${root}"`,
      `state = "${state}"`,
      'disabled_plugins = [',
      '  "io.containerd.grpc.v1.cri",',
      '  "io.containerd.snapshotter.v1.btrfs",',
      '  "io.containerd.snapshotter.v1.zfs",',
      '  "io.containerd.snapshotter.v1.devmapper",',
      '  "io.containerd.snapshotter.v1.aufs",',
      '  "io.containerd.tracing.processor.v1.otlp",',
      '  "io.containerd.internal.v1.tracing"',
      ']',
      '[grpc]',
      `  address = "${address}"`,
      '[ttrpc]',
      `  address = "${address}.ttrpc"`,
      '[debug]',
      '  address = ""',
      '[metrics]',
      '  address = ""',
      ''
    ].join('\n')
  )
  const daemon = startDaemon(
    'containerd',
    ['--config', config, '--root', root, '--state', state, '--address', address],
    join(dir, 'containerd.log')
  )
  const ctr = (args: string[], namespace = 'k8s.io'): Promise<RunResult> =>
    run('ctr', ['--address', address, '--namespace', namespace, ...args])
  const daemonState = { exited: false }
  void daemon.exited.then(() => (daemonState.exited = true))
  try {
    await waitFor('containerd to answer ctr version', async () => {
      if (daemonState.exited) throw new Error(`containerd exited; see ${daemon.logFile}`)
      await ctr(['version'])
      return true
    })
  } catch (err) {
    await daemon.stop()
    await removeDir(dir)
    throw err
  }
  return {
    address,
    root,
    state,
    ctr,
    async importImages(tarPath, options = {}, namespace = 'k8s.io') {
      const args = ['images', 'import']
      if (options.platform) args.push('--platform', options.platform)
      if (options.allPlatforms) args.push('--all-platforms')
      if (options.noUnpack) args.push('--no-unpack')
      args.push(tarPath)
      const { stdout, stderr } = await ctr(args, namespace)
      return stdout + stderr
    },
    async listImages(namespace = 'k8s.io') {
      return parseImageList((await ctr(['images', 'ls'], namespace)).stdout)
    },
    async stop() {
      await daemon.stop()
      await removeDir(dir)
    }
  }
}
