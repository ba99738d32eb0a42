export * from './schema.js'
export * from './spec.js'
export * from './default-spec.js'
