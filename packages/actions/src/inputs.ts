/** Input helpers shared by the actions: every error names the input and what it expects. */
import * as core from '@actions/core'
import { existsSync, readFileSync } from 'node:fs'

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
