/**
 * The installer's only ways to touch the host: every command goes through `run`, every
 * path through `path` (which honours --root). Commands run as they are (no chroot); the
 * cluster tools (systemctl, k3s, kubectl, keadm, helm) are found on PATH, which is how the
 * tests put recording STUBS in their place.
 */
import {
  appendFileSync,
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmdirSync,
  symlinkSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { dirname, join } from 'node:path'

export interface RunResult {
  code: number
  stdout: string
  stderr: string
}

export interface RunOptions {
  env?: Record<string, string>
  input?: string
  /** A non-zero exit is returned, not thrown. */
  allowFailure?: boolean
  /** The output is a secret (a token): never logged. */
  secretOutput?: boolean
  timeoutMs?: number
}

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly result: RunResult
  ) {
    super(
      `${command} failed (exit ${result.code}): ${(result.stderr || result.stdout).trim().slice(-800)}`
    )
    this.name = 'CommandError'
  }
}

/**
 * Called before every write with the host path and the directories the write will create
 * (outermost first): the runner journals them, and backs up a file kedge did not write.
 */
export type WriteGuard = (p: string, newDirs: string[]) => void

const lstatSafe = (full: string): boolean => {
  try {
    lstatSync(full)
    return true
  } catch {
    return false
  }
}

export class Host {
  private readonly secrets = new Set<string>()
  /** Host paths written since the last take (the journal records them per step). */
  private touched: string[] = []
  private guard: WriteGuard | undefined

  constructor(
    /** Filesystem prefix for every path the installer reads or writes ('' or '/' for none). */
    readonly root: string,
    /** The full log: every command with its whole output. */
    readonly logFile: string | undefined
  ) {}

  /** Never print or log this value (tokens, PSKs). */
  addSecret(value: string): void {
    if (value) this.secrets.add(value)
  }

  mask(text: string): string {
    let out = text
    for (const secret of this.secrets) out = out.split(secret).join('***')
    return out
  }

  log(line: string): void {
    if (!this.logFile) return
    mkdirSync(dirname(this.logFile), { recursive: true })
    appendFileSync(this.logFile, `${new Date().toISOString()} ${this.mask(line)}\n`)
  }

  /** A host path under --root. */
  path(p: string): string {
    return this.root && this.root !== '/' ? join(this.root, p) : p
  }

  exists(p: string): boolean {
    return existsSync(this.path(p))
  }

  read(p: string): string {
    return readFileSync(this.path(p), 'utf8')
  }

  /** Every later write is announced to `guard` first (the runner's journal). */
  setGuard(guard: WriteGuard | undefined): void {
    this.guard = guard
  }

  /** Announces a write of `p` that a command (keadm join) will make, as if kedge made it. */
  claim(p: string): void {
    this.guard?.(p, this.missingDirs(p))
  }

  /** The directories above `p` that do not exist yet, outermost first. */
  missingDirs(p: string): string[] {
    const out: string[] = []
    for (let dir = dirname(p); dir !== '/' && dir !== '.'; dir = dirname(dir)) {
      if (this.exists(dir)) break
      out.unshift(dir)
    }
    return out
  }

  /** Writes through a temporary name, without the guard (the journal's own file). */
  writeUntracked(p: string, content: string): void {
    const full = this.path(p)
    mkdirSync(dirname(full), { recursive: true })
    writeFileSync(`${full}.kedge-tmp`, content, { mode: 0o600 })
    renameSync(`${full}.kedge-tmp`, full)
  }

  /** Writes through a temporary name; `mode` 0600 for secrets. */
  write(p: string, content: string | Buffer, mode = 0o644): void {
    this.claim(p)
    const full = this.path(p)
    mkdirSync(dirname(full), { recursive: true })
    const temp = `${full}.kedge-tmp`
    writeFileSync(temp, content, { mode })
    chmodSync(temp, mode)
    renameSync(temp, full)
    this.touched.push(p)
    this.log(`wrote ${p} (mode ${mode.toString(8)})`)
  }

  /** Copies a bundle file to a host path. */
  install(from: string, p: string, mode: number): void {
    this.claim(p)
    const full = this.path(p)
    mkdirSync(dirname(full), { recursive: true })
    copyFileSync(from, `${full}.kedge-tmp`)
    chmodSync(`${full}.kedge-tmp`, mode)
    renameSync(`${full}.kedge-tmp`, full)
    this.touched.push(p)
    this.log(`installed ${p} from ${from}`)
  }

  /** The host paths written since the last call. */
  takeTouched(): string[] {
    const out = [...new Set(this.touched)]
    this.touched = []
    return out
  }

  /** Before the first edit of an existing file: keep it as <file>.kedge.bak (once). */
  backup(p: string): string | undefined {
    // Under the journal, the guard decides: it backs up only a file kedge did not write.
    if (this.guard) {
      this.claim(p)
      return undefined
    }
    const full = this.path(p)
    const bak = `${full}.kedge.bak`
    if (!existsSync(full) || existsSync(bak)) return undefined
    copyFileSync(full, bak)
    this.log(`backed up ${p} to ${p}.kedge.bak`)
    return `${p}.kedge.bak`
  }

  /** Keeps the file at `p` as <p>.kedge.bak (a copy: mode kept); an existing backup is kept. */
  keepOriginal(p: string): void {
    const full = this.path(p)
    if (lstatSafe(`${full}.kedge.bak`)) return
    if (lstatSync(full).isSymbolicLink()) symlinkSync(readlinkSync(full), `${full}.kedge-bak-tmp`)
    else copyFileSync(full, `${full}.kedge-bak-tmp`)
    renameSync(`${full}.kedge-bak-tmp`, `${full}.kedge.bak`)
    this.log(`backed up ${p} to ${p}.kedge.bak`)
  }

  /** Whether `p` exists, without following a link. */
  lexists(p: string): boolean {
    return lstatSafe(this.path(p))
  }

  /** Removes a directory kedge made, if it is empty. */
  removeEmptyDir(p: string): void {
    const full = this.path(p)
    if (existsSync(full) && readdirSync(full).length === 0) {
      rmdirSync(full)
      this.log(`removed the empty directory ${p}`)
    }
  }

  /** Puts a backup back, or removes a file the installer created (and any temporary left). */
  restore(p: string): void {
    const full = this.path(p)
    for (const temp of ['kedge-tmp', 'kedge-bak-tmp']) rmSync(`${full}.${temp}`, { force: true })
    if (lstatSafe(`${full}.kedge.bak`)) {
      renameSync(`${full}.kedge.bak`, full)
      this.log(`restored ${p} from its backup`)
    } else if (lstatSafe(full)) {
      rmSync(full, { recursive: true, force: true })
      this.log(`removed ${p}`)
    }
  }

  remove(p: string): void {
    rmSync(this.path(p), { recursive: true, force: true })
  }

  /**
   * Runs a command; its whole output goes to the log, secrets masked. node:child_process is
   * loaded on the first run: plan and --help run nothing and start faster without it.
   */
  async run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
    const shown = this.mask([command, ...args].join(' '))
    this.log(`$ ${shown}`)
    const { spawn } = await import('node:child_process')
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, {
        env: { ...process.env, ...options.env },
        stdio: ['pipe', 'pipe', 'pipe']
      })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
      const timer = options.timeoutMs
        ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs)
        : undefined
      child.on('error', err => {
        clearTimeout(timer)
        this.log(`  could not start ${command}: ${err.message}`)
        reject(new Error(`cannot run ${command}: ${err.message} (is it installed and on PATH?)`))
      })
      child.on('close', code => {
        clearTimeout(timer)
        const result = { code: code ?? -1, stdout, stderr }
        if (options.secretOutput) this.log('  stdout: (a secret, not logged)')
        else if (stdout.trim()) this.log(`  stdout: ${stdout.trim()}`)
        if (stderr.trim()) this.log(`  stderr: ${stderr.trim()}`)
        this.log(`  exit ${result.code}`)
        if (result.code !== 0 && !options.allowFailure)
          reject(
            new CommandError(shown, {
              ...result,
              stdout: this.mask(stdout),
              stderr: this.mask(stderr)
            })
          )
        else resolve(result)
      })
      // A command that exits without reading its input must not crash the installer (EPIPE).
      child.stdin.on('error', () => undefined)
      child.stdin.end(options.input ?? '')
    })
  }
}
