/**
 * Reused transfer buffers. A blob download writes a large read as it is, and copies a
 * small one (a view of the connection's read buffer, valid only until the next piece is
 * asked for: wire.ts; a TLS record is at most 16 KiB) into one of these, written when full
 * (blobs.ts, StagedWriter): nothing is allocated per read, and a write call carries a few
 * small reads. A plain-HTTP download never touches its stage's pages. One per transfer in
 * flight, reused across transfers: the resident set does not grow with the blob size or
 * the number of blobs (npm run bench --scale measures it). 128 KiB, measured when every
 * read was staged: 64 KiB meant twice the write calls, 256 KiB 1 MiB more resident (8
 * transfers at once) for no time gained beyond the noise (node 24, 3 GiB, 3 runs each).
 */
export const STAGE_SIZE = 128 * 1024

export class StagingPool {
  private readonly free: Buffer[] = []

  constructor(private readonly size = STAGE_SIZE) {}

  acquire(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.size)
  }

  release(stage: Buffer): void {
    this.free.push(stage)
  }
}
