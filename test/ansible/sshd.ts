/**
 * A REAL OpenSSH server (Debian's openssh-server) for the fleet tests: /usr/sbin/sshd on a
 * free 127.0.0.1 port with its own sshd_config, a throwaway host key and a throwaway client
 * key made here, in the foreground (-D -e). No system file is read or changed (no PAM, no
 * /etc/ssh; only the empty /run/sshd is made when missing); stop() ends the daemon and the
 * sessions it started.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as bed from '../bed/index.js'

export interface Sshd {
  port: number
  /** The client's private key (ed25519, no passphrase). */
  clientKey: string
  /** known_hosts with the throwaway host key for [127.0.0.1]:port. */
  knownHosts: string
  stop(): Promise<void>
}

export async function startSshd(dir: string): Promise<Sshd> {
  if (process.getuid?.() !== 0) throw new Error('sshd needs root: run the tests as root (CI does)')
  mkdirSync(dir, { recursive: true })
  // The empty privilege-separation directory sshd insists on, on tmpfs (Debian's unit makes
  // it as its RuntimeDirectory). It stays: another sshd of a concurrent run may need it.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 })
  const hostKey = join(dir, 'host_ed25519')
  const clientKey = join(dir, 'client_ed25519')
  for (const key of [hostKey, clientKey])
    await bed.run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'kedge-test', '-f', key])
  const authorized = join(dir, 'authorized_keys')
  await bed.run('cp', [`${clientKey}.pub`, authorized])
  const port = await bed.freePort()
  const config = join(dir, 'sshd_config')
  writeFileSync(
    config,
    [
      `Port ${String(port)}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorized}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      // The key files live under /tmp (world-writable); the test made them, 0600.
      'StrictModes no',
      // Ansible's forks share one multiplexed connection per host:port:user.
      'MaxSessions 200',
      'MaxStartups 200',
      'Subsystem sftp internal-sftp',
      'LogLevel ERROR',
      ''
    ].join('\n')
  )
  const hostPub = (await bed.run('cat', [`${hostKey}.pub`])).stdout.trim().split(' ')
  const knownHosts = join(dir, 'known_hosts')
  writeFileSync(knownHosts, `[127.0.0.1]:${String(port)} ${hostPub[0] ?? ''} ${hostPub[1] ?? ''}\n`)
  await bed.run('/usr/sbin/sshd', ['-t', '-f', config])
  const daemon = bed.startDaemon(
    '/usr/sbin/sshd',
    ['-D', '-e', '-f', config],
    join(dir, 'sshd.log')
  )
  try {
    await bed.waitFor('sshd to accept a key login', async () => {
      if (daemon.child.exitCode !== null) throw new Error(`sshd exited; see ${daemon.logFile}`)
      await bed.run('ssh', [...sshArgs(port, clientKey, knownHosts), 'true'], 10000)
      return true
    })
  } catch (err) {
    await daemon.stop()
    throw err
  }
  return {
    port,
    clientKey,
    knownHosts,
    stop: async () => {
      // The per-connection sshd processes first (by id, from /proc), then the listener.
      for (const pid of childrenOf(daemon.child.pid ?? -1)) {
        try {
          process.kill(pid, 'SIGTERM')
        } catch {
          // gone meanwhile
        }
      }
      await daemon.stop()
    }
  }
}

/** Plain ssh arguments for a login to the test sshd (no control master). */
export function sshArgs(port: number, key: string, knownHosts: string): string[] {
  return [
    '-p',
    String(port),
    '-i',
    key,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    `UserKnownHostsFile=${knownHosts}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    'root@127.0.0.1'
  ]
}

/** Process ids whose parent is `pid` (from /proc/<id>/stat). */
function childrenOf(pid: number): number[] {
  const out: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (ppid === pid) out.push(Number(entry))
    } catch {
      // gone meanwhile
    }
  }
  return out
}
