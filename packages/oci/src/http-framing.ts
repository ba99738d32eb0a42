/**
 * Where an HTTP/1.1 response's body lies in the bytes a connection reads (RFC 9112 §6):
 * a Content-Length, chunked transfer coding, or everything up to the close. The decoder
 * hands out views of the bytes it is given, copying nothing; wire.ts feeds it one read at
 * a time.
 */

export type Framing = { kind: 'length'; length: number } | { kind: 'chunked' } | { kind: 'close' }

export class FramingError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'FramingError'
  }
}

/** A chunk-size or trailer line longer than this is refused. */
const MAX_LINE = 4096

/** The framing a response's head announces (`method` HEAD and 1xx/204/304 have no body). */
export function framingOf(
  method: string,
  status: number,
  headers: Record<string, string | string[] | undefined>
): Framing {
  if (method === 'HEAD' || status === 204 || status === 304 || status < 200) {
    return { kind: 'length', length: 0 }
  }
  const coding = String(headers['transfer-encoding'] ?? '').toLowerCase()
  if (coding) {
    if (coding.split(',').at(-1)?.trim() === 'chunked') return { kind: 'chunked' }
    return { kind: 'close' }
  }
  const declared = headers['content-length']
  if (declared === undefined) return { kind: 'close' }
  const values = String(declared)
    .split(',')
    .map(v => v.trim())
  if (!values.every(v => /^\d{1,15}$/.test(v)) || new Set(values).size !== 1) {
    throw new FramingError(`invalid Content-Length "${String(declared)}"`)
  }
  return { kind: 'length', length: Number(values[0]) }
}

type ChunkState = 'size' | 'data' | 'data-end' | 'trailer'

/** Decodes one body; `next` returns the next view of body bytes in buf[start, end). */
export class BodyDecoder {
  /** The whole body has been seen. */
  done: boolean
  private left: number
  private state: ChunkState = 'size'
  private line = ''

  constructor(private readonly framing: Framing) {
    this.left = framing.kind === 'length' ? framing.length : 0
    this.done = framing.kind === 'length' && framing.length === 0
  }

  /**
   * The next piece of body in buf[start, end), and where the unread bytes now start. `view`
   * is undefined when the bytes held only framing (or nothing); bytes past the body's end
   * are left unread.
   */
  next(buf: Buffer, start: number, end: number): { view?: Buffer; next: number } {
    if (this.done || start >= end) return { next: start }
    if (this.framing.kind === 'close') return { view: buf.subarray(start, end), next: end }
    if (this.framing.kind === 'length') {
      const take = Math.min(this.left, end - start)
      this.left -= take
      this.done = this.left === 0
      return { view: buf.subarray(start, start + take), next: start + take }
    }
    return this.nextChunked(buf, start, end)
  }

  /** The peer closed the connection: fine only for a body that runs to the close. */
  end(): void {
    if (this.done) return
    if (this.framing.kind === 'close') {
      this.done = true
      return
    }
    throw new FramingError(
      this.framing.kind === 'length'
        ? `connection closed with ${this.left} of ${this.framing.length} body bytes unread`
        : 'connection closed inside a chunked body'
    )
  }

  private nextChunked(buf: Buffer, start: number, end: number): { view?: Buffer; next: number } {
    let at = start
    while (at < end && !this.done) {
      if (this.state === 'data') {
        const take = Math.min(this.left, end - at)
        this.left -= take
        if (this.left === 0) this.state = 'data-end'
        return { view: buf.subarray(at, at + take), next: at + take }
      }
      const newline = buf.indexOf(10, at)
      const stop = newline < 0 || newline >= end ? end : newline + 1
      this.line += buf.toString('latin1', at, stop)
      at = stop
      if (this.line.length > MAX_LINE) throw new FramingError('chunked body: a line is too long')
      if (this.line.endsWith('\n')) this.takeLine(this.line.replace(/\r?\n$/, ''))
    }
    return { next: at }
  }

  private takeLine(line: string): void {
    this.line = ''
    if (this.state === 'data-end') {
      if (line !== '') throw new FramingError('chunked body: no line end after a chunk')
      this.state = 'size'
    } else if (this.state === 'size') {
      const size = /^([0-9a-fA-F]{1,12})[ \t]*(;.*)?$/.exec(line)?.[1]
      if (size === undefined) throw new FramingError(`chunked body: bad chunk size "${line}"`)
      this.left = parseInt(size, 16)
      this.state = this.left === 0 ? 'trailer' : 'data'
    } else if (line === '') {
      this.done = true
    }
  }
}
