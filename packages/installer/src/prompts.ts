/** Questions on a TTY (never with --yes or --json). */
import { isIP } from 'node:net'
import { UsageError, type Options } from './options.js'
import type { Output } from './output.js'

/** On a TTY without --yes: confirm the advertise address and ask about EdgeMesh. */
export async function askCloud(options: Options, out: Output): Promise<void> {
  const { createInterface } = await import('node:readline/promises')
  const rl = createInterface({ input: process.stdin, output: process.stdout })
  try {
    const shown = options.advertiseAddress.join(',')
    const answer = (await rl.question(`Advertise address for edge nodes [${shown}]: `)).trim()
    if (answer) {
      const ips = answer.split(',').map(a => a.trim())
      const bad = ips.find(a => isIP(a) === 0)
      if (bad !== undefined) throw new UsageError(`"${bad}" is not an IP address`)
      options.advertiseAddress = ips
    }
    if (options.edgemesh === undefined) {
      const yes = (await rl.question('Install EdgeMesh? [Y/n]: ')).trim().toLowerCase()
      options.edgemesh = yes === '' || yes === 'y' || yes === 'yes'
    }
    out.line(
      `advertise address ${options.advertiseAddress.join(',')}; EdgeMesh ${options.edgemesh ? 'yes' : 'no'}`
    )
  } finally {
    rl.close()
  }
}
