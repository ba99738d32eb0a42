#!/usr/bin/env node
// TEMPORARY CONTRACT ADAPTER (test harness only; delete after the `installer` branch merges).
// The collection is coded against the installer contract of issue 12: `install.js token`,
// `edge --join-file FILE`, a key=value edge-join.txt with expires=, and a final JSON line
// {"command","ok",...} for every --json command. Today's install.js has none of these; the
// fleet tests run install.sh through this wrapper (inventory: kedge_installer_wrapper), which
// maps the contract onto today's flags. It never appears in the collection.
//   node contract-shim.mjs <bundle>/install.sh <command> [args...]
import { spawnSync, execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const [installSh, command, ...rest] = process.argv.slice(2)
const flag = name => {
  const i = rest.indexOf(name)
  return i >= 0 ? rest[i + 1] : undefined
}
const root = flag('--root') ?? ''
const joinPath = `${root}/var/lib/kedge/edge-join.txt`
const json = rest.includes('--json')

function expiresOf(token) {
  const payload = token.split('.')[2] ?? ''
  const exp = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')).exp
  return new Date(exp * 1000).toISOString().replace(/\.\d+Z$/, 'Z')
}

function fields(text) {
  const out = {}
  for (const line of text.split('\n')) {
    const m = /^([a-z-]+)=(.*)$/.exec(line.trim())
    if (m) out[m[1]] = m[2]
  }
  return out
}

function writeJoin(f) {
  const text = [
    '# kedge edge join file (contract of issue 12); keep it secret (0600)',
    `cloudcore-ipport=${f['cloudcore-ipport']}`,
    `token=${f.token}`,
    `edgemesh=${f.edgemesh}`,
    `expires=${expiresOf(f.token)}`,
    ''
  ].join('\n')
  writeFileSync(`${joinPath}.kedge-tmp`, text, { mode: 0o600 })
  renameSync(`${joinPath}.kedge-tmp`, joinPath)
}

/** Today's join file is one command line; rewrite it in the contract's key=value format. */
function convertJoinFile() {
  if (!existsSync(joinPath)) return
  const text = readFileSync(joinPath, 'utf8')
  if (/^token=/m.test(text)) return
  const ipport = /--cloudcore-ipport (\S+)/.exec(text)?.[1]
  const token = /--token (\S+)/.exec(text)?.[1]
  if (ipport && token)
    writeJoin({ 'cloudcore-ipport': ipport, token, edgemesh: !rest.includes('--no-edgemesh') })
}

function installer(args) {
  const r = spawnSync('sh', [installSh, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit']
  })
  return { code: r.status ?? 1, stdout: r.stdout ?? '' }
}

function finish(code, stdout, extra = {}) {
  const lines = stdout.split('\n').filter(Boolean)
  const last = lines.length
    ? JSON.parse(lines[lines.length - 1].startsWith('{') ? lines[lines.length - 1] : '{}')
    : {}
  process.stdout.write(lines.map(l => `${l}\n`).join(''))
  if (json) process.stdout.write(`${JSON.stringify({ command, ok: code === 0, ...extra(last) })}\n`)
  process.exit(code)
}

if (command === 'token') {
  const old = existsSync(joinPath) ? fields(readFileSync(joinPath, 'utf8')) : {}
  const kubeconfig = `${root}/etc/rancher/k3s/k3s.yaml`
  const token = execFileSync('keadm', ['gettoken', `--kube-config=${kubeconfig}`], {
    encoding: 'utf8'
  })
    .trim()
    .split('\n')
    .pop()
  writeJoin({
    'cloudcore-ipport': old['cloudcore-ipport'],
    token,
    edgemesh: old.edgemesh ?? 'true'
  })
  const expires = expiresOf(token)
  if (!json) console.log(`wrote ${joinPath} (0600); the token expires at ${expires}`)
  else console.log(JSON.stringify({ command: 'token', ok: true, joinFile: joinPath, expires }))
  process.exit(0)
}

let args = rest
let tokenDir
if (command === 'edge' && flag('--join-file')) {
  const f = fields(readFileSync(flag('--join-file'), 'utf8'))
  if (Date.parse(f.expires ?? '') <= Date.now()) {
    process.stderr.write(
      `install.js: the token in ${flag('--join-file')} expired at ${f.expires}; mint a fresh one on the cloud: ./install.sh token\n`
    )
    process.exit(2)
  }
  tokenDir = mkdtempSync(join(tmpdir(), 'kedge-shim-'))
  writeFileSync(join(tokenDir, 'token'), f.token, { mode: 0o600 })
  const i = rest.indexOf('--join-file')
  args = [...rest.slice(0, i), ...rest.slice(i + 2), '--token-file', join(tokenDir, 'token')]
  if (!flag('--cloudcore-ipport')) args.push('--cloudcore-ipport', f['cloudcore-ipport'])
}
const r = installer([command, ...args])
if (tokenDir) rmSync(tokenDir, { recursive: true, force: true })
if (command === 'cloud') convertJoinFile()
if (command === 'verify') {
  finish(r.code, r.stdout, last => {
    const checks = (last.checks ?? []).map(c => ({ name: c.name, ok: c.ok, detail: c.detail }))
    return {
      side: existsSync(join(installSh, '..', 'bin', 'k3s')) ? 'cloud' : 'edge',
      passed: checks.filter(c => c.ok).length,
      failed: checks.filter(c => !c.ok).length,
      checks
    }
  })
}
finish(r.code, r.stdout, () => ({}))
