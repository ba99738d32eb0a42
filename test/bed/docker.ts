/**
 * A real Docker daemon (Debian's docker.io, dockerd 20.10 with its classic image store) on
 * a temporary --data-root, --exec-root and unix socket, for `docker load`. It touches no host
 * network: no bridge, no iptables, no IP forwarding or masquerading, and it pulls nothing.
 * Storage driver vfs (no overlay mounts needed). dockerd starts and stops its own containerd
 * under the exec root. Needs root, as containerd does.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { removeDir, run, startDaemon, tempDir, waitFor, type RunResult } from './proc.js'

/** Debian's docker.io client (another `docker` may come first on PATH). */
export const DOCKER_CLI = '/usr/bin/docker'

export interface Dockerd {
  readonly host: string
  /** Runs `docker --host ... ARGS`. */
  docker(args: string[]): Promise<RunResult>
  stop(): Promise<void>
}

export async function startDockerd(): Promise<Dockerd> {
  if (process.getuid?.() !== 0) {
    throw new Error('dockerd needs root: run the tests as root (CI does), e.g. sudo npm test')
  }
  const dir = await tempDir('dockerd')
  const host = `unix://${join(dir, 'docker.sock')}`
  const config = join(dir, 'daemon.json')
  // An empty config file, so the host's /etc/docker/daemon.json plays no part.
  await writeFile(config, '{}\n')
  const daemon = startDaemon(
    'dockerd',
    [
      '--config-file',
      config,
      '--data-root',
      join(dir, 'data'),
      '--exec-root',
      join(dir, 'exec'),
      '--pidfile',
      join(dir, 'dockerd.pid'),
      '--host',
      host,
      '--storage-driver',
      'vfs',
      '--bridge=none',
      '--iptables=false',
      '--ip6tables=false',
      '--ip-forward=false',
      '--ip-masq=false',
      '--userland-proxy=false'
    ],
    join(dir, 'dockerd.log')
  )
  const docker = (args: string[]): Promise<RunResult> => run(DOCKER_CLI, ['--host', host, ...args])
  const state = { exited: false }
  void daemon.exited.then(() => (state.exited = true))
  try {
    await waitFor(
      'dockerd to answer docker version',
      async () => {
        if (state.exited) throw new Error(`dockerd exited; see ${daemon.logFile}`)
        await docker(['version'])
        return true
      },
      60000
    )
  } catch (err) {
    await daemon.stop()
    await removeDir(dir)
    throw err
  }
  return {
    host,
    docker,
    async stop() {
      await daemon.stop()
      await removeDir(dir)
    }
  }
}
