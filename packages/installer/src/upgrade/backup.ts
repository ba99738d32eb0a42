/**
 * The upgrade's own backup: before any change, a copy of every host file the upgrade may
 * replace, in /var/lib/kedge/upgrade-backup/<installed bundle>/, with a list of which
 * existed. Rollback puts them back and removes the ones that did not exist.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, renameSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Host } from '../host.js'
import { KEDGE_DIR } from '../steps/common.js'

export const backupDir = (from: string): string => `${KEDGE_DIR}/upgrade-backup/${from}`

interface Listing {
  files: Array<{ path: string; existed: boolean; mode?: number }>
}

/** Copies each path (those that exist) into `dir`; writes the listing last. */
export function backupFiles(host: Host, dir: string, paths: string[]): number {
  const listing: Listing = { files: [] }
  for (const p of paths) {
    const full = host.path(p)
    if (!existsSync(full)) {
      listing.files.push({ path: p, existed: false })
      continue
    }
    const into = host.path(join(dir, 'files', p))
    mkdirSync(dirname(into), { recursive: true })
    copyFileSync(full, `${into}.kedge-tmp`)
    renameSync(`${into}.kedge-tmp`, into)
    listing.files.push({ path: p, existed: true, mode: statSync(full).mode & 0o7777 })
  }
  host.write(join(dir, 'files.json'), `${JSON.stringify(listing, null, 2)}\n`, 0o600)
  host.log(`upgrade backup: ${listing.files.filter(f => f.existed).length} files in ${dir}`)
  return listing.files.filter(f => f.existed).length
}

/** Puts every backed-up file back; removes those that did not exist. Returns what it did. */
export function restoreFiles(host: Host, dir: string): string[] {
  const listingFile = join(dir, 'files.json')
  if (!host.exists(listingFile))
    throw new Error(`no upgrade backup at ${host.path(dir)}: nothing to restore files from`)
  const listing = JSON.parse(host.read(listingFile)) as Listing
  const done: string[] = []
  for (const f of listing.files) {
    const full = host.path(f.path)
    if (!f.existed) {
      if (existsSync(full)) {
        host.remove(f.path)
        done.push(`removed ${f.path} (the upgrade added it)`)
      }
      continue
    }
    mkdirSync(dirname(full), { recursive: true })
    copyFileSync(host.path(join(dir, 'files', f.path)), `${full}.kedge-tmp`)
    chmodSync(`${full}.kedge-tmp`, f.mode ?? 0o644)
    renameSync(`${full}.kedge-tmp`, full)
    done.push(`restored ${f.path}`)
  }
  for (const line of done) host.log(`rollback: ${line}`)
  return done
}
