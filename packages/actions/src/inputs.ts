/** Input helpers shared by the actions: every error names the input and what it expects. */
import * as core from '@actions/core'
import { existsSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import {
  CredentialStore,
  parseMirrors,
  proxyUrl,
  splitUserinfo,
  type ClientOptions,
  type Logger
} from '@kedge/oci'

/** The library's logger, on the runner's log. */
export const actionsLogger: Logger = {
  info: m => {
    core.info(m)
  },
  warn: m => {
    core.warning(m)
  },
  debug: m => {
    core.debug(m)
  }
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB']
  let value = n
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit] ?? 'B'}`
}

/** A list input: newline- or comma-separated, blanks dropped. */
export function getList(name: string): string[] {
  return core
    .getInput(name)
    .split(/[\n,]/)
    .map(s => s.trim())
    .filter(Boolean)
}

export function getInteger(name: string, fallback: number, min: number, max: number): number {
  const raw = core.getInput(name)
  if (raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`input ${name}: expected a whole number from ${min} to ${max}, got "${raw}"`)
  }
  return value
}

/** A boolean input with a default when empty (core.getBooleanInput refuses an empty value). */
export function getBoolean(name: string, fallback: boolean): boolean {
  return core.getInput(name) === '' ? fallback : core.getBooleanInput(name)
}

/** A value given either inline or as a path to a file holding it. */
export function inlineOrFile(name: string, value: string, looksInline: (v: string) => boolean) {
  if (looksInline(value)) return { content: value, source: `input ${name}` }
  if (!existsSync(value)) {
    throw new Error(`input ${name}: no file at "${value}" (give a path, or the content itself)`)
  }
  return { content: readFileSync(value, 'utf8'), source: value }
}

/**
 * The credentials docker/login-action (or `docker login`) left in `$DOCKER_CONFIG/config.json`
 * or `~/.docker/config.json`: read first, so the inputs override them. Credential helpers
 * cannot run here; entries that use them are skipped (a debug line says so).
 */
function readDockerLogin(credentials: CredentialStore): void {
  const dir = process.env.DOCKER_CONFIG || join(process.env.HOME ?? homedir(), '.docker')
  const file = join(dir, 'config.json')
  if (!existsSync(file)) return
  try {
    const content = readFileSync(file, 'utf8')
    for (const note of credentials.addDockerConfig(content, file)) core.debug(note)
    core.info(`registry credentials: read ${file} (docker login)`)
  } catch (err) {
    core.warning(`ignoring ${file}: ${err instanceof Error ? err.message : String(err)}`)
  }
}

/** A proxy URL's password (HTTPS_PROXY=http://user:password@host:port) is masked too. */
function maskProxySecrets(env: NodeJS.ProcessEnv = process.env): void {
  for (const name of ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY']) {
    const setting = env[name]?.trim()
    if (!setting) continue
    let password: string
    try {
      password = proxyUrl(setting).password
    } catch {
      continue // proxy.ts says what is wrong with it when it is used
    }
    if (!password) continue
    core.setSecret(password)
    try {
      core.setSecret(decodeURIComponent(password))
    } catch {
      // not percent-encoded as a URL must be: proxy.ts refuses it when it is used
    }
  }
}

/**
 * The registry inputs (username/password for `registry`, registry-auth, mirrors,
 * insecure-registries) as client options. Every secret is masked.
 */
export function readRegistryInputs(): ClientOptions {
  const credentials = new CredentialStore()
  readDockerLogin(credentials)
  const username = core.getInput('username')
  const password = core.getInput('password')
  if (password) core.setSecret(password)
  if (username || password) {
    if (!username || !password) throw new Error('inputs username and password go together')
    credentials.set(core.getInput('registry') || 'docker.io', { username, password })
  }
  const auth = core.getInput('registry-auth')
  if (auth) {
    const { content, source } = inlineOrFile('registry-auth', auth, v => v.trim().startsWith('{'))
    if (source === 'input registry-auth') core.setSecret(content)
    for (const note of credentials.addDockerConfig(content, source)) core.warning(note)
  }
  for (const secret of credentials.secrets()) core.setSecret(secret)
  const mirrors = parseMirrors(core.getInput('mirrors'))
  // A mirror URL's userinfo (https://user:pass@host) is a secret too; the client strips it.
  for (const url of [...mirrors.values()].flat()) {
    const password = splitUserinfo(url).credential?.password
    if (password) core.setSecret(password)
    if (password) core.setSecret(encodeURIComponent(password))
  }
  maskProxySecrets()
  return {
    credentials,
    mirrors,
    insecure: getList('insecure-registries')
  }
}
