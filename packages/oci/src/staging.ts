/**
 * Reused transfer buffers. A blob download copies each piece the connection read (a view
 * of its read buffer, valid only until the next piece is asked for: wire.ts) into one of
 * these at once, and writes it when full (blobs.ts, StagedWriter), so nothing is allocated
 * per read and a write call carries a few reads. One per transfer in flight, reused across
 * transfers: the resident set does not grow with the blob size or the number of blobs (npm
 * run bench --scale measures it). 128 KiB: 64 KiB meant twice the write calls, 256 KiB
 * 1 MiB more resident (8 transfers at once) for no time gained beyond the noise (node 24,
 * 3 GiB, 3 interleaved runs each).
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
