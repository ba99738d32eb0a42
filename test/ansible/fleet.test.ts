/**
 * The kedge.kubeedge collection, for real: Debian's ansible-playbook over a REAL sshd on
 * 127.0.0.1 to 1 cloud + 5 edges (each its own --root and its own REAL containerd). The
 * cluster tools (k3s, kubectl, keadm, helm, systemctl, ip) are RECORDING STUBS on each host's
 * PATH; loopback listeners stand in for CloudCore and a STUB metaServer answers.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as bed from '../bed/index.js'
import { snapshot } from '../installer/fixture.js'
import {
  standInRelease,
  startFleet,
  tokenExpiring,
  type Fleet,
  type FleetHost,
  type PlayRun
} from './fleet.js'

const EDGES = 5
const MINUTES = 60_000

function joinToken(fleet: Fleet): string {
  const text = readFileSync(join(cloud(fleet).host.root, 'var/lib/kedge/edge-join.txt'), 'utf8')
  return /^token=(\S+)$/m.exec(text)?.[1] ?? ''
}

const cloud = (fleet: Fleet): FleetHost => fleet.hosts[0] as FleetHost
const edge = (fleet: Fleet, n: number): FleetHost => fleet.hosts[n] as FleetHost
const edgeNames = Array.from({ length: EDGES }, (_, i) => `edge-${String(i + 1)}`)

function expectAllPass(run: PlayRun, hosts: string[]): void {
  expect(run.results.map(r => [r.host, r.result])).toEqual(hosts.map(h => [h, 'PASS']))
  for (const row of run.results) expect(row.failed).toBe(0)
}

describe('kedge.kubeedge over real SSH and real containerd, 1 cloud + 5 edges (stubs: k3s, kubectl, keadm, helm, systemctl, ip)', () => {
  let work: string
  let fleet: Fleet
  const baseline = new Map<string, Record<string, string>>()

  beforeAll(async () => {
    work = await bed.tempDir('fleet')
    process.env.RUNNER_TOOL_CACHE = join(work, 'tool-cache')
    process.env.RUNNER_TEMP = join(work, 'temp')
    fleet = await startFleet(work, await standInRelease(work), EDGES)
    for (const h of fleet.hosts) baseline.set(h.name, snapshot(h.host.root))
  }, 10 * MINUTES)
  afterAll(async () => {
    await fleet.stop()
    await bed.removeDir(work)
  })

  test(
    'site.yml rolls out the cloud and every edge; the table shows each PASS; the token travels only in 0600 files',
    async () => {
      const run = await fleet.play('site', { extraVars: { kedge_edge_batch: 3 } })
      expect(run.stderr).not.toMatch(/ERROR/)
      expect(run.code).toBe(0)
      expectAllPass(run, ['cloud-1', ...edgeNames])
      for (const name of ['cloud-1', ...edgeNames]) {
        expect(run.recap[name]).toMatchObject({ failed: 0, unreachable: 0 })
        expect(run.recap[name]?.changed).toBeGreaterThan(0)
      }
      // Each host got its bundle once, the right one for its side.
      for (const row of run.results) {
        const tarball = row.side === 'cloud' ? fleet.release.cloud : fleet.release.edge
        expect(row.copied).toBe(statSync(join(fleet.release.dir, tarball)).size)
      }
      expect(run.stdout).toMatch(/edge: \(1\) containerd active, \(2\) every bundled image present/)
      expect(run.stdout).toMatch(/edge-5 +PASS +PASS +PASS +PASS +PASS +PASS +PASS/)
      // The edges went in batches of 3: two runs of the edge play's first task.
      expect(run.stdout.match(/PLAY \[Install the edges in batches\]/g)).toHaveLength(2)

      const token = joinToken(fleet)
      expect(token).toMatch(/^[a-f0-9]{64}\./)
      const local = join(fleet.controllerDir, 'edge-join.txt')
      expect(statSync(local).mode & 0o777).toBe(0o600)
      expect(statSync(fleet.controllerDir).mode & 0o777).toBe(0o700)
      expect(readFileSync(local, 'utf8')).toContain(`token=${token}`)
      expect(run.stdout + run.stderr).not.toContain(token)
      for (let n = 1; n <= EDGES; n++) {
        const h = edge(fleet, n)
        const join_ = h.host.stubs.calls().find(c => c.tool === 'keadm' && c.args[0] === 'join')
        // The stub keadm got the cloud's token (from the join file, through the installer) ...
        expect(join_?.args).toContain(`--token=${token}`)
        // ... and the join file did not stay on the edge.
        expect(() => statSync(join(h.host.root, 'opt/kedge/edge-join.txt'))).toThrow()
        // Each edge's images went into its own real containerd.
        expect((await h.containerd?.listImages())?.length).toBeGreaterThan(0)
      }
    },
    15 * MINUTES
  )

  test(
    'a second run changes nothing: changed=0 on every host, no bundle byte copied; verify.yml alone gives the same table',
    async () => {
      const run = await fleet.play('site', { extraVars: { kedge_edge_batch: 3 } })
      expect(run.code).toBe(0)
      for (const name of ['cloud-1', ...edgeNames, 'localhost'])
        expect(run.recap[name]).toMatchObject({ changed: 0, failed: 0, unreachable: 0 })
      expect(run.stdout).not.toMatch(
        /TASK \[kedge\.kubeedge\.bundle : Copy the bundle[^\n]*\n(ok|changed): /
      )
      expect(run.results.map(r => r.copied)).toEqual(Array(EDGES + 1).fill(0))
      expectAllPass(run, ['cloud-1', ...edgeNames])

      // verify.yml on its own: the same table, nothing changed.
      const verify = await fleet.play('verify')
      expect(verify.code).toBe(0)
      for (const name of ['cloud-1', ...edgeNames])
        expect(verify.recap[name]).toMatchObject({ changed: 0, failed: 0 })
      expectAllPass(verify, ['cloud-1', ...edgeNames])
    },
    10 * MINUTES
  )

  test(
    'faults: a flipped byte in one edge bundle and an unreachable host fail alone, named, with the reason; an expired token is refreshed before the edge batch; the rest verify',
    async () => {
      // Two edges start over: edge-2 and edge-5 uninstalled (their roots back to the baseline).
      const un = await fleet.play('uninstall', {
        limit: 'edge-2,edge-5',
        extraVars: { kedge_purge: true }
      })
      expect(un.code).toBe(0)
      for (const n of [2, 5]) {
        const h = edge(fleet, n)
        expect(snapshot(h.host.root)).toEqual(baseline.get(h.name))
      }
      // edge-2 already holds the right tarball, extracted, but one byte of bin/keadm flipped.
      const e2 = edge(fleet, 2)
      const into = join(e2.host.root, 'opt/kedge')
      mkdirSync(into, { recursive: true })
      execFileSync('cp', [join(fleet.release.dir, fleet.release.edge), into])
      execFileSync('tar', ['-xzf', join(into, fleet.release.edge), '-C', into])
      const keadm = join(into, fleet.release.edge.replace(/\.tar\.gz$/, ''), 'bin/keadm')
      const bytes = readFileSync(keadm)
      bytes[10] = (bytes[10] ?? 0) ^ 0x01
      writeFileSync(keadm, bytes)
      // The cloud's join file holds a token that expired an hour ago.
      const past = new Date(Date.now() - 3600_000)
      const expired = tokenExpiring(past)
      writeFileSync(
        join(cloud(fleet).host.root, 'var/lib/kedge/edge-join.txt'),
        `# kedge\ncloudcore-ipport=127.0.0.1:10000\ntoken=${expired}\nedgemesh=true\nexpires=${past.toISOString()}\n`,
        { mode: 0o600 }
      )
      const mints = () =>
        cloud(fleet)
          .host.stubs.calls()
          .filter(c => c.tool === 'keadm' && c.args[0] === 'gettoken').length
      const mintedBefore = mints()
      const closed = await bed.freePort()

      const run = await fleet.play('site', {
        extraVars: { kedge_edge_batch: 3, kedge_max_fail_percentage: 50 },
        extraEdges: { 'edge-9': { ansible_port: closed, kedge_root: join(work, 'nowhere') } }
      })
      expect(run.code).not.toBe(0)
      const failed = Object.entries(run.recap)
        .filter(([, r]) => r.failed > 0 || r.unreachable > 0)
        .map(([h]) => h)
      expect(failed.sort()).toEqual(['edge-2', 'edge-9'])
      expect(run.recap['edge-9']?.unreachable).toBe(1)
      const rows = Object.fromEntries(run.results.map(r => [r.host, r]))
      expect(rows['edge-9']?.result).toBe('UNREACHABLE')
      expect(rows['edge-2']?.result).toBe('FAIL')
      // The installer's own refusal, naming the file.
      expect(rows['edge-2']?.reason).toMatch(/does not match its SHA256SUMS/)
      expect(rows['edge-2']?.reason).toContain('bin/keadm: changed')
      for (const name of ['cloud-1', 'edge-1', 'edge-3', 'edge-4', 'edge-5'])
        expect(rows[name]?.result).toBe('PASS')
      expect(run.stdout).toMatch(/FAIL edge-2: edge: install\.js: the bundle in/)
      expect(run.stdout).toMatch(/UNREACHABLE edge-9/)
      expect(run.stdout).toMatch(/5 of 7 hosts PASS/)

      // The token: minted once on the cloud before the batch with edge-2, and edge-5 joined with it.
      expect(mints()).toBe(mintedBefore + 1)
      const fresh = joinToken(fleet)
      expect(fresh).not.toBe(expired)
      const e5join = edge(fleet, 5)
        .host.stubs.calls()
        .filter(c => c.tool === 'keadm' && c.args[0] === 'join')
        .pop()
      expect(e5join?.args).toContain(`--token=${fresh}`)
      expect(run.stdout + run.stderr).not.toContain(fresh)
    },
    15 * MINUTES
  )

  test(
    'uninstall.yml (purge) returns every root to its state before the install',
    async () => {
      const run = await fleet.play('uninstall', { extraVars: { kedge_purge: true } })
      expect(run.code).toBe(0)
      for (const h of fleet.hosts) expect(snapshot(h.host.root)).toEqual(baseline.get(h.name))
    },
    10 * MINUTES
  )
})
