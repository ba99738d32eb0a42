/**
 * Questions on a TTY (never with --yes or --json): a typo is asked again, yes/no needs y or
 * n, and Ctrl-C or Ctrl-D ends the installer with one line and exit 130 (Interrupted).
 */
import { isIP } from 'node:net'
import type { Interface } from 'node:readline'
import type { Options } from './options.js'
import type { Output } from './output.js'

/** Ctrl-C or Ctrl-D at a prompt. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted at a prompt; nothing was changed')
    this.name = 'Interrupted'
  }
}

/** One line from the terminal; Ctrl-C (SIGINT) or Ctrl-D (end of input) rejects. */
function line(rl: Interface, question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stop = () => {
      cleanup()
      reject(new Interrupted())
    }
    const cleanup = () => {
      rl.off('SIGINT', stop)
      rl.off('close', stop)
    }
    rl.once('SIGINT', stop)
    rl.once('close', stop)
    rl.question(question, answer => {
      cleanup()
      resolve(answer.trim())
    })
  })
}

/**
 * Asks until `check` accepts the answer (it returns the value, or a string saying what is
 * wrong, which is printed before asking again).
 */
export async function ask<T>(
  rl: Interface,
  question: string,
  check: (answer: string) => { value: T } | string
): Promise<T> {
  for (;;) {
    const result = check(await line(rl, question))
    if (typeof result !== 'string') return result.value
    process.stdout.write(`  ${result}\n`)
  }
}

/** y/yes or n/no; an empty answer takes the default; anything else is asked again. */
export function yesNo(fallback: boolean): (answer: string) => { value: boolean } | string {
  return answer => {
    const a = answer.toLowerCase()
    if (a === '') return { value: fallback }
    if (a === 'y' || a === 'yes') return { value: true }
    if (a === 'n' || a === 'no') return { value: false }
    return `please answer y or n (got "${answer}")`
  }
}

function ipList(fallback: string[]): (answer: string) => { value: string[] } | string {
  return answer => {
    if (answer === '') return { value: fallback }
    const ips = answer.split(',').map(a => a.trim())
    const bad = ips.find(a => isIP(a) === 0)
    return bad === undefined ? { value: ips } : `"${bad}" is not an IP address; try again`
  }
}

async function withTerminal<T>(body: (rl: Interface) => Promise<T>): Promise<T> {
  const { createInterface } = await import('node:readline')
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true })
  try {
    return await body(rl)
  } finally {
    rl.close()
  }
}

/** On a TTY without --yes: confirm the advertise address and ask about EdgeMesh. */
export async function askCloud(options: Options, out: Output): Promise<void> {
  await withTerminal(async rl => {
    const shown = options.advertiseAddress.join(',')
    options.advertiseAddress = await ask(
      rl,
      `Advertise address for edge nodes [${shown}]: `,
      ipList(options.advertiseAddress)
    )
    options.edgemesh ??= await ask(rl, 'Install EdgeMesh? [Y/n]: ', yesNo(true))
  })
  out.line(
    `advertise address ${options.advertiseAddress.join(',')}; EdgeMesh ${options.edgemesh ? 'yes' : 'no'}`
  )
}

/** Uninstall on a TTY: confirm, saying what goes. */
export function confirmUninstall(side: string): Promise<boolean> {
  const what =
    side === 'cloud'
      ? 'This removes CloudCore, EdgeMesh and k3s (with every workload) from this host.'
      : 'This resets edgecore and removes containerd, runc and the CNI plugins from this host.'
  return withTerminal(rl => ask(rl, `${what} Uninstall? [y/N]: `, yesNo(false)))
}
