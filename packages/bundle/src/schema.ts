/**
 * A small declarative schema for kedge.yaml. Errors name the path, the value and what was
 * expected: `sides.edge.images[2]: "kubeedge/pause" has no tag`. Unknown keys are errors
 * too, so a misspelt field cannot silently do nothing.
 */

export type Schema =
  | {
      kind: 'string'
      pattern?: RegExp
      expect?: string
      check?: (value: string) => string | undefined
    }
  | { kind: 'boolean' }
  | { kind: 'array'; items: Schema }
  | { kind: 'map'; values: Schema; keyPattern?: RegExp; keyExpect?: string }
  | { kind: 'object'; fields: Record<string, Field> }

export type Field = Schema & { optional?: boolean }

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (value === null || value === undefined) return String(value)
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  return JSON.stringify(value)
}

const at = (path: string, key: string): string => (path ? `${path}.${key}` : key)

/** Returns every problem of `value` against `schema`, each as `path: what`. */
export function validate(value: unknown, schema: Schema, path = ''): string[] {
  const where = path || '(top level)'
  switch (schema.kind) {
    case 'string': {
      if (typeof value !== 'string') return [`${where}: ${show(value)} is not a string`]
      if (schema.pattern && !schema.pattern.test(value)) {
        return [
          `${where}: ${show(value)} is not ${schema.expect ?? `matching ${String(schema.pattern)}`}`
        ]
      }
      const problem = schema.check?.(value)
      return problem ? [`${where}: ${show(value)} ${problem}`] : []
    }
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${where}: ${show(value)} is not true or false`]
    case 'array':
      if (!Array.isArray(value)) return [`${where}: ${show(value)} is not a list`]
      return value.flatMap((item, i) => validate(item, schema.items, `${path}[${i}]`))
    case 'map': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return [`${where}: ${show(value)} is not a mapping`]
      }
      return Object.entries(value).flatMap(([key, v]) => {
        if (schema.keyPattern && !schema.keyPattern.test(key)) {
          return [`${at(path, key)}: key ${show(key)} is not ${schema.keyExpect ?? 'valid'}`]
        }
        return validate(v, schema.values, at(path, key))
      })
    }
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return [`${where}: ${show(value)} is not a mapping`]
      }
      const record = value as Record<string, unknown>
      const problems: string[] = []
      for (const [key, field] of Object.entries(schema.fields)) {
        if (!Object.hasOwn(record, key) || record[key] === undefined) {
          if (!field.optional) problems.push(`${at(path, key)}: missing`)
          continue
        }
        problems.push(...validate(record[key], field, at(path, key)))
      }
      for (const key of Object.keys(record)) {
        if (!Object.hasOwn(schema.fields, key)) {
          problems.push(
            `${at(path, key)}: unknown field (expected one of ${Object.keys(schema.fields).join(', ')})`
          )
        }
      }
      return problems
    }
  }
}
