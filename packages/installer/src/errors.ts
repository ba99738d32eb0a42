/** A bad command line or bad input file: exit 2, before any change. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}
