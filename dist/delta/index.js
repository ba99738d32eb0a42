import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 57:
/***/ ((module) => {

function isBuffer(value) {
  return Buffer.isBuffer(value) || value instanceof Uint8Array
}

function isEncoding(encoding) {
  return Buffer.isEncoding(encoding)
}

function alloc(size, fill, encoding) {
  return Buffer.alloc(size, fill, encoding)
}

function allocUnsafe(size) {
  return Buffer.allocUnsafe(size)
}

function allocUnsafeSlow(size) {
  return Buffer.allocUnsafeSlow(size)
}

function byteLength(string, encoding) {
  return Buffer.byteLength(string, encoding)
}

function compare(a, b) {
  return Buffer.compare(a, b)
}

function concat(buffers, totalLength) {
  return Buffer.concat(buffers, totalLength)
}

function copy(source, target, targetStart, start, end) {
  return toBuffer(source).copy(target, targetStart, start, end)
}

function equals(a, b) {
  return toBuffer(a).equals(b)
}

function fill(buffer, value, offset, end, encoding) {
  return toBuffer(buffer).fill(value, offset, end, encoding)
}

function from(value, encodingOrOffset, length) {
  return Buffer.from(value, encodingOrOffset, length)
}

function includes(buffer, value, byteOffset, encoding) {
  return toBuffer(buffer).includes(value, byteOffset, encoding)
}

function indexOf(buffer, value, byfeOffset, encoding) {
  return toBuffer(buffer).indexOf(value, byfeOffset, encoding)
}

function lastIndexOf(buffer, value, byteOffset, encoding) {
  return toBuffer(buffer).lastIndexOf(value, byteOffset, encoding)
}

function swap16(buffer) {
  return toBuffer(buffer).swap16()
}

function swap32(buffer) {
  return toBuffer(buffer).swap32()
}

function swap64(buffer) {
  return toBuffer(buffer).swap64()
}

function toBuffer(buffer) {
  if (Buffer.isBuffer(buffer)) return buffer
  return Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength)
}

function toString(buffer, encoding, start, end) {
  return toBuffer(buffer).toString(encoding, start, end)
}

function toHex(buffer, start, end) {
  return toBuffer(buffer).toString('hex', start, end)
}

function write(buffer, string, offset, length, encoding) {
  return toBuffer(buffer).write(string, offset, length, encoding)
}

function readDoubleBE(buffer, offset) {
  return toBuffer(buffer).readDoubleBE(offset)
}

function readDoubleLE(buffer, offset) {
  return toBuffer(buffer).readDoubleLE(offset)
}

function readFloatBE(buffer, offset) {
  return toBuffer(buffer).readFloatBE(offset)
}

function readFloatLE(buffer, offset) {
  return toBuffer(buffer).readFloatLE(offset)
}

function readInt32BE(buffer, offset) {
  return toBuffer(buffer).readInt32BE(offset)
}

function readInt32LE(buffer, offset) {
  return toBuffer(buffer).readInt32LE(offset)
}

function readUInt32BE(buffer, offset) {
  return toBuffer(buffer).readUInt32BE(offset)
}

function readUInt32LE(buffer, offset) {
  return toBuffer(buffer).readUInt32LE(offset)
}

function writeDoubleBE(buffer, value, offset) {
  return toBuffer(buffer).writeDoubleBE(value, offset)
}

function writeDoubleLE(buffer, value, offset) {
  return toBuffer(buffer).writeDoubleLE(value, offset)
}

function writeFloatBE(buffer, value, offset) {
  return toBuffer(buffer).writeFloatBE(value, offset)
}

function writeFloatLE(buffer, value, offset) {
  return toBuffer(buffer).writeFloatLE(value, offset)
}

function writeInt32BE(buffer, value, offset) {
  return toBuffer(buffer).writeInt32BE(value, offset)
}

function writeInt32LE(buffer, value, offset) {
  return toBuffer(buffer).writeInt32LE(value, offset)
}

function writeUInt32BE(buffer, value, offset) {
  return toBuffer(buffer).writeUInt32BE(value, offset)
}

function writeUInt32LE(buffer, value, offset) {
  return toBuffer(buffer).writeUInt32LE(value, offset)
}

module.exports = {
  isBuffer,
  isEncoding,
  alloc,
  allocUnsafe,
  allocUnsafeSlow,
  byteLength,
  compare,
  concat,
  copy,
  equals,
  fill,
  from,
  includes,
  indexOf,
  lastIndexOf,
  swap16,
  swap32,
  swap64,
  toBuffer,
  toString,
  toHex,
  write,
  readDoubleBE,
  readDoubleLE,
  readFloatBE,
  readFloatLE,
  readInt32BE,
  readInt32LE,
  readUInt32BE,
  readUInt32LE,
  writeDoubleBE,
  writeDoubleLE,
  writeFloatBE,
  writeFloatLE,
  writeInt32BE,
  writeInt32LE,
  writeUInt32BE,
  writeUInt32LE
}


/***/ }),

/***/ 580:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

module.exports = __nccwpck_require__(434)


/***/ }),

/***/ 587:
/***/ ((module) => {

module.exports = class FixedFIFO {
  constructor (hwm) {
    if (!(hwm > 0) || ((hwm - 1) & hwm) !== 0) throw new Error('Max size for a FixedFIFO should be a power of two')
    this.buffer = new Array(hwm)
    this.mask = hwm - 1
    this.top = 0
    this.btm = 0
    this.next = null
  }

  clear () {
    this.top = this.btm = 0
    this.next = null
    this.buffer.fill(undefined)
  }

  push (data) {
    if (this.buffer[this.top] !== undefined) return false
    this.buffer[this.top] = data
    this.top = (this.top + 1) & this.mask
    return true
  }

  shift () {
    const last = this.buffer[this.btm]
    if (last === undefined) return undefined
    this.buffer[this.btm] = undefined
    this.btm = (this.btm + 1) & this.mask
    return last
  }

  peek () {
    return this.buffer[this.btm]
  }

  isEmpty () {
    return this.buffer[this.btm] === undefined
  }
}


/***/ }),

/***/ 867:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

const FixedFIFO = __nccwpck_require__(587)

module.exports = class FastFIFO {
  constructor (hwm) {
    this.hwm = hwm || 16
    this.head = new FixedFIFO(this.hwm)
    this.tail = this.head
    this.length = 0
  }

  clear () {
    this.head = this.tail
    this.head.clear()
    this.length = 0
  }

  push (val) {
    this.length++
    if (!this.head.push(val)) {
      const prev = this.head
      this.head = prev.next = new FixedFIFO(2 * this.head.buffer.length)
      this.head.push(val)
    }
  }

  shift () {
    if (this.length !== 0) this.length--
    const val = this.tail.shift()
    if (val === undefined && this.tail.next) {
      const next = this.tail.next
      this.tail.next = null
      this.tail = next
      return this.tail.shift()
    }

    return val
  }

  peek () {
    const val = this.tail.peek()
    if (val === undefined && this.tail.next) return this.tail.next.peek()
    return val
  }

  isEmpty () {
    return this.length === 0
  }
}


/***/ }),

/***/ 204:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

const { EventEmitter } = __nccwpck_require__(580)
const FIFO = __nccwpck_require__(867)
const TextDecoder = __nccwpck_require__(934)

const StreamError = __nccwpck_require__(657)

// if we do a future major, expect queue microtask to be there always, for now a bit defensive
const qmt =
  typeof queueMicrotask === 'undefined' ? (fn) => global.process.nextTick(fn) : queueMicrotask

// 29 bits used total (4 from shared, 14 from read, and 11 from write)
const MAX = (1 << 29) - 1

// Shared state
const OPENING = 0b0001
const PREDESTROYING = 0b0010
const DESTROYING = 0b0100
const DESTROYED = 0b1000

const NOT_OPENING = MAX ^ OPENING
const NOT_PREDESTROYING = MAX ^ PREDESTROYING

// Read state (4 bit offset from shared state)
const READ_ACTIVE = 0b00000000000001 << 4
const READ_UPDATING = 0b00000000000010 << 4
const READ_PRIMARY = 0b00000000000100 << 4
const READ_QUEUED = 0b00000000001000 << 4
const READ_RESUMED = 0b00000000010000 << 4
const READ_PIPE_DRAINED = 0b00000000100000 << 4
const READ_ENDING = 0b00000001000000 << 4
const READ_EMIT_DATA = 0b00000010000000 << 4
const READ_EMIT_READABLE = 0b00000100000000 << 4
const READ_EMITTED_READABLE = 0b00001000000000 << 4
const READ_DONE = 0b00010000000000 << 4
const READ_NEXT_TICK = 0b00100000000000 << 4
const READ_NEEDS_PUSH = 0b01000000000000 << 4
const READ_READ_AHEAD = 0b10000000000000 << 4

// Combined read state
const READ_FLOWING = READ_RESUMED | READ_PIPE_DRAINED
const READ_ACTIVE_AND_NEEDS_PUSH = READ_ACTIVE | READ_NEEDS_PUSH
const READ_PRIMARY_AND_ACTIVE = READ_PRIMARY | READ_ACTIVE
const READ_EMIT_READABLE_AND_QUEUED = READ_EMIT_READABLE | READ_QUEUED
const READ_RESUMED_READ_AHEAD = READ_RESUMED | READ_READ_AHEAD

const READ_NOT_ACTIVE = MAX ^ READ_ACTIVE
const READ_NON_PRIMARY = MAX ^ READ_PRIMARY
const READ_NON_PRIMARY_AND_PUSHED = MAX ^ (READ_PRIMARY | READ_NEEDS_PUSH)
const READ_PUSHED = MAX ^ READ_NEEDS_PUSH
const READ_PAUSED = MAX ^ READ_RESUMED
const READ_NOT_QUEUED = MAX ^ (READ_QUEUED | READ_EMITTED_READABLE)
const READ_NOT_ENDING = MAX ^ READ_ENDING
const READ_PIPE_NOT_DRAINED = MAX ^ READ_FLOWING
const READ_NOT_NEXT_TICK = MAX ^ READ_NEXT_TICK
const READ_NOT_UPDATING = MAX ^ READ_UPDATING
const READ_NO_READ_AHEAD = MAX ^ READ_READ_AHEAD
const READ_PAUSED_NO_READ_AHEAD = MAX ^ READ_RESUMED_READ_AHEAD

// Write state (18 bit offset, 4 bit offset from shared state and 14 from read state)
const WRITE_ACTIVE = 0b00000000001 << 18
const WRITE_UPDATING = 0b00000000010 << 18
const WRITE_PRIMARY = 0b00000000100 << 18
const WRITE_QUEUED = 0b00000001000 << 18
const WRITE_UNDRAINED = 0b00000010000 << 18
const WRITE_DONE = 0b00000100000 << 18
const WRITE_EMIT_DRAIN = 0b00001000000 << 18
const WRITE_NEXT_TICK = 0b00010000000 << 18
const WRITE_WRITING = 0b00100000000 << 18
const WRITE_FINISHING = 0b01000000000 << 18
const WRITE_CORKED = 0b10000000000 << 18

const WRITE_NOT_ACTIVE = MAX ^ (WRITE_ACTIVE | WRITE_WRITING)
const WRITE_NON_PRIMARY = MAX ^ WRITE_PRIMARY
const WRITE_NOT_FINISHING = MAX ^ (WRITE_ACTIVE | WRITE_FINISHING)
const WRITE_DRAINED = MAX ^ WRITE_UNDRAINED
const WRITE_NOT_QUEUED = MAX ^ WRITE_QUEUED
const WRITE_NOT_NEXT_TICK = MAX ^ WRITE_NEXT_TICK
const WRITE_NOT_UPDATING = MAX ^ WRITE_UPDATING
const WRITE_NOT_CORKED = MAX ^ WRITE_CORKED

// Combined shared state
const ACTIVE = READ_ACTIVE | WRITE_ACTIVE
const NOT_ACTIVE = MAX ^ ACTIVE
const DONE = READ_DONE | WRITE_DONE
const DESTROY_STATUS = DESTROYING | DESTROYED | PREDESTROYING
const OPEN_STATUS = DESTROY_STATUS | OPENING
const AUTO_DESTROY = DESTROY_STATUS | DONE
const NON_PRIMARY = WRITE_NON_PRIMARY & READ_NON_PRIMARY
const ACTIVE_OR_TICKING = WRITE_NEXT_TICK | READ_NEXT_TICK
const TICKING = ACTIVE_OR_TICKING & NOT_ACTIVE
const IS_OPENING = OPEN_STATUS | TICKING

// Combined shared state and read state
const READ_PRIMARY_STATUS = OPEN_STATUS | READ_ENDING | READ_DONE
const READ_STATUS = OPEN_STATUS | READ_DONE | READ_QUEUED
const READ_ENDING_STATUS = OPEN_STATUS | READ_ENDING | READ_QUEUED
const READ_READABLE_STATUS = OPEN_STATUS | READ_EMIT_READABLE | READ_QUEUED | READ_EMITTED_READABLE
const SHOULD_NOT_READ =
  OPEN_STATUS | READ_ACTIVE | READ_ENDING | READ_DONE | READ_NEEDS_PUSH | READ_READ_AHEAD
const READ_BACKPRESSURE_STATUS = DESTROY_STATUS | READ_ENDING | READ_DONE
const READ_UPDATE_SYNC_STATUS = READ_UPDATING | OPEN_STATUS | READ_NEXT_TICK | READ_PRIMARY
const READ_NEXT_TICK_OR_OPENING = READ_NEXT_TICK | OPENING

// Combined write state
const WRITE_PRIMARY_STATUS = OPEN_STATUS | WRITE_FINISHING | WRITE_DONE
const WRITE_QUEUED_AND_UNDRAINED = WRITE_QUEUED | WRITE_UNDRAINED
const WRITE_QUEUED_AND_ACTIVE = WRITE_QUEUED | WRITE_ACTIVE
const WRITE_DRAIN_STATUS = WRITE_QUEUED | WRITE_UNDRAINED | OPEN_STATUS | WRITE_ACTIVE
const WRITE_STATUS = OPEN_STATUS | WRITE_ACTIVE | WRITE_QUEUED | WRITE_CORKED
const WRITE_PRIMARY_AND_ACTIVE = WRITE_PRIMARY | WRITE_ACTIVE
const WRITE_ACTIVE_AND_WRITING = WRITE_ACTIVE | WRITE_WRITING
const WRITE_FINISHING_STATUS = OPEN_STATUS | WRITE_FINISHING | WRITE_QUEUED_AND_ACTIVE | WRITE_DONE
const WRITE_BACKPRESSURE_STATUS = WRITE_UNDRAINED | DESTROY_STATUS | WRITE_FINISHING | WRITE_DONE
const WRITE_UPDATE_SYNC_STATUS = WRITE_UPDATING | OPEN_STATUS | WRITE_NEXT_TICK | WRITE_PRIMARY
const WRITE_DROP_DATA = WRITE_FINISHING | WRITE_DONE | DESTROY_STATUS

const asyncIterator = Symbol.asyncIterator || Symbol('asyncIterator')

class WritableState {
  constructor(
    stream,
    { highWaterMark = 16384, map = null, mapWritable, byteLength, byteLengthWritable } = {}
  ) {
    this.stream = stream
    this.queue = new FIFO()
    this.highWaterMark = highWaterMark
    this.buffered = 0
    this.error = null
    this.pipeline = null
    this.drains = null // if we add more seldomly used helpers we might them into a subobject so its a single ptr
    this.byteLength = byteLengthWritable || byteLength || defaultByteLength
    this.map = mapWritable || map
    this.afterWrite = afterWrite.bind(this)
    this.afterUpdateNextTick = updateWriteNT.bind(this)
  }

  get ending() {
    return (this.stream._duplexState & WRITE_FINISHING) !== 0
  }

  get ended() {
    return (this.stream._duplexState & WRITE_DONE) !== 0
  }

  push(data) {
    if ((this.stream._duplexState & WRITE_DROP_DATA) !== 0) return false
    if (this.map !== null) data = this.map(data)

    this.buffered += this.byteLength(data)
    this.queue.push(data)

    if (this.buffered < this.highWaterMark) {
      this.stream._duplexState |= WRITE_QUEUED
      return true
    }

    this.stream._duplexState |= WRITE_QUEUED_AND_UNDRAINED
    return false
  }

  shift() {
    const data = this.queue.shift()

    this.buffered -= this.byteLength(data)
    if (this.buffered === 0) this.stream._duplexState &= WRITE_NOT_QUEUED

    return data
  }

  end(data) {
    if (typeof data === 'function') {
      this.stream.once('finish', data)
    } else if (data !== undefined && data !== null) {
      this.push(data)
    }

    this.stream._duplexState = (this.stream._duplexState | WRITE_FINISHING) & WRITE_NON_PRIMARY
  }

  autoBatch(data, cb) {
    const buffer = []
    const stream = this.stream

    buffer.push(data)
    while ((stream._duplexState & WRITE_STATUS) === WRITE_QUEUED_AND_ACTIVE) {
      buffer.push(stream._writableState.shift())
    }

    if ((stream._duplexState & OPEN_STATUS) !== 0) return cb(null)
    stream._writev(buffer, cb)
  }

  update() {
    const stream = this.stream

    stream._duplexState |= WRITE_UPDATING

    do {
      while ((stream._duplexState & WRITE_STATUS) === WRITE_QUEUED) {
        const data = this.shift()
        stream._duplexState |= WRITE_ACTIVE_AND_WRITING
        stream._write(data, this.afterWrite)
      }

      if ((stream._duplexState & WRITE_PRIMARY_AND_ACTIVE) === 0) this.updateNonPrimary()
    } while (this.continueUpdate() === true)

    stream._duplexState &= WRITE_NOT_UPDATING
  }

  updateNonPrimary() {
    const stream = this.stream

    if ((stream._duplexState & WRITE_FINISHING_STATUS) === WRITE_FINISHING) {
      stream._duplexState = stream._duplexState | WRITE_ACTIVE
      stream._final(afterFinal.bind(this))
      return
    }

    if ((stream._duplexState & DESTROY_STATUS) === DESTROYING) {
      if ((stream._duplexState & ACTIVE_OR_TICKING) === 0) {
        stream._duplexState |= ACTIVE
        stream._destroy(afterDestroy.bind(this))
      }
      return
    }

    if ((stream._duplexState & IS_OPENING) === OPENING) {
      stream._duplexState = (stream._duplexState | ACTIVE) & NOT_OPENING
      stream._open(afterOpen.bind(this))
    }
  }

  continueUpdate() {
    if ((this.stream._duplexState & WRITE_NEXT_TICK) === 0) return false
    this.stream._duplexState &= WRITE_NOT_NEXT_TICK
    return true
  }

  updateCallback() {
    if ((this.stream._duplexState & WRITE_UPDATE_SYNC_STATUS) === WRITE_PRIMARY) {
      this.update()
    } else {
      this.updateNextTick()
    }
  }

  updateNextTick() {
    if ((this.stream._duplexState & WRITE_NEXT_TICK) !== 0) return
    this.stream._duplexState |= WRITE_NEXT_TICK
    if ((this.stream._duplexState & WRITE_UPDATING) === 0) qmt(this.afterUpdateNextTick)
  }
}

class ReadableState {
  constructor(
    stream,
    { highWaterMark = 16384, map = null, mapReadable, byteLength, byteLengthReadable } = {}
  ) {
    this.stream = stream
    this.queue = new FIFO()
    this.highWaterMark = highWaterMark === 0 ? 1 : highWaterMark
    this.buffered = 0
    this.readAhead = highWaterMark > 0
    this.error = null
    this.pipeline = null
    this.byteLength = byteLengthReadable || byteLength || defaultByteLength
    this.map = mapReadable || map
    this.pipeTo = null
    this.afterRead = afterRead.bind(this)
    this.afterUpdateNextTick = updateReadNT.bind(this)
  }

  get ending() {
    return (this.stream._duplexState & READ_ENDING) !== 0
  }

  get ended() {
    return (this.stream._duplexState & READ_DONE) !== 0
  }

  pipe(pipeTo, cb) {
    if (this.pipeTo !== null) throw StreamError.BAD_ARGUMENT('Can only pipe to one destination')
    if (typeof cb !== 'function') cb = null

    this.stream._duplexState |= READ_PIPE_DRAINED
    this.pipeTo = pipeTo
    this.pipeline = new Pipeline(this.stream, pipeTo, cb)

    if (cb) this.stream.on('error', noop) // We already error handle this so supress crashes

    if (isStreamx(pipeTo)) {
      pipeTo._writableState.pipeline = this.pipeline
      if (cb) pipeTo.on('error', noop) // We already error handle this so supress crashes
      pipeTo.on('finish', this.pipeline.finished.bind(this.pipeline)) // TODO: just call finished from pipeTo itself
    } else {
      const onerror = this.pipeline.done.bind(this.pipeline, pipeTo)
      const onclose = this.pipeline.done.bind(this.pipeline, pipeTo, null) // onclose has a weird bool arg
      pipeTo.on('error', onerror)
      pipeTo.on('close', onclose)
      pipeTo.on('finish', this.pipeline.finished.bind(this.pipeline))
    }

    pipeTo.on('drain', afterDrain.bind(this))
    this.stream.emit('piping', pipeTo)
    pipeTo.emit('pipe', this.stream)
  }

  push(data) {
    const stream = this.stream

    if (data === null) {
      this.highWaterMark = 0
      stream._duplexState = (stream._duplexState | READ_ENDING) & READ_NON_PRIMARY_AND_PUSHED
      return false
    }

    if (this.map !== null) {
      data = this.map(data)
      if (data === null) {
        stream._duplexState &= READ_PUSHED
        return this.buffered < this.highWaterMark
      }
    }

    this.buffered += this.byteLength(data)
    this.queue.push(data)

    stream._duplexState = (stream._duplexState | READ_QUEUED) & READ_PUSHED

    return this.buffered < this.highWaterMark
  }

  shift() {
    const data = this.queue.shift()

    this.buffered -= this.byteLength(data)
    if (this.buffered === 0) {
      this.stream._duplexState &= READ_NOT_QUEUED
    }

    return data
  }

  unshift(data) {
    const pending = [this.map !== null ? this.map(data) : data]
    while (this.buffered > 0) pending.push(this.shift())

    for (let i = 0; i < pending.length - 1; i++) {
      const data = pending[i]
      this.buffered += this.byteLength(data)
      this.queue.push(data)
    }

    this.push(pending[pending.length - 1])
  }

  read() {
    const stream = this.stream

    if ((stream._duplexState & READ_STATUS) === READ_QUEUED) {
      const data = this.shift()

      if (this.pipeTo !== null && this.pipeTo.write(data) === false) {
        stream._duplexState &= READ_PIPE_NOT_DRAINED
      }

      if ((stream._duplexState & READ_EMIT_DATA) !== 0) {
        stream.emit('data', data)
      }

      return data
    }

    if (this.readAhead === false) {
      stream._duplexState |= READ_READ_AHEAD
      this.updateNextTick()
    }

    return null
  }

  drain() {
    const stream = this.stream

    while (
      (stream._duplexState & READ_STATUS) === READ_QUEUED &&
      (stream._duplexState & READ_FLOWING) !== 0
    ) {
      const data = this.shift()

      if (this.pipeTo !== null && this.pipeTo.write(data) === false) {
        stream._duplexState &= READ_PIPE_NOT_DRAINED
      }

      if ((stream._duplexState & READ_EMIT_DATA) !== 0) {
        stream.emit('data', data)
      }
    }
  }

  update() {
    const stream = this.stream

    stream._duplexState |= READ_UPDATING

    do {
      this.drain()

      while (
        this.buffered < this.highWaterMark &&
        (stream._duplexState & SHOULD_NOT_READ) === READ_READ_AHEAD
      ) {
        stream._duplexState |= READ_ACTIVE_AND_NEEDS_PUSH
        stream._read(this.afterRead)
        this.drain()
      }

      if ((stream._duplexState & READ_READABLE_STATUS) === READ_EMIT_READABLE_AND_QUEUED) {
        stream._duplexState |= READ_EMITTED_READABLE
        stream.emit('readable')
      }

      if ((stream._duplexState & READ_PRIMARY_AND_ACTIVE) === 0) {
        this.updateNonPrimary()
      }
    } while (this.continueUpdate() === true)

    stream._duplexState &= READ_NOT_UPDATING
  }

  updateNonPrimary() {
    const stream = this.stream

    if ((stream._duplexState & READ_ENDING_STATUS) === READ_ENDING) {
      stream._duplexState = (stream._duplexState | READ_DONE) & READ_NOT_ENDING
      stream.emit('end')

      if ((stream._duplexState & AUTO_DESTROY) === DONE) {
        stream._duplexState |= DESTROYING
      }

      if (this.pipeTo !== null) {
        this.pipeTo.end()
      }
    }

    if ((stream._duplexState & DESTROY_STATUS) === DESTROYING) {
      if ((stream._duplexState & ACTIVE_OR_TICKING) === 0) {
        stream._duplexState |= ACTIVE
        stream._destroy(afterDestroy.bind(this))
      }
      return
    }

    if ((stream._duplexState & IS_OPENING) === OPENING) {
      stream._duplexState = (stream._duplexState | ACTIVE) & NOT_OPENING
      stream._open(afterOpen.bind(this))
    }
  }

  continueUpdate() {
    if ((this.stream._duplexState & READ_NEXT_TICK) === 0) return false
    this.stream._duplexState &= READ_NOT_NEXT_TICK
    return true
  }

  updateCallback() {
    if ((this.stream._duplexState & READ_UPDATE_SYNC_STATUS) === READ_PRIMARY) {
      this.update()
    } else {
      this.updateNextTick()
    }
  }

  updateNextTickIfOpen() {
    if ((this.stream._duplexState & READ_NEXT_TICK_OR_OPENING) !== 0) return
    this.stream._duplexState |= READ_NEXT_TICK
    if ((this.stream._duplexState & READ_UPDATING) === 0) qmt(this.afterUpdateNextTick)
  }

  updateNextTick() {
    if ((this.stream._duplexState & READ_NEXT_TICK) !== 0) return
    this.stream._duplexState |= READ_NEXT_TICK
    if ((this.stream._duplexState & READ_UPDATING) === 0) qmt(this.afterUpdateNextTick)
  }
}

class TransformState {
  constructor(stream) {
    this.data = null
    this.afterTransform = afterTransform.bind(stream)
    this.afterFinal = null
  }
}

class Pipeline {
  constructor(src, dst, cb) {
    this.from = src
    this.to = dst
    this.afterPipe = cb
    this.error = null
    this.pipeToFinished = false
  }

  finished() {
    this.pipeToFinished = true
  }

  done(stream, err) {
    if (err) this.error = err

    if (stream === this.to) {
      this.to = null

      if (this.from !== null) {
        if ((this.from._duplexState & READ_DONE) === 0 || !this.pipeToFinished) {
          this.from.destroy(this.error || StreamError.PREMATURE_CLOSE('Writable stream closed'))
        }
        return
      }
    }

    if (stream === this.from) {
      this.from = null

      if (this.to !== null) {
        if ((stream._duplexState & READ_DONE) === 0) {
          this.to.destroy(this.error || StreamError.PREMATURE_CLOSE('Readable stream closed'))
        }
        return
      }
    }

    if (this.afterPipe !== null) this.afterPipe(this.error)
    this.to = this.from = this.afterPipe = null
  }
}

function afterDrain() {
  this.stream._duplexState |= READ_PIPE_DRAINED
  this.updateCallback()
}

function afterFinal(err) {
  const stream = this.stream
  if (err) stream.destroy(err)

  if ((stream._duplexState & DESTROY_STATUS) === 0) {
    stream._duplexState |= WRITE_DONE
    stream.emit('finish')
  }

  if ((stream._duplexState & AUTO_DESTROY) === DONE) {
    stream._duplexState |= DESTROYING
  }

  stream._duplexState &= WRITE_NOT_FINISHING

  // no need to wait the extra tick here, so we short circuit that
  if ((stream._duplexState & WRITE_UPDATING) === 0) {
    this.update()
  } else {
    this.updateNextTick()
  }
}

function afterDestroy(err) {
  const stream = this.stream

  if (!err && !StreamError.isStreamDestroyed(this.error)) err = this.error
  if (err) stream.emit('error', err)

  stream._duplexState |= DESTROYED
  stream.emit('close')

  const rs = stream._readableState
  const ws = stream._writableState

  if (rs !== null && rs.pipeline !== null) {
    rs.pipeline.done(stream, err)
  }

  if (ws !== null) {
    while (ws.drains !== null && ws.drains.length > 0) {
      ws.drains.shift().resolve(false)
    }

    if (ws.pipeline !== null) {
      ws.pipeline.done(stream, err)
    }
  }
}

function afterWrite(err) {
  const stream = this.stream

  if (err) stream.destroy(err)
  stream._duplexState &= WRITE_NOT_ACTIVE

  if (this.drains !== null) tickDrains(this.drains)

  if ((stream._duplexState & WRITE_DRAIN_STATUS) === WRITE_UNDRAINED) {
    stream._duplexState &= WRITE_DRAINED

    if ((stream._duplexState & WRITE_EMIT_DRAIN) === WRITE_EMIT_DRAIN) {
      stream.emit('drain')
    }
  }

  this.updateCallback()
}

function afterRead(err) {
  if (err) this.stream.destroy(err)
  this.stream._duplexState &= READ_NOT_ACTIVE

  if (this.readAhead === false && (this.stream._duplexState & READ_RESUMED) === 0) {
    this.stream._duplexState &= READ_NO_READ_AHEAD
  }

  this.updateCallback()
}

function updateReadNT() {
  if ((this.stream._duplexState & READ_UPDATING) === 0) {
    this.stream._duplexState &= READ_NOT_NEXT_TICK
    this.update()
  }
}

function updateWriteNT() {
  if ((this.stream._duplexState & WRITE_UPDATING) === 0) {
    this.stream._duplexState &= WRITE_NOT_NEXT_TICK
    this.update()
  }
}

function tickDrains(drains) {
  for (let i = 0; i < drains.length; i++) {
    // drains.writes are monotonic, so if one is 0 its always the first one
    if (--drains[i].writes === 0) {
      drains.shift().resolve(true)
      i--
    }
  }
}

function afterOpen(err) {
  const stream = this.stream

  if (err) stream.destroy(err)

  if ((stream._duplexState & DESTROYING) === 0) {
    if ((stream._duplexState & READ_PRIMARY_STATUS) === 0) {
      stream._duplexState |= READ_PRIMARY
    }

    if ((stream._duplexState & WRITE_PRIMARY_STATUS) === 0) {
      stream._duplexState |= WRITE_PRIMARY
    }

    stream.emit('open')
  }

  stream._duplexState &= NOT_ACTIVE

  if (stream._writableState !== null) {
    stream._writableState.updateCallback()
  }

  if (stream._readableState !== null) {
    stream._readableState.updateCallback()
  }
}

function afterTransform(err, data) {
  if (data !== undefined && data !== null) this.push(data)
  this._writableState.afterWrite(err)
}

function newListener(name) {
  if (this._readableState !== null) {
    if (name === 'data') {
      this._duplexState |= READ_EMIT_DATA | READ_RESUMED_READ_AHEAD
      this._readableState.updateNextTick()
    }
    if (name === 'readable') {
      this._duplexState |= READ_EMIT_READABLE
      this._readableState.updateNextTick()
    }
  }

  if (this._writableState !== null) {
    if (name === 'drain') {
      this._duplexState |= WRITE_EMIT_DRAIN
      this._writableState.updateNextTick()
    }
  }
}

class Stream extends EventEmitter {
  constructor(opts) {
    super()

    this._duplexState = 0
    this._readableState = null
    this._writableState = null

    if (opts) {
      if (opts.open) this._open = opts.open
      if (opts.destroy) this._destroy = opts.destroy
      if (opts.predestroy) this._predestroy = opts.predestroy
      if (opts.signal) opts.signal.addEventListener('abort', abort.bind(this))
    }

    this.on('newListener', newListener)
  }

  _open(cb) {
    cb(null)
  }

  _destroy(cb) {
    cb(null)
  }

  _predestroy() {
    // does nothing
  }

  get readable() {
    return this._readableState !== null ? true : undefined
  }

  get writable() {
    return this._writableState !== null ? true : undefined
  }

  get destroyed() {
    return (this._duplexState & DESTROYED) !== 0
  }

  get destroying() {
    return (this._duplexState & DESTROY_STATUS) !== 0
  }

  destroy(err) {
    if ((this._duplexState & DESTROY_STATUS) === 0) {
      if (!err) err = StreamError.STREAM_DESTROYED()
      this._duplexState = (this._duplexState | DESTROYING) & NON_PRIMARY

      if (this._readableState !== null) {
        this._readableState.highWaterMark = 0
        this._readableState.error = err
      }

      if (this._writableState !== null) {
        this._writableState.highWaterMark = 0
        this._writableState.error = err
      }

      this._duplexState |= PREDESTROYING
      this._predestroy()
      this._duplexState &= NOT_PREDESTROYING

      if (this._readableState !== null) {
        this._readableState.updateNextTick()
      }

      if (this._writableState !== null) {
        this._writableState.updateNextTick()
      }
    }
  }
}

class Readable extends Stream {
  constructor(opts) {
    super(opts)

    this._duplexState |= OPENING | WRITE_DONE | READ_READ_AHEAD
    this._readableState = new ReadableState(this, opts)

    if (opts) {
      if (this._readableState.readAhead === false) this._duplexState &= READ_NO_READ_AHEAD
      if (opts.read) this._read = opts.read
      if (opts.eagerOpen) this._readableState.updateNextTick()
      if (opts.encoding) this.setEncoding(opts.encoding)
    }
  }

  static deferred(fn, opts) {
    const out = new PassThrough(opts)

    fn()
      .then((src) => {
        if (src === null) return out.end()
        if (out.destroying) return
        pipeline(src, out, noop)
      })
      .catch((err) => out.destroy(err))

    return out
  }

  setEncoding(encoding) {
    const dec = new TextDecoder(encoding)
    const map = this._readableState.map || echo
    this._readableState.map = mapOrSkip
    return this

    function mapOrSkip(data) {
      const next = dec.push(data)
      return next === '' && (data.byteLength !== 0 || dec.remaining > 0) ? null : map(next)
    }
  }

  _read(cb) {
    cb(null)
  }

  pipe(dest, cb) {
    this._readableState.updateNextTick()
    this._readableState.pipe(dest, cb)
    return dest
  }

  read() {
    this._readableState.updateNextTick()
    return this._readableState.read()
  }

  push(data) {
    this._readableState.updateNextTickIfOpen()
    return this._readableState.push(data)
  }

  unshift(data) {
    this._readableState.updateNextTickIfOpen()
    return this._readableState.unshift(data)
  }

  resume() {
    this._duplexState |= READ_RESUMED_READ_AHEAD
    this._readableState.updateNextTick()
    return this
  }

  pause() {
    this._duplexState &=
      this._readableState.readAhead === false ? READ_PAUSED_NO_READ_AHEAD : READ_PAUSED
    return this
  }

  static _fromAsyncIterator(ite, opts) {
    let destroy

    const rs = new Readable({
      ...opts,
      read(cb) {
        ite.next().then(push).then(cb.bind(null, null)).catch(cb)
      },
      predestroy() {
        destroy = ite.return()
      },
      destroy(cb) {
        if (!destroy) return cb(null)
        destroy.then(cb.bind(null, null)).catch(cb)
      }
    })

    return rs

    function push(data) {
      if (data.done) rs.push(null)
      else rs.push(data.value)
    }
  }

  static from(data, opts) {
    if (isReadStreamx(data)) return data
    if (data[asyncIterator]) return this._fromAsyncIterator(data[asyncIterator](), opts)
    if (!Array.isArray(data)) data = data === undefined ? [] : [data]

    let i = 0
    return new Readable({
      ...opts,
      read(cb) {
        this.push(i === data.length ? null : data[i++])
        cb(null)
      }
    })
  }

  static isBackpressured(rs) {
    return (
      (rs._duplexState & READ_BACKPRESSURE_STATUS) !== 0 ||
      rs._readableState.buffered >= rs._readableState.highWaterMark
    )
  }

  static isPaused(rs) {
    return (rs._duplexState & READ_RESUMED) === 0
  }

  [asyncIterator]() {
    const stream = this

    let error = null
    let promiseResolve = null
    let promiseReject = null

    this.on('error', (err) => {
      error = err
    })
    this.on('readable', onreadable)
    this.on('close', onclose)

    return {
      [asyncIterator]() {
        return this
      },
      next() {
        return new Promise(function (resolve, reject) {
          promiseResolve = resolve
          promiseReject = reject
          const data = stream.read()
          if (data !== null) ondata(data)
          else if ((stream._duplexState & DESTROYED) !== 0) ondata(null)
        })
      },
      return() {
        return destroy(null)
      },
      throw(err) {
        return destroy(err)
      }
    }

    function onreadable() {
      if (promiseResolve !== null) ondata(stream.read())
    }

    function onclose() {
      if (promiseResolve !== null) ondata(null)
    }

    function ondata(data) {
      if (promiseReject === null) return
      if (error) {
        promiseReject(error)
      } else if (data === null && (stream._duplexState & READ_DONE) === 0) {
        promiseReject(StreamError.STREAM_DESTROYED())
      } else {
        promiseResolve({ value: data, done: data === null })
      }
      promiseReject = promiseResolve = null
    }

    function destroy(err) {
      stream.destroy(err)
      return new Promise((resolve, reject) => {
        if (stream._duplexState & DESTROYED) return resolve({ value: undefined, done: true })
        stream.once('close', function () {
          if (err) reject(err)
          else resolve({ value: undefined, done: true })
        })
      })
    }
  }
}

class Writable extends Stream {
  constructor(opts) {
    super(opts)

    this._duplexState |= OPENING | READ_DONE
    this._writableState = new WritableState(this, opts)

    if (opts) {
      if (opts.writev) this._writev = opts.writev
      if (opts.write) this._write = opts.write
      if (opts.final) this._final = opts.final
      if (opts.eagerOpen) this._writableState.updateNextTick()
    }
  }

  cork() {
    this._duplexState |= WRITE_CORKED
  }

  uncork() {
    this._duplexState &= WRITE_NOT_CORKED
    this._writableState.updateNextTick()
  }

  _writev(batch, cb) {
    cb(null)
  }

  _write(data, cb) {
    this._writableState.autoBatch(data, cb)
  }

  _final(cb) {
    cb(null)
  }

  static isBackpressured(ws) {
    return (ws._duplexState & WRITE_BACKPRESSURE_STATUS) !== 0
  }

  static drained(ws) {
    if (ws.destroyed) return Promise.resolve(false)

    const state = ws._writableState
    const pending = isWritev(ws) ? Math.min(1, state.queue.length) : state.queue.length
    const writes = pending + (ws._duplexState & WRITE_WRITING ? 1 : 0)
    if (writes === 0) return Promise.resolve(true)

    if (state.drains === null) state.drains = []
    return new Promise((resolve) => {
      state.drains.push({ writes, resolve })
    })
  }

  write(data) {
    this._writableState.updateNextTick()
    return this._writableState.push(data)
  }

  end(data) {
    this._writableState.updateNextTick()
    this._writableState.end(data)
    return this
  }
}

class Duplex extends Readable {
  // and Writable
  constructor(opts) {
    super(opts)

    this._duplexState = OPENING | (this._duplexState & READ_READ_AHEAD)
    this._writableState = new WritableState(this, opts)

    if (opts) {
      if (opts.writev) this._writev = opts.writev
      if (opts.write) this._write = opts.write
      if (opts.final) this._final = opts.final
    }
  }

  cork() {
    this._duplexState |= WRITE_CORKED
  }

  uncork() {
    this._duplexState &= WRITE_NOT_CORKED
    this._writableState.updateNextTick()
  }

  _writev(batch, cb) {
    cb(null)
  }

  _write(data, cb) {
    this._writableState.autoBatch(data, cb)
  }

  _final(cb) {
    cb(null)
  }

  write(data) {
    this._writableState.updateNextTick()
    return this._writableState.push(data)
  }

  end(data) {
    this._writableState.updateNextTick()
    this._writableState.end(data)
    return this
  }
}

class Transform extends Duplex {
  constructor(opts) {
    super(opts)
    this._transformState = new TransformState(this)

    if (opts) {
      if (opts.transform) this._transform = opts.transform
      if (opts.flush) this._flush = opts.flush
    }
  }

  _write(data, cb) {
    if (this._readableState.buffered >= this._readableState.highWaterMark) {
      this._transformState.data = data
    } else {
      this._transform(data, this._transformState.afterTransform)
    }
  }

  _read(cb) {
    if (this._transformState.data !== null) {
      const data = this._transformState.data
      this._transformState.data = null
      cb(null)
      this._transform(data, this._transformState.afterTransform)
    } else {
      cb(null)
    }
  }

  destroy(err) {
    super.destroy(err)
    if (this._transformState.data !== null) {
      this._transformState.data = null
      this._transformState.afterTransform()
    }
  }

  _transform(data, cb) {
    cb(null, data)
  }

  _flush(cb) {
    cb(null)
  }

  _final(cb) {
    this._transformState.afterFinal = cb
    this._flush(transformAfterFlush.bind(this))
  }
}

class PassThrough extends Transform {}

function transformAfterFlush(err, data) {
  const cb = this._transformState.afterFinal
  if (err) return cb(err)

  if (data !== null && data !== undefined) this.push(data)
  this.push(null)
  cb(null)
}

function pipelinePromise(...streams) {
  return new Promise((resolve, reject) => {
    return pipeline(...streams, (err) => {
      if (err) return reject(err)
      resolve()
    })
  })
}

function pipeline(stream, ...streams) {
  const all = Array.isArray(stream) ? [...stream, ...streams] : [stream, ...streams]
  const done = all.length && typeof all[all.length - 1] === 'function' ? all.pop() : null

  if (all.length < 2) throw StreamError.BAD_ARGUMENT('Pipeline requires at least 2 streams')

  let src = all[0]
  let dest = null
  let error = null

  for (let i = 1; i < all.length; i++) {
    dest = all[i]

    if (isStreamx(src)) {
      src.pipe(dest, onerror)
    } else {
      errorHandle(src, true, i > 1, onerror)
      src.pipe(dest)
    }

    src = dest
  }

  if (done) {
    let fin = false

    const autoDestroy =
      isStreamx(dest) || !!(dest._writableState && dest._writableState.autoDestroy)

    dest.on('error', (err) => {
      if (error === null) error = err
    })

    dest.on('finish', () => {
      fin = true
      if (!autoDestroy) done(error)
    })

    if (autoDestroy) {
      dest.on('close', () => done(error || (fin ? null : StreamError.PREMATURE_CLOSE())))
    }
  }

  return dest

  function errorHandle(s, rd, wr, onerror) {
    s.on('error', onerror)
    s.on('close', onclose)

    function onclose() {
      if (rd && s._readableState && !s._readableState.ended) {
        return onerror(StreamError.PREMATURE_CLOSE())
      }
      if (wr && s._writableState && !s._writableState.ended) {
        return onerror(StreamError.PREMATURE_CLOSE())
      }
    }
  }

  function onerror(err) {
    if (!err || error) return
    error = err

    for (const s of all) {
      s.destroy(err)
    }
  }
}

function echo(s) {
  return s
}

function isStream(stream) {
  return !!stream._readableState || !!stream._writableState
}

function isStreamx(stream) {
  return typeof stream._duplexState === 'number' && isStream(stream)
}

function isEnding(stream) {
  return !!stream._readableState && stream._readableState.ending
}

function isEnded(stream) {
  return !!stream._readableState && stream._readableState.ended
}

function isFinishing(stream) {
  return !!stream._writableState && stream._writableState.ending
}

function isFinished(stream) {
  return !!stream._writableState && stream._writableState.ended
}

function getStreamError(stream, opts = {}) {
  const err =
    (stream._readableState && stream._readableState.error) ||
    (stream._writableState && stream._writableState.error)

  // avoid implicit errors by default
  return !opts.all && StreamError.isStreamDestroyed(err) ? null : err
}

function isReadStreamx(stream) {
  return isStreamx(stream) && stream.readable
}

function isDisturbed(stream) {
  return (
    (stream._duplexState & OPENING) !== OPENING ||
    (stream._duplexState & DESTROYING) === DESTROYING ||
    (stream._duplexState & ACTIVE_OR_TICKING) !== 0
  )
}

function isTypedArray(data) {
  return typeof data === 'object' && data !== null && typeof data.byteLength === 'number'
}

function defaultByteLength(data) {
  return isTypedArray(data) ? data.byteLength : 1024
}

function noop() {}

function abort() {
  this.destroy(StreamError.ABORTED())
}

function isWritev(s) {
  return s._writev !== Writable.prototype._writev && s._writev !== Duplex.prototype._writev
}

module.exports = {
  pipeline,
  pipelinePromise,
  isStream,
  isStreamx,
  isEnding,
  isEnded,
  isFinishing,
  isFinished,
  isDisturbed,
  getStreamError,
  Stream,
  Writable,
  Readable,
  Duplex,
  Transform,
  // Export PassThrough for compatibility with Node.js core's stream module
  PassThrough
}


/***/ }),

/***/ 657:
/***/ ((module) => {

module.exports = class StreamError extends Error {
  constructor(msg, code, fn = StreamError) {
    super(msg)

    this.code = code

    if (Error.captureStackTrace) {
      Error.captureStackTrace(this, fn)
    }
  }

  static isStreamDestroyed(err) {
    return err && err.code === 'STREAM_DESTROYED'
  }

  static isPrematureClose(err) {
    return err && err.code === 'PREMATURE_CLOSE'
  }

  static isAborted(err) {
    return err && err.code === 'ABORTED'
  }

  static isBadArgument(err) {
    return err && err.code === 'BAD_ARGUMENT'
  }

  get name() {
    return 'StreamError'
  }

  static STREAM_DESTROYED() {
    return new StreamError('Stream was destroyed', 'STREAM_DESTROYED', StreamError.STREAM_DESTROYED)
  }

  static PREMATURE_CLOSE(msg = 'Premature close') {
    return new StreamError(msg, 'PREMATURE_CLOSE', StreamError.PREMATURE_CLOSE)
  }

  static ABORTED() {
    return new StreamError('Stream aborted', 'ABORTED', StreamError.ABORTED)
  }

  static BAD_ARGUMENT(msg = 'Bad argument') {
    return new StreamError(msg, 'BAD_ARGUMENT', StreamError.BAD_ARGUMENT)
  }
}


/***/ }),

/***/ 775:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

const constants = { // just for envs without fs
  S_IFMT: 61440,
  S_IFDIR: 16384,
  S_IFCHR: 8192,
  S_IFBLK: 24576,
  S_IFIFO: 4096,
  S_IFLNK: 40960
}

try {
  module.exports = (__nccwpck_require__(896).constants) || constants
} catch {
  module.exports = constants
}


/***/ }),

/***/ 763:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

const { Writable, Readable, getStreamError } = __nccwpck_require__(204)
const FIFO = __nccwpck_require__(867)
const b4a = __nccwpck_require__(57)
const headers = __nccwpck_require__(428)

const EMPTY = b4a.alloc(0)
const MAX_HEADER_SIZE = 4 * 1024 * 1024 // arbitrary big number

class BufferList {
  constructor () {
    this.buffered = 0
    this.shifted = 0
    this.queue = new FIFO()

    this._offset = 0
  }

  push (buffer) {
    this.buffered += buffer.byteLength
    this.queue.push(buffer)
  }

  shiftFirst (size) {
    return this.buffered === 0 ? null : this._next(size)
  }

  shift (size) {
    if (size > this.buffered) return null
    if (size === 0) return EMPTY

    let chunk = this._next(size)

    if (size === chunk.byteLength) return chunk // likely case

    const chunks = [chunk]

    while ((size -= chunk.byteLength) > 0) {
      chunk = this._next(size)
      chunks.push(chunk)
    }

    return b4a.concat(chunks)
  }

  _next (size) {
    const buf = this.queue.peek()
    const rem = buf.byteLength - this._offset

    if (size >= rem) {
      const sub = this._offset ? buf.subarray(this._offset, buf.byteLength) : buf
      this.queue.shift()
      this._offset = 0
      this.buffered -= rem
      this.shifted += rem
      return sub
    }

    this.buffered -= size
    this.shifted += size

    return buf.subarray(this._offset, (this._offset += size))
  }
}

class Source extends Readable {
  constructor (self, header, offset) {
    super()

    this.header = header
    this.offset = offset

    this._parent = self
  }

  _read (cb) {
    if (this.header.size === 0) {
      this.push(null)
    }
    if (this._parent._stream === this) {
      this._parent._update()
    }
    cb(null)
  }

  _predestroy () {
    this._parent.destroy(getStreamError(this))
  }

  _detach () {
    if (this._parent._stream === this) {
      this._parent._stream = null
      this._parent._missing = overflow(this.header.size)
      this._parent._update()
    }
  }

  _destroy (cb) {
    this._detach()
    cb(null)
  }
}

class Extract extends Writable {
  constructor (opts) {
    super(opts)

    if (!opts) opts = {}

    this._buffer = new BufferList()
    this._offset = 0
    this._header = null
    this._stream = null
    this._missing = 0
    this._longHeader = false
    this._callback = noop
    this._locked = false
    this._finished = false
    this._pax = null
    this._paxGlobal = null
    this._gnuLongPath = null
    this._gnuLongLinkPath = null
    this._filenameEncoding = opts.filenameEncoding || 'utf-8'
    this._allowUnknownFormat = !!opts.allowUnknownFormat
    this._unlockBound = this._unlock.bind(this)
  }

  _unlock (err) {
    this._locked = false

    if (err) {
      this.destroy(err)
      this._continueWrite(err)
      return
    }

    this._update()
  }

  _consumeHeader () {
    if (this._locked) return false

    this._offset = this._buffer.shifted

    try {
      this._header = headers.decode(this._buffer.shift(512), this._filenameEncoding, this._allowUnknownFormat)
    } catch (err) {
      this._continueWrite(err)
      return false
    }

    if (!this._header) return true

    this._header.byteOffset = this._buffer.shifted

    switch (this._header.type) {
      case 'gnu-long-path':
      case 'gnu-long-link-path':
      case 'pax-global-header':
      case 'pax-header':
        this._longHeader = true
        this._missing = this._header.size
        if (this._missing > MAX_HEADER_SIZE) {
          this._continueWrite(new Error('Header exceeds max size'))
          return false
        }
        return true
    }

    this._locked = true
    this._applyLongHeaders()

    if (!(this._header.size >= 0)) {
      this._continueWrite(new Error('Invalid header'))
      return false
    }

    if (this._header.size === 0 || this._header.type === 'directory') {
      this.emit('entry', this._header, this._createStream(), this._unlockBound)
      return true
    }

    this._stream = this._createStream()
    this._missing = this._header.size

    this.emit('entry', this._header, this._stream, this._unlockBound)
    return true
  }

  _applyLongHeaders () {
    if (this._gnuLongPath) {
      this._header.name = this._gnuLongPath
      this._gnuLongPath = null
    }

    if (this._gnuLongLinkPath) {
      this._header.linkname = this._gnuLongLinkPath
      this._gnuLongLinkPath = null
    }

    if (this._pax) {
      if (this._pax.path) this._header.name = this._pax.path
      if (this._pax.linkpath) this._header.linkname = this._pax.linkpath
      if (this._pax.size) this._header.size = parseInt(this._pax.size, 10)
      this._header.pax = this._pax
      this._pax = null
    }
  }

  _decodeLongHeader (buf) {
    switch (this._header.type) {
      case 'gnu-long-path':
        this._gnuLongPath = headers.decodeLongPath(buf, this._filenameEncoding)
        break
      case 'gnu-long-link-path':
        this._gnuLongLinkPath = headers.decodeLongPath(buf, this._filenameEncoding)
        break
      case 'pax-global-header':
        this._paxGlobal = headers.decodePax(buf)
        break
      case 'pax-header':
        this._pax = this._paxGlobal === null
          ? headers.decodePax(buf)
          : Object.assign({}, this._paxGlobal, headers.decodePax(buf))
        break
    }
  }

  _consumeLongHeader () {
    this._longHeader = false
    this._missing = overflow(this._header.size)

    const buf = this._buffer.shift(this._header.size)

    try {
      this._decodeLongHeader(buf)
    } catch (err) {
      this._continueWrite(err)
      return false
    }

    return true
  }

  _consumeStream () {
    const buf = this._buffer.shiftFirst(this._missing)
    if (buf === null) return false

    this._missing -= buf.byteLength
    const drained = this._stream.push(buf)

    if (this._missing === 0) {
      this._stream.push(null)
      if (drained) this._stream._detach()
      return drained && this._locked === false
    }

    return drained
  }

  _createStream () {
    return new Source(this, this._header, this._offset)
  }

  _update () {
    while (this._buffer.buffered > 0 && !this.destroying) {
      if (this._missing > 0) {
        if (this._stream !== null) {
          if (this._consumeStream() === false) return
          continue
        }

        if (this._longHeader === true) {
          if (this._missing > this._buffer.buffered) break
          if (this._consumeLongHeader() === false) return false
          continue
        }

        const ignore = this._buffer.shiftFirst(this._missing)
        if (ignore !== null) this._missing -= ignore.byteLength
        continue
      }

      if (this._buffer.buffered < 512) break
      if (this._stream !== null || this._consumeHeader() === false) return
    }

    this._continueWrite(null)
  }

  _continueWrite (err) {
    const cb = this._callback
    this._callback = noop
    cb(err)
  }

  _write (data, cb) {
    this._callback = cb
    this._buffer.push(data)
    this._update()
  }

  _final (cb) {
    this._finished = this._missing === 0 && this._buffer.buffered === 0
    cb(this._finished ? null : new Error('Unexpected end of data'))
  }

  _predestroy () {
    this._continueWrite(null)
  }

  _destroy (cb) {
    if (this._stream) this._stream.destroy(getStreamError(this))
    cb(null)
  }

  [Symbol.asyncIterator] () {
    let error = null

    let promiseResolve = null
    let promiseReject = null

    let entryStream = null
    let entryCallback = null

    const extract = this

    this.on('entry', onentry)
    this.on('error', (err) => { error = err })
    this.on('close', onclose)

    return {
      [Symbol.asyncIterator] () {
        return this
      },
      next () {
        return new Promise(onnext)
      },
      return () {
        return destroy(null)
      },
      throw (err) {
        return destroy(err)
      }
    }

    function consumeCallback (err) {
      if (!entryCallback) return
      const cb = entryCallback
      entryCallback = null
      cb(err)
    }

    function onnext (resolve, reject) {
      if (error) {
        return reject(error)
      }

      if (entryStream) {
        resolve({ value: entryStream, done: false })
        entryStream = null
        return
      }

      promiseResolve = resolve
      promiseReject = reject

      consumeCallback(null)

      if (extract._finished && promiseResolve) {
        promiseResolve({ value: undefined, done: true })
        promiseResolve = promiseReject = null
      }
    }

    function onentry (header, stream, callback) {
      entryCallback = callback
      stream.on('error', noop) // no way around this due to tick sillyness

      if (promiseResolve) {
        promiseResolve({ value: stream, done: false })
        promiseResolve = promiseReject = null
      } else {
        entryStream = stream
      }
    }

    function onclose () {
      consumeCallback(error)
      if (!promiseResolve) return
      if (error) promiseReject(error)
      else promiseResolve({ value: undefined, done: true })
      promiseResolve = promiseReject = null
    }

    function destroy (err) {
      extract.destroy(err)
      consumeCallback(err)
      return new Promise((resolve, reject) => {
        if (extract.destroyed) return resolve({ value: undefined, done: true })
        extract.once('close', function () {
          if (err) reject(err)
          else resolve({ value: undefined, done: true })
        })
      })
    }
  }
}

module.exports = function extract (opts) {
  return new Extract(opts)
}

function noop () {}

function overflow (size) {
  size &= 511
  return size && 512 - size
}


/***/ }),

/***/ 428:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

const b4a = __nccwpck_require__(57)

const ZEROS = '0000000000000000000'
const SEVENS = '7777777777777777777'
const ZERO_OFFSET = '0'.charCodeAt(0)
const USTAR_MAGIC = b4a.from([0x75, 0x73, 0x74, 0x61, 0x72, 0x00]) // ustar\x00
const USTAR_VER = b4a.from([ZERO_OFFSET, ZERO_OFFSET])
const GNU_MAGIC = b4a.from([0x75, 0x73, 0x74, 0x61, 0x72, 0x20]) // ustar\x20
const GNU_VER = b4a.from([0x20, 0x00])
const MASK = 0o7777
const MAGIC_OFFSET = 257
const VERSION_OFFSET = 263

exports.decodeLongPath = function decodeLongPath (buf, encoding) {
  return decodeStr(buf, 0, buf.length, encoding)
}

exports.encodePax = function encodePax (opts) { // TODO: encode more stuff in pax
  let result = ''
  if (opts.name) result += addLength(' path=' + opts.name + '\n')
  if (opts.linkname) result += addLength(' linkpath=' + opts.linkname + '\n')
  const pax = opts.pax
  if (pax) {
    for (const key in pax) {
      result += addLength(' ' + key + '=' + pax[key] + '\n')
    }
  }
  return b4a.from(result)
}

exports.decodePax = function decodePax (buf) {
  const result = {}

  while (buf.length) {
    let i = 0
    while (i < buf.length && buf[i] !== 32) i++
    const len = parseInt(b4a.toString(buf.subarray(0, i)), 10)
    if (!len) return result

    const b = b4a.toString(buf.subarray(i + 1, len - 1))
    const keyIndex = b.indexOf('=')
    if (keyIndex === -1) return result
    result[b.slice(0, keyIndex)] = b.slice(keyIndex + 1)

    buf = buf.subarray(len)
  }

  return result
}

exports.encode = function encode (opts) {
  const buf = b4a.alloc(512)
  let name = opts.name
  let prefix = ''

  if (opts.typeflag === 5 && name[name.length - 1] !== '/') name += '/'
  if (b4a.byteLength(name) !== name.length) return null // utf-8

  while (b4a.byteLength(name) > 100) {
    const i = name.indexOf('/')
    if (i === -1) return null
    prefix += prefix ? '/' + name.slice(0, i) : name.slice(0, i)
    name = name.slice(i + 1)
  }

  if (b4a.byteLength(name) > 100 || b4a.byteLength(prefix) > 155) return null
  if (opts.linkname && b4a.byteLength(opts.linkname) > 100) return null

  b4a.write(buf, name)
  b4a.write(buf, encodeOct(opts.mode & MASK, 6), 100)
  b4a.write(buf, encodeOct(opts.uid, 6), 108)
  b4a.write(buf, encodeOct(opts.gid, 6), 116)
  encodeSize(opts.size, buf, 124)
  b4a.write(buf, encodeOct((opts.mtime.getTime() / 1000) | 0, 11), 136)

  buf[156] = ZERO_OFFSET + toTypeflag(opts.type)

  if (opts.linkname) b4a.write(buf, opts.linkname, 157)

  b4a.copy(USTAR_MAGIC, buf, MAGIC_OFFSET)
  b4a.copy(USTAR_VER, buf, VERSION_OFFSET)
  if (opts.uname) b4a.write(buf, opts.uname, 265)
  if (opts.gname) b4a.write(buf, opts.gname, 297)
  b4a.write(buf, encodeOct(opts.devmajor || 0, 6), 329)
  b4a.write(buf, encodeOct(opts.devminor || 0, 6), 337)

  if (prefix) b4a.write(buf, prefix, 345)

  b4a.write(buf, encodeOct(cksum(buf), 6), 148)

  return buf
}

exports.decode = function decode (buf, filenameEncoding, allowUnknownFormat) {
  let typeflag = buf[156] === 0 ? 0 : buf[156] - ZERO_OFFSET

  let name = decodeStr(buf, 0, 100, filenameEncoding)
  const mode = decodeOct(buf, 100, 8)
  const uid = decodeOct(buf, 108, 8)
  const gid = decodeOct(buf, 116, 8)
  const size = decodeOct(buf, 124, 12)
  const mtime = decodeOct(buf, 136, 12)
  const type = toType(typeflag)
  const linkname = buf[157] === 0 ? null : decodeStr(buf, 157, 100, filenameEncoding)
  const uname = decodeStr(buf, 265, 32)
  const gname = decodeStr(buf, 297, 32)
  const devmajor = decodeOct(buf, 329, 8)
  const devminor = decodeOct(buf, 337, 8)

  const c = cksum(buf)

  // checksum is still initial value if header was null.
  if (c === 8 * 32) return null

  // valid checksum
  if (c !== decodeOct(buf, 148, 8)) throw new Error('Invalid tar header. Maybe the tar is corrupted or it needs to be gunzipped?')

  if (isUSTAR(buf)) {
    // ustar (posix) format.
    // prepend prefix, if present.
    if (buf[345]) name = decodeStr(buf, 345, 155, filenameEncoding) + '/' + name
  } else if (isGNU(buf)) {
    // 'gnu'/'oldgnu' format. Similar to ustar, but has support for incremental and
    // multi-volume tarballs.
  } else {
    if (!allowUnknownFormat) {
      throw new Error('Invalid tar header: unknown format.')
    }
  }

  // to support old tar versions that use trailing / to indicate dirs
  if (typeflag === 0 && name && name[name.length - 1] === '/') typeflag = 5

  return {
    name,
    mode,
    uid,
    gid,
    size,
    byteOffset: 0,
    mtime: new Date(1000 * mtime),
    type,
    linkname,
    uname,
    gname,
    devmajor,
    devminor,
    pax: null
  }
}

function isUSTAR (buf) {
  return b4a.equals(USTAR_MAGIC, buf.subarray(MAGIC_OFFSET, MAGIC_OFFSET + 6))
}

function isGNU (buf) {
  return b4a.equals(GNU_MAGIC, buf.subarray(MAGIC_OFFSET, MAGIC_OFFSET + 6)) &&
    b4a.equals(GNU_VER, buf.subarray(VERSION_OFFSET, VERSION_OFFSET + 2))
}

function clamp (index, len, defaultValue) {
  if (typeof index !== 'number') return defaultValue
  index = ~~index // Coerce to integer.
  if (index >= len) return len
  if (index >= 0) return index
  index += len
  if (index >= 0) return index
  return 0
}

function toType (flag) {
  switch (flag) {
    case 0:
      return 'file'
    case 1:
      return 'link'
    case 2:
      return 'symlink'
    case 3:
      return 'character-device'
    case 4:
      return 'block-device'
    case 5:
      return 'directory'
    case 6:
      return 'fifo'
    case 7:
      return 'contiguous-file'
    case 72:
      return 'pax-header'
    case 55:
      return 'pax-global-header'
    case 27:
      return 'gnu-long-link-path'
    case 28:
    case 30:
      return 'gnu-long-path'
  }

  return null
}

function toTypeflag (flag) {
  switch (flag) {
    case 'file':
      return 0
    case 'link':
      return 1
    case 'symlink':
      return 2
    case 'character-device':
      return 3
    case 'block-device':
      return 4
    case 'directory':
      return 5
    case 'fifo':
      return 6
    case 'contiguous-file':
      return 7
    case 'pax-header':
      return 72
  }

  return 0
}

function indexOf (block, num, offset, end) {
  for (; offset < end; offset++) {
    if (block[offset] === num) return offset
  }
  return end
}

function cksum (block) {
  let sum = 8 * 32
  for (let i = 0; i < 148; i++) sum += block[i]
  for (let j = 156; j < 512; j++) sum += block[j]
  return sum
}

function encodeOct (val, n) {
  val = val.toString(8)
  if (val.length > n) return SEVENS.slice(0, n) + ' '
  return ZEROS.slice(0, n - val.length) + val + ' '
}

function encodeSizeBin (num, buf, off) {
  buf[off] = 0x80
  for (let i = 11; i > 0; i--) {
    buf[off + i] = num & 0xff
    num = Math.floor(num / 0x100)
  }
}

function encodeSize (num, buf, off) {
  if (num.toString(8).length > 11) {
    encodeSizeBin(num, buf, off)
  } else {
    b4a.write(buf, encodeOct(num, 11), off)
  }
}

/* Copied from the node-tar repo and modified to meet
 * tar-stream coding standard.
 *
 * Source: https://github.com/npm/node-tar/blob/51b6627a1f357d2eb433e7378e5f05e83b7aa6cd/lib/header.js#L349
 */
function parse256 (buf) {
  // first byte MUST be either 80 or FF
  // 80 for positive, FF for 2's comp
  let positive
  if (buf[0] === 0x80) positive = true
  else if (buf[0] === 0xFF) positive = false
  else return null

  // build up a base-256 tuple from the least sig to the highest
  const tuple = []
  let i
  for (i = buf.length - 1; i > 0; i--) {
    const byte = buf[i]
    if (positive) tuple.push(byte)
    else tuple.push(0xFF - byte)
  }

  let sum = 0
  const l = tuple.length
  for (i = 0; i < l; i++) {
    sum += tuple[i] * Math.pow(256, i)
  }

  return positive ? sum : -1 * sum
}

function decodeOct (val, offset, length) {
  val = val.subarray(offset, offset + length)
  offset = 0

  // If prefixed with 0x80 then parse as a base-256 integer
  if (val[offset] & 0x80) {
    return parse256(val)
  } else {
    // Older versions of tar can prefix with spaces
    while (offset < val.length && val[offset] === 32) offset++
    const end = clamp(indexOf(val, 32, offset, val.length), val.length, val.length)
    while (offset < end && val[offset] === 0) offset++
    if (end === offset) return 0
    return parseInt(b4a.toString(val.subarray(offset, end)), 8)
  }
}

function decodeStr (val, offset, length, encoding) {
  return b4a.toString(val.subarray(offset, indexOf(val, 0, offset, offset + length)), encoding)
}

function addLength (str) {
  const len = b4a.byteLength(str)
  let digits = Math.floor(Math.log(len) / Math.log(10)) + 1
  if (len + digits >= Math.pow(10, digits)) digits++

  return (len + digits) + str
}


/***/ }),

/***/ 118:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

exports.extract = __nccwpck_require__(763)
exports.pack = __nccwpck_require__(861)


/***/ }),

/***/ 861:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

const { Readable, Writable, getStreamError } = __nccwpck_require__(204)
const b4a = __nccwpck_require__(57)

const constants = __nccwpck_require__(775)
const headers = __nccwpck_require__(428)

const DMODE = 0o755
const FMODE = 0o644

const END_OF_TAR = b4a.alloc(1024)

class Sink extends Writable {
  constructor (pack, header, callback) {
    super({ mapWritable, eagerOpen: true })

    this.written = 0
    this.header = header

    this._callback = callback
    this._linkname = null
    this._isLinkname = header.type === 'symlink' && !header.linkname
    this._isVoid = header.type !== 'file' && header.type !== 'contiguous-file'
    this._finished = false
    this._pack = pack
    this._openCallback = null

    if (this._pack._stream === null) this._pack._stream = this
    else this._pack._pending.push(this)
  }

  _open (cb) {
    this._openCallback = cb
    if (this._pack._stream === this) this._continueOpen()
  }

  _continuePack (err) {
    if (this._callback === null) return

    const callback = this._callback
    this._callback = null

    callback(err)
  }

  _continueOpen () {
    if (this._pack._stream === null) this._pack._stream = this

    const cb = this._openCallback
    this._openCallback = null
    if (cb === null) return

    if (this._pack.destroying) return cb(new Error('pack stream destroyed'))
    if (this._pack._finalized) return cb(new Error('pack stream is already finalized'))

    this._pack._stream = this

    if (!this._isLinkname) {
      this._pack._encode(this.header)
    }

    if (this._isVoid) {
      this._finish()
      this._continuePack(null)
    }

    cb(null)
  }

  _write (data, cb) {
    if (this._isLinkname) {
      this._linkname = this._linkname ? b4a.concat([this._linkname, data]) : data
      return cb(null)
    }

    if (this._isVoid) {
      if (data.byteLength > 0) {
        return cb(new Error('No body allowed for this entry'))
      }
      return cb()
    }

    this.written += data.byteLength
    if (this._pack.push(data)) return cb()
    this._pack._drain = cb
  }

  _finish () {
    if (this._finished) return
    this._finished = true

    if (this._isLinkname) {
      this.header.linkname = this._linkname ? b4a.toString(this._linkname, 'utf-8') : ''
      this._pack._encode(this.header)
    }

    overflow(this._pack, this.header.size)

    this._pack._done(this)
  }

  _final (cb) {
    if (this.written !== this.header.size) { // corrupting tar
      return cb(new Error('Size mismatch'))
    }

    this._finish()
    cb(null)
  }

  _getError () {
    return getStreamError(this) || new Error('tar entry destroyed')
  }

  _predestroy () {
    this._pack.destroy(this._getError())
  }

  _destroy (cb) {
    this._pack._done(this)

    this._continuePack(this._finished ? null : this._getError())

    cb()
  }
}

class Pack extends Readable {
  constructor (opts) {
    super(opts)
    this._drain = noop
    this._finalized = false
    this._finalizing = false
    this._pending = []
    this._stream = null
  }

  entry (header, buffer, callback) {
    if (this._finalized || this.destroying) throw new Error('already finalized or destroyed')

    if (typeof buffer === 'function') {
      callback = buffer
      buffer = null
    }

    if (!callback) callback = noop

    if (!header.size || header.type === 'symlink') header.size = 0
    if (!header.type) header.type = modeToType(header.mode)
    if (!header.mode) header.mode = header.type === 'directory' ? DMODE : FMODE
    if (!header.uid) header.uid = 0
    if (!header.gid) header.gid = 0
    if (!header.mtime) header.mtime = new Date()

    if (typeof buffer === 'string') buffer = b4a.from(buffer)

    const sink = new Sink(this, header, callback)

    if (b4a.isBuffer(buffer)) {
      header.size = buffer.byteLength
      sink.write(buffer)
      sink.end()
      return sink
    }

    if (sink._isVoid) {
      return sink
    }

    return sink
  }

  finalize () {
    if (this._stream || this._pending.length > 0) {
      this._finalizing = true
      return
    }

    if (this._finalized) return
    this._finalized = true

    this.push(END_OF_TAR)
    this.push(null)
  }

  _done (stream) {
    if (stream !== this._stream) return

    this._stream = null

    if (this._finalizing) this.finalize()
    if (this._pending.length) this._pending.shift()._continueOpen()
  }

  _encode (header) {
    if (!header.pax) {
      const buf = headers.encode(header)
      if (buf) {
        this.push(buf)
        return
      }
    }
    this._encodePax(header)
  }

  _encodePax (header) {
    const paxHeader = headers.encodePax({
      name: header.name,
      linkname: header.linkname,
      pax: header.pax
    })

    const newHeader = {
      name: 'PaxHeader',
      mode: header.mode,
      uid: header.uid,
      gid: header.gid,
      size: paxHeader.byteLength,
      mtime: header.mtime,
      type: 'pax-header',
      linkname: header.linkname && 'PaxHeader',
      uname: header.uname,
      gname: header.gname,
      devmajor: header.devmajor,
      devminor: header.devminor
    }

    this.push(headers.encode(newHeader))
    this.push(paxHeader)
    overflow(this, paxHeader.byteLength)

    newHeader.size = header.size
    newHeader.type = header.type
    this.push(headers.encode(newHeader))
  }

  _doDrain () {
    const drain = this._drain
    this._drain = noop
    drain()
  }

  _predestroy () {
    const err = getStreamError(this)

    if (this._stream) this._stream.destroy(err)

    while (this._pending.length) {
      const stream = this._pending.shift()
      stream.destroy(err)
      stream._continueOpen()
    }

    this._doDrain()
  }

  _read (cb) {
    this._doDrain()
    cb()
  }
}

module.exports = function pack (opts) {
  return new Pack(opts)
}

function modeToType (mode) {
  switch (mode & constants.S_IFMT) {
    case constants.S_IFBLK: return 'block-device'
    case constants.S_IFCHR: return 'character-device'
    case constants.S_IFDIR: return 'directory'
    case constants.S_IFIFO: return 'fifo'
    case constants.S_IFLNK: return 'symlink'
  }

  return 'file'
}

function noop () {}

function overflow (self, size) {
  size &= 511
  if (size) self.push(END_OF_TAR.subarray(0, 512 - size))
}

function mapWritable (buf) {
  return b4a.isBuffer(buf) ? buf : b4a.from(buf)
}


/***/ }),

/***/ 934:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

const PassThroughDecoder = __nccwpck_require__(256)
const UTF8Decoder = __nccwpck_require__(414)

module.exports = class TextDecoder {
  constructor(encoding = 'utf8') {
    this.encoding = normalizeEncoding(encoding)

    switch (this.encoding) {
      case 'utf8':
        this.decoder = new UTF8Decoder()
        break
      case 'utf16le':
      case 'base64':
        throw new Error('Unsupported encoding: ' + this.encoding)
      default:
        this.decoder = new PassThroughDecoder(this.encoding)
    }
  }

  get remaining() {
    return this.decoder.remaining
  }

  push(data) {
    if (typeof data === 'string') return data
    return this.decoder.decode(data)
  }

  // For Node.js compatibility
  write(data) {
    return this.push(data)
  }

  end(data) {
    let result = ''
    if (data) result = this.push(data)
    result += this.decoder.flush()
    return result
  }
}

function normalizeEncoding(encoding) {
  encoding = encoding.toLowerCase()

  switch (encoding) {
    case 'utf8':
    case 'utf-8':
      return 'utf8'
    case 'ucs2':
    case 'ucs-2':
    case 'utf16le':
    case 'utf-16le':
      return 'utf16le'
    case 'latin1':
    case 'binary':
      return 'latin1'
    case 'base64':
    case 'ascii':
    case 'hex':
      return encoding
    default:
      throw new Error('Unknown encoding: ' + encoding)
  }
}


/***/ }),

/***/ 256:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

const b4a = __nccwpck_require__(57)

module.exports = class PassThroughDecoder {
  constructor(encoding) {
    this.encoding = encoding
  }

  get remaining() {
    return 0
  }

  decode(data) {
    return b4a.toString(data, this.encoding)
  }

  flush() {
    return ''
  }
}


/***/ }),

/***/ 414:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

const b4a = __nccwpck_require__(57)

/**
 * https://encoding.spec.whatwg.org/#utf-8-decoder
 */
module.exports = class UTF8Decoder {
  constructor() {
    this._reset()
  }

  get remaining() {
    return this.bytesSeen
  }

  decode(data) {
    if (data.byteLength === 0) return ''

    if (this.bytesNeeded === 0 && trailingIncomplete(data, 0) === 0) {
      this.bytesSeen = trailingBytesSeen(data)
      return b4a.toString(data, 'utf8')
    }

    let result = ''
    let start = 0

    if (this.bytesNeeded > 0) {
      while (start < data.byteLength) {
        const byte = data[start]

        if (byte < this.lowerBoundary || byte > this.upperBoundary) {
          result += '\ufffd'
          this._reset()
          break
        }

        this.lowerBoundary = 0x80
        this.upperBoundary = 0xbf
        this.codePoint = (this.codePoint << 6) | (byte & 0x3f)
        this.bytesSeen++
        start++

        if (this.bytesSeen === this.bytesNeeded) {
          result += String.fromCodePoint(this.codePoint)
          this._reset()
          break
        }
      }

      if (this.bytesNeeded > 0) return result
    }

    const trailing = trailingIncomplete(data, start)
    const end = data.byteLength - trailing

    if (end > start) result += b4a.toString(data, 'utf8', start, end)

    for (let i = end; i < data.byteLength; i++) {
      const byte = data[i]

      if (this.bytesNeeded === 0) {
        if (byte <= 0x7f) {
          this.bytesSeen = 0
          result += String.fromCharCode(byte)
        } else if (byte >= 0xc2 && byte <= 0xdf) {
          this.bytesNeeded = 2
          this.bytesSeen = 1
          this.codePoint = byte & 0x1f
        } else if (byte >= 0xe0 && byte <= 0xef) {
          if (byte === 0xe0) this.lowerBoundary = 0xa0
          else if (byte === 0xed) this.upperBoundary = 0x9f
          this.bytesNeeded = 3
          this.bytesSeen = 1
          this.codePoint = byte & 0xf
        } else if (byte >= 0xf0 && byte <= 0xf4) {
          if (byte === 0xf0) this.lowerBoundary = 0x90
          else if (byte === 0xf4) this.upperBoundary = 0x8f
          this.bytesNeeded = 4
          this.bytesSeen = 1
          this.codePoint = byte & 0x7
        } else {
          this.bytesSeen = 1
          result += '\ufffd'
        }

        continue
      }

      if (byte < this.lowerBoundary || byte > this.upperBoundary) {
        result += '\ufffd'
        i--
        this._reset()

        continue
      }

      this.lowerBoundary = 0x80
      this.upperBoundary = 0xbf

      this.codePoint = (this.codePoint << 6) | (byte & 0x3f)
      this.bytesSeen++

      if (this.bytesSeen === this.bytesNeeded) {
        result += String.fromCodePoint(this.codePoint)
        this._reset()
      }
    }

    return result
  }

  flush() {
    const result = this.bytesNeeded > 0 ? '\ufffd' : ''
    this._reset()
    return result
  }

  _reset() {
    this.codePoint = 0
    this.bytesNeeded = 0
    this.bytesSeen = 0
    this.lowerBoundary = 0x80
    this.upperBoundary = 0xbf
  }
}

function trailingIncomplete(data, start) {
  const len = data.byteLength
  if (len <= start) return 0

  const limit = Math.max(start, len - 4)

  let i = len - 1
  while (i > limit && (data[i] & 0xc0) === 0x80) i--

  if (i < start) return 0

  const byte = data[i]

  let needed
  if (byte <= 0x7f) return 0
  if (byte >= 0xc2 && byte <= 0xdf) needed = 2
  else if (byte >= 0xe0 && byte <= 0xef) needed = 3
  else if (byte >= 0xf0 && byte <= 0xf4) needed = 4
  else return 0

  const available = len - i
  return available < needed ? available : 0
}

function trailingBytesSeen(data) {
  const len = data.byteLength
  if (len === 0) return 0

  const last = data[len - 1]

  if (last <= 0x7f) return 0
  if ((last & 0xc0) !== 0x80) return 1

  const limit = Math.max(0, len - 4)

  let i = len - 2
  while (i >= limit && (data[i] & 0xc0) === 0x80) i--

  if (i < 0) return 1

  const first = data[i]

  let needed
  if (first >= 0xc2 && first <= 0xdf) needed = 2
  else if (first >= 0xe0 && first <= 0xef) needed = 3
  else if (first >= 0xf0 && first <= 0xf4) needed = 4
  else return 1

  if (len - i !== needed) return 1

  if (needed >= 3) {
    const second = data[i + 1]
    if (first === 0xe0 && second < 0xa0) return 1
    if (first === 0xed && second > 0x9f) return 1
    if (first === 0xf0 && second < 0x90) return 1
    if (first === 0xf4 && second > 0x8f) return 1
  }

  return 0
}


/***/ }),

/***/ 434:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("events");

/***/ }),

/***/ 896:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("fs");

/***/ }),

/***/ 692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:tls");

/***/ }),

/***/ 363:
/***/ ((__webpack_module__, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(__webpack_module__, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var _delta_cli_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(670);
/** The kedge delta command (dist/delta/index.js, npm run delta); see delta/cli.ts. */

process.exitCode = await (0,_delta_cli_js__WEBPACK_IMPORTED_MODULE_0__/* .deltaMain */ .Y)(process.argv.slice(2));
//# sourceMappingURL=kedge-delta.js.map
__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 670:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  Y: () => (/* binding */ deltaMain)
});

;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");
;// CONCATENATED MODULE: external "node:util"
const external_node_util_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");
;// CONCATENATED MODULE: external "node:crypto"
const external_node_crypto_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");
;// CONCATENATED MODULE: ./packages/oci/lib/reference.js
/**
 * Image references, parsed and normalized as Docker does:
 *   eclipse-mosquitto:2.0 -> docker.io/library/eclipse-mosquitto:2.0
 * A first path component holding '.' or ':', equal to 'localhost', or with upper-case
 * letters names the registry; otherwise the registry is docker.io, and a single-component
 * name there gets 'library/'. No tag and no digest means ':latest'.
 */
const DOCKER_HUB = 'docker.io';
/** The API host behind docker.io. */
const DOCKER_HUB_API = 'registry-1.docker.io';
class ReferenceError extends Error {
    reference;
    constructor(reference, reason) {
        super(`invalid image reference "${reference}": ${reason}`);
        this.reference = reference;
        this.name = 'ReferenceError';
    }
}
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
function parseReference(input) {
    const ref = input.trim();
    if (ref === '')
        throw new ReferenceError(input, 'it is empty');
    if (/\s/.test(ref))
        throw new ReferenceError(input, 'it contains white space');
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref)) {
        throw new ReferenceError(input, 'give a reference, not a URL (drop the scheme)');
    }
    let rest = ref;
    let digest;
    const at = rest.indexOf('@');
    if (at >= 0) {
        digest = rest.slice(at + 1);
        rest = rest.slice(0, at);
        if (!DIGEST.test(digest)) {
            throw new ReferenceError(input, `digest "${digest}" is not sha256:<64 lower-case hex digits>`);
        }
    }
    let tag;
    const lastSlash = rest.lastIndexOf('/');
    const colon = rest.lastIndexOf(':');
    if (colon > lastSlash) {
        tag = rest.slice(colon + 1);
        rest = rest.slice(0, colon);
        if (!TAG.test(tag)) {
            throw new ReferenceError(input, `tag "${tag}" is not valid (letters, digits, _ . -; at most 128)`);
        }
    }
    let registry = DOCKER_HUB;
    let path = rest;
    const slash = rest.indexOf('/');
    if (slash >= 0) {
        const first = rest.slice(0, slash);
        if (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first) {
            registry = first;
            path = rest.slice(slash + 1);
            if (!DOMAIN.test(registry)) {
                throw new ReferenceError(input, `registry "${registry}" is not a valid host[:port]`);
            }
            const port = registry.includes(':') ? Number(registry.slice(registry.indexOf(':') + 1)) : 1;
            if (port < 1 || port > 65535) {
                throw new ReferenceError(input, `registry "${registry}" has port ${port}; a port is a number from 1 to 65535`);
            }
        }
    }
    if (registry === 'index.docker.io')
        registry = DOCKER_HUB;
    if (path === '')
        throw new ReferenceError(input, 'the repository name is missing');
    if (registry === DOCKER_HUB && !path.includes('/'))
        path = `library/${path}`;
    for (const component of path.split('/')) {
        if (!COMPONENT.test(component)) {
            const why = component.toLowerCase() !== component
                ? 'repository names must be lower-case'
                : 'use lower-case letters, digits and separators . _ __ -';
            throw new ReferenceError(input, `path component "${component}" is not valid: ${why}`);
        }
    }
    if (`${registry}/${path}`.length > 255) {
        throw new ReferenceError(input, 'the name is longer than 255 characters');
    }
    if (tag === undefined && digest === undefined)
        tag = 'latest';
    return { registry, repository: path, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}
/** registry/repository, without tag or digest. */
function repositoryName(ref) {
    return `${ref.registry}/${ref.repository}`;
}
/** The full normalized reference: registry/repository[:tag][@digest]. */
function formatReference(ref) {
    return `${repositoryName(ref)}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}
/** The manifest reference to ask the registry for: the digest when pinned, else the tag. */
function manifestReference(ref) {
    return ref.digest ?? ref.tag ?? 'latest';
}
/**
 * A file name for a per-image archive, as the operator docs name them:
 * docker.io/kubeedge/cloudcore:v1.22.0 -> docker.io-kubeedge-cloudcore-v1.22.0.tar
 */
function archiveFileName(ref) {
    const version = ref.tag ?? ref.digest?.replace(':', '-') ?? 'latest';
    return `${ref.registry}/${ref.repository}-${version}.tar`.replace(/[/:@]/g, '-');
}
//# sourceMappingURL=reference.js.map
;// CONCATENATED MODULE: ./packages/oci/lib/auth.js
/**
 * Registry credentials and the token flow.
 * Credentials come from action inputs (one registry) or a docker config.json `auths` map;
 * they are looked up by the host actually contacted, so they never go to another registry.
 */

/** Canonical host for credential lookup: scheme and path dropped, Docker Hub aliases folded. */
function credentialHost(key) {
    let host = key.trim().replace(/^[a-z]+:\/\//i, '');
    host = host.split('/')[0] ?? host;
    host = host.toLowerCase();
    if (host === 'index.docker.io' || host === DOCKER_HUB_API || host === 'registry.hub.docker.com') {
        return DOCKER_HUB;
    }
    return host;
}
class CredentialStore {
    byHost = new Map();
    set(host, credential) {
        this.byHost.set(credentialHost(host), credential);
    }
    get(host) {
        return this.byHost.get(credentialHost(host));
    }
    get size() {
        return this.byHost.size;
    }
    /** Every secret held, for masking in logs. */
    secrets() {
        return [...this.byHost.values()].flatMap(c => [
            c.password,
            Buffer.from(`${c.username}:${c.password}`).toString('base64')
        ]);
    }
    /**
     * Adds the `auths` entries of a docker config.json. `source` names it in errors.
     * Entries given as `auth` (base64 user:password) or as username/password are read;
     * credential helpers (credsStore, credHelpers) cannot run here and are reported.
     */
    addDockerConfig(content, source) {
        let doc;
        try {
            doc = JSON.parse(content);
        }
        catch (err) {
            throw new Error(`registry-auth (${source}) is not valid JSON: ${err.message}`, {
                cause: err
            });
        }
        if (typeof doc !== 'object' || doc === null) {
            throw new Error(`registry-auth (${source}) must be a JSON object with an "auths" map`);
        }
        const notes = [];
        const { auths, credsStore, credHelpers } = doc;
        if (credsStore || credHelpers) {
            notes.push(`registry-auth (${source}) names credential helpers; kedge reads only "auths" entries`);
        }
        for (const [key, entry] of Object.entries(auths ?? {})) {
            let username = entry.username;
            let password = entry.password;
            if (entry.auth) {
                const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
                const colon = decoded.indexOf(':');
                if (colon < 0) {
                    throw new Error(`registry-auth (${source}): auths["${key}"].auth is not base64 of "user:password"`);
                }
                username = decoded.slice(0, colon);
                password = decoded.slice(colon + 1);
            }
            if (username && password)
                this.set(key, { username, password });
        }
        return notes;
    }
}
function basicAuth(c) {
    return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}
/** Parses `WWW-Authenticate: Bearer realm="...",service="...",scope="..."`. */
function parseChallenge(header) {
    if (!header)
        return undefined;
    const match = /^\s*(\w+)\s*(.*)$/.exec(header);
    if (!match)
        return undefined;
    const params = {};
    for (const m of (match[2] ?? '').matchAll(/(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
        const key = m[1];
        if (key)
            params[key.toLowerCase()] = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1');
    }
    return { scheme: (match[1] ?? '').toLowerCase(), params };
}
//# sourceMappingURL=auth.js.map
;// CONCATENATED MODULE: ./packages/oci/lib/errors.js
/** Error helpers: recognizing errors across realms and saying what went wrong. */

/** True for any Error, also one made in another realm (Node's own fetch, a vm context). */
function isError(value) {
    return value instanceof Error || external_node_util_namespaceObject.types.isNativeError(value);
}
/**
 * A network error with its causes, which Node's fetch hides behind "fetch failed":
 * "fetch failed: connect ECONNREFUSED 127.0.0.1:1 (ECONNREFUSED)".
 */
function describeError(err) {
    const parts = [];
    let current = err;
    for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
        if (!isError(current)) {
            parts.push(typeof current === 'string' ? current : (0,external_node_util_namespaceObject.inspect)(current));
            break;
        }
        const code = current.code;
        const text = current.message +
            (typeof code === 'string' && !current.message.includes(code) ? ` (${code})` : '');
        const tidy = text.replace(/\s+/g, ' ').trim();
        if (tidy && !parts.includes(tidy))
            parts.push(tidy);
        // A CertificateError's message already says what its cause does.
        if (current instanceof CertificateError)
            break;
        current = current.cause;
    }
    return parts.join(': ');
}
/**
 * A hint for a scheme mismatch: TLS spoken to a plain-HTTP server, or plain HTTP to an
 * HTTPS one (a registry listed in insecure-registries that serves HTTPS: Go's server then
 * answers 400 "Client sent an HTTP request to an HTTPS server.").
 */
function tlsHint(description, host) {
    if (/EPROTO|wrong version number|packet length too long|ERR_SSL/i.test(description)) {
        return `; if ${host} serves plain HTTP, list it in insecure-registries`;
    }
    if (/HTTP request to an HTTPS server/i.test(description)) {
        return `; ${host} serves HTTPS: take it out of insecure-registries (a private CA or a self-signed certificate is trusted through NODE_EXTRA_CA_CERTS)`;
    }
    return '';
}
/** OpenSSL's verdicts on a chain no trusted CA vouches for (a private CA, a self-signed one). */
const UNTRUSTED = new Set([
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'UNABLE_TO_GET_ISSUER_CERT',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'CERT_UNTRUSTED'
]);
const NOT_NOW = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
/** The other verdicts on a server's certificate (node's tls and OpenSSL's X509_V_ERR names). */
const REJECTED = new Set([
    'ERR_TLS_CERT_ALTNAME_INVALID',
    'HOSTNAME_MISMATCH',
    'IP_ADDRESS_MISMATCH',
    'CERT_REVOKED',
    'CERT_REJECTED',
    'CERT_SIGNATURE_FAILURE',
    'CERT_CHAIN_TOO_LONG',
    'INVALID_CA',
    'INVALID_PURPOSE',
    'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
    'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
    'ERROR_IN_CERT_NOT_BEFORE_FIELD',
    'ERROR_IN_CERT_NOT_AFTER_FIELD',
    'CA_KEY_TOO_SMALL',
    'EE_KEY_TOO_SMALL',
    'CA_MD_TOO_WEAK'
]);
/** True when `err` is node refusing a server's certificate (by its code). */
function refusesCertificate(err) {
    const code = err?.code;
    return (typeof code === 'string' && (UNTRUSTED.has(code) || NOT_NOW.has(code) || REJECTED.has(code)));
}
/**
 * A server's TLS certificate was refused. The message names the host and says what to do;
 * `code` is node's (DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED, ...). Not worth a retry.
 */
class CertificateError extends Error {
    host;
    code;
    constructor(host, cause) {
        super(certificateMessage(host, cause), { cause });
        this.host = host;
        this.name = 'CertificateError';
        this.code = cause.code;
    }
}
function certificateMessage(host, cause) {
    const why = `${cause.message.replace(/\s+/g, ' ').trim()}, ${cause.code}`;
    if (UNTRUSTED.has(cause.code)) {
        const extra = process.env.NODE_EXTRA_CA_CERTS;
        const trust = extra
            ? `NODE_EXTRA_CA_CERTS (${extra}) holds no CA that signed it: put the registry's CA certificate (or its self-signed certificate) there`
            : `if the registry uses a private CA or a self-signed certificate, set NODE_EXTRA_CA_CERTS to a PEM file holding it (node reads it at start-up: set it in the step's env)`;
        return `the TLS certificate of ${host} is not trusted (${why}): ${trust}; insecure-registries is only for registries that serve plain HTTP`;
    }
    if (NOT_NOW.has(cause.code)) {
        return `the TLS certificate of ${host} is not valid now (${why}): renew it on the registry, or check this machine's clock`;
    }
    return `the TLS certificate of ${host} is refused (${why})`;
}
/** `err` as a CertificateError for `host` when it is node refusing a certificate; else undefined. */
function certificateError(err, host) {
    if (err instanceof CertificateError)
        return err;
    if (!isError(err) || !refusesCertificate(err))
        return undefined;
    return new CertificateError(host, err);
}
/** A refused certificate, anywhere in the cause chain: retrying will not change it. */
function isCertificateError(err) {
    let current = err;
    for (let depth = 0; depth < 4 && isError(current); depth++) {
        if (current instanceof CertificateError || refusesCertificate(current))
            return true;
        current = current.cause;
    }
    return false;
}
/**
 * A proxy's refusal to tunnel or forward (an answer to CONNECT other than 200). 407 and 403
 * are `permanent` (credentials or policy: retrying will not change them); a 502 or 504 (the
 * proxy could not reach the registry) is retried like any network failure.
 */
class ProxyRefusal extends Error {
    status;
    constructor(message, status) {
        super(message);
        this.status = status;
        this.name = 'ProxyRefusal';
    }
    get permanent() {
        return this.status === 407 || this.status === 403;
    }
}
/** A proxy setting (HTTPS_PROXY and the like) that cannot be used as it is. */
class ProxySettingError extends Error {
    name = 'ProxySettingError';
}
/** Retrying will not help: a refused certificate, a proxy refusing for good or unusable. */
function isPermanentError(err) {
    let current = err;
    for (let depth = 0; depth < 4 && isError(current); depth++) {
        if (current instanceof ProxyRefusal && current.permanent)
            return true;
        if (current instanceof ProxySettingError)
            return true;
        current = current.cause;
    }
    return isCertificateError(err);
}
//# sourceMappingURL=errors.js.map
;// CONCATENATED MODULE: external "node:net"
const external_node_net_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");
;// CONCATENATED MODULE: ./packages/oci/lib/proxy.js
/**
 * Which HTTP proxy a registry request goes through, from the environment, as docker,
 * containerd and skopeo read it (Go's httpproxy rules): `https_proxy`/`HTTPS_PROXY` for
 * https URLs, `http_proxy`/`HTTP_PROXY` for http ones, the lower-case name first, and
 * `no_proxy`/`NO_PROXY` for the hosts that go direct. Loopback never goes through a proxy.
 */


/** The proxy for `url` (an http:// URL, maybe with user:password), or undefined for direct. */
function proxyFor(url, env = process.env) {
    const names = url.protocol === 'https:' ? ['https_proxy', 'HTTPS_PROXY'] : ['http_proxy', 'HTTP_PROXY'];
    const name = names.find(n => env[n]?.trim());
    const setting = name ? (env[name] ?? '').trim() : '';
    if (!name || !setting)
        return undefined;
    const { host: literal, port } = endpoint(url);
    const host = literal.toLowerCase();
    if (isLoopback(host) || bypassed(host, String(port), env.no_proxy ?? env.NO_PROXY ?? '')) {
        return undefined;
    }
    return parseProxy(name, setting);
}
/** `user:password@` of a proxy URL as a Proxy-Authorization value, or undefined. */
function proxyAuthorization(proxy) {
    if (!proxy.username && !proxy.password)
        return undefined;
    const pair = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
    return `Basic ${Buffer.from(pair).toString('base64')}`;
}
/** The proxy as it may be shown in logs and errors: no user or password. */
function proxyLabel(proxy) {
    return `http://${proxy.host}`;
}
/** A URL's host (brackets off an IPv6 literal) and port (the scheme's when none is given). */
function endpoint(url) {
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    return { host: url.hostname.replace(/^\[|\]$/g, ''), port };
}
/**
 * A proxy setting as a URL; "proxy.example:3128" without a scheme means http://, as curl
 * and Go take it. Throws (TypeError) when it does not parse.
 */
function proxyUrl(setting) {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(setting) ? setting : `http://${setting}`);
}
/** What a proxy's refusal of `what` (CONNECT host:port, or GET url) means, and what to do. */
function refusal(proxy, what, status, statusLine) {
    const answer = statusLine.trim() || 'no status line';
    let advice = 'retry later, or ask the proxy admin';
    if (status === 407) {
        advice = proxy.username
            ? 'it refused the user and password in the proxy URL: check them'
            : 'it wants credentials: set the proxy URL to http://user:password@host:port';
    }
    else if (status === 403) {
        advice = `it does not allow this: ask the proxy admin, or list the host in NO_PROXY if it is reached directly`;
    }
    return new ProxyRefusal(`proxy ${proxyLabel(proxy)} refused ${what} (${answer}): ${advice}`, status);
}
function parseProxy(name, setting) {
    let proxy;
    try {
        proxy = proxyUrl(setting);
    }
    catch {
        throw new ProxySettingError(`${name} is not a proxy URL: use http://host:port (or http://user:password@host:port)`);
    }
    try {
        decodeURIComponent(proxy.username + proxy.password);
    }
    catch {
        throw new ProxySettingError(`${name}: the user or password is not percent-encoded: write a % in them as %25`);
    }
    if (proxy.protocol !== 'http:') {
        throw new ProxySettingError(`${name}: ${proxy.protocol}// proxies are not supported; use an http:// proxy (HTTPS to the registry is tunnelled through it with CONNECT)`);
    }
    return proxy;
}
function isLoopback(host) {
    if (host === 'localhost' || host.endsWith('.localhost'))
        return true;
    if ((0,external_node_net_namespaceObject.isIP)(host) === 4)
        return host.startsWith('127.');
    return host === '::1';
}
/**
 * NO_PROXY: comma- or space-separated entries. `*` matches every host; an IP or a CIDR
 * block matches addresses; a name matches itself and its subdomains (a leading dot or
 * `*.` too); an entry with `:port` matches that port only.
 */
function bypassed(host, port, noProxy) {
    for (const raw of noProxy.split(/[\s,]+/)) {
        const entry = raw.trim().toLowerCase();
        if (!entry)
            continue;
        if (entry === '*')
            return true;
        if (entry.includes('/')) {
            if (inBlock(host, entry))
                return true;
            continue;
        }
        const [name, entryPort] = splitPort(entry);
        if (entryPort && entryPort !== port)
            continue;
        const bare = name.replace(/^\*?\./, '');
        if (host === bare || host.endsWith(`.${bare}`))
            return true;
    }
    return false;
}
function splitPort(entry) {
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed)
        return [bracketed[1] ?? '', bracketed[2]];
    if ((0,external_node_net_namespaceObject.isIP)(entry) === 6)
        return [entry, undefined];
    const m = /^(.*):(\d+)$/.exec(entry);
    return m ? [m[1] ?? '', m[2]] : [entry, undefined];
}
function inBlock(host, cidr) {
    const family = (0,external_node_net_namespaceObject.isIP)(host);
    const [network = '', bits = ''] = cidr.split('/');
    if (!family || (0,external_node_net_namespaceObject.isIP)(network) !== family || !/^\d+$/.test(bits))
        return false;
    const list = new external_node_net_namespaceObject.BlockList();
    try {
        list.addSubnet(network, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
    }
    catch {
        return false;
    }
    return list.check(host, family === 4 ? 'ipv4' : 'ipv6');
}
//# sourceMappingURL=proxy.js.map
;// CONCATENATED MODULE: ./packages/oci/lib/http-framing.js
/**
 * Where an HTTP/1.1 response's body lies in the bytes a connection reads (RFC 9112 §6):
 * a Content-Length, chunked transfer coding, or everything up to the close. The decoder
 * hands out views of the bytes it is given, copying nothing; wire.ts feeds it one read at
 * a time.
 */
class FramingError extends Error {
    constructor(message) {
        super(message);
        this.name = 'FramingError';
    }
}
/** A chunk-size or trailer line longer than this is refused. */
const MAX_LINE = 4096;
/** The framing a response's head announces (`method` HEAD and 1xx/204/304 have no body). */
function framingOf(method, status, headers) {
    if (method === 'HEAD' || status === 204 || status === 304 || status < 200) {
        return { kind: 'length', length: 0 };
    }
    const coding = String(headers['transfer-encoding'] ?? '').toLowerCase();
    if (coding) {
        if (coding.split(',').at(-1)?.trim() === 'chunked')
            return { kind: 'chunked' };
        return { kind: 'close' };
    }
    const declared = headers['content-length'];
    if (declared === undefined)
        return { kind: 'close' };
    const values = String(declared)
        .split(',')
        .map(v => v.trim());
    if (!values.every(v => /^\d{1,15}$/.test(v)) || new Set(values).size !== 1) {
        throw new FramingError(`invalid Content-Length "${String(declared)}"`);
    }
    return { kind: 'length', length: Number(values[0]) };
}
/** Decodes one body; `next` returns the next view of body bytes in buf[start, end). */
class BodyDecoder {
    framing;
    /** The whole body has been seen. */
    done;
    left;
    state = 'size';
    line = '';
    constructor(framing) {
        this.framing = framing;
        this.left = framing.kind === 'length' ? framing.length : 0;
        this.done = framing.kind === 'length' && framing.length === 0;
    }
    /**
     * The next piece of body in buf[start, end), and where the unread bytes now start. `view`
     * is undefined when the bytes held only framing (or nothing); bytes past the body's end
     * are left unread.
     */
    next(buf, start, end) {
        if (this.done || start >= end)
            return { next: start };
        if (this.framing.kind === 'close')
            return { view: buf.subarray(start, end), next: end };
        if (this.framing.kind === 'length') {
            const take = Math.min(this.left, end - start);
            this.left -= take;
            this.done = this.left === 0;
            return { view: buf.subarray(start, start + take), next: start + take };
        }
        return this.nextChunked(buf, start, end);
    }
    /** The peer closed the connection: fine only for a body that runs to the close. */
    end() {
        if (this.done)
            return;
        if (this.framing.kind === 'close') {
            this.done = true;
            return;
        }
        throw new FramingError(this.framing.kind === 'length'
            ? `connection closed with ${this.left} of ${this.framing.length} body bytes unread`
            : 'connection closed inside a chunked body');
    }
    nextChunked(buf, start, end) {
        let at = start;
        while (at < end && !this.done) {
            if (this.state === 'data') {
                const take = Math.min(this.left, end - at);
                this.left -= take;
                if (this.left === 0)
                    this.state = 'data-end';
                return { view: buf.subarray(at, at + take), next: at + take };
            }
            const newline = buf.indexOf(10, at);
            const stop = newline < 0 || newline >= end ? end : newline + 1;
            this.line += buf.toString('latin1', at, stop);
            at = stop;
            if (this.line.length > MAX_LINE)
                throw new FramingError('chunked body: a line is too long');
            if (this.line.endsWith('\n'))
                this.takeLine(this.line.replace(/\r?\n$/, ''));
        }
        return { next: at };
    }
    takeLine(line) {
        this.line = '';
        if (this.state === 'data-end') {
            if (line !== '')
                throw new FramingError('chunked body: no line end after a chunk');
            this.state = 'size';
        }
        else if (this.state === 'size') {
            const size = /^([0-9a-fA-F]{1,12})[ \t]*(;.*)?$/.exec(line)?.[1];
            if (size === undefined)
                throw new FramingError(`chunked body: bad chunk size "${line}"`);
            this.left = parseInt(size, 16);
            this.state = this.left === 0 ? 'trailer' : 'data';
        }
        else if (line === '') {
            this.done = true;
        }
    }
}
//# sourceMappingURL=http-framing.js.map
;// CONCATENATED MODULE: external "node:v8"
const external_node_v8_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:v8");
;// CONCATENATED MODULE: external "node:vm"
const external_node_vm_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:vm");
;// CONCATENATED MODULE: ./packages/oci/lib/young-gc.js
/**
 * Paces young-generation garbage collection by the bytes a download receives.
 *
 * A download still leaves short-lived JavaScript garbage behind each read (views, promises,
 * iterator results). V8, left alone, lets the young generation grow to many MiB before it
 * scavenges, and the resident set grows with it. Asking for a scavenge every 8 MiB received
 * keeps it small. The interval is measured (the scale bench's 1 GiB set, node 24): every
 * 8 MiB gave 67 MiB peak and the fastest runs; every MiB (right when node:http allocated a
 * 64 KiB buffer per read, before wire.ts) cost ~0.4 s of collector time per GiB; never, 70.
 * What survives two scavenges (a transfer's state, its pending promises) moves to the old
 * generation and stays until a full collection, which V8 puts off while the old generation
 * is small; one every 256 MiB received took the 3 GiB set from 64.0-64.4 MiB peak to
 * 62.9-63.0 on node 24, in no more time (3 interleaved runs each).
 *
 * `gc` is reached the documented way, --expose-gc, set at run time with
 * v8.setFlagsFromString (a GitHub action cannot pass node flags) and picked up from a new
 * context. When that is not possible the pacing is a no-op and V8 collects as it would.
 */


const EVERY = 8 * 1024 * 1024;
/** Scavenges between full collections. */
const MAJOR_EVERY = 32;
let collect;
let since = 0;
let scavenges = 0;
function loadCollect() {
    try {
        (0,external_node_v8_namespaceObject.setFlagsFromString)('--expose-gc');
        const gc = (0,external_node_vm_namespaceObject.runInNewContext)('typeof gc === "function" ? gc : undefined');
        return typeof gc === 'function' ? gc : null;
    }
    catch {
        return null;
    }
}
/** Counts `bytes` received; every 8 MiB asks V8 for a scavenge, every 256 MiB a full GC. */
function youngGarbage(bytes) {
    since += bytes;
    if (since < EVERY)
        return;
    since = 0;
    scavenges += 1;
    if (collect === undefined)
        collect = loadCollect();
    collect?.({ type: scavenges % MAJOR_EVERY === 0 ? 'major' : 'minor' });
}
//# sourceMappingURL=young-gc.js.map
;// CONCATENATED MODULE: ./packages/oci/lib/tunnel.js
/**
 * A CONNECT tunnel through an HTTP proxy (RFC 9110 §9.3.6): the socket to the proxy,
 * once it answered 200, carries TLS to the registry end to end. The proxy sees only the
 * host and port.
 */


const MAX_HEAD = 64 * 1024;
/** Opens a tunnel to `target` (host:port) through `proxy`; the socket comes back paused. */
function openTunnel(proxy, target, idleTimeoutMs) {
    const label = proxyLabel(proxy);
    return new Promise((resolve, reject) => {
        const socket = (0,external_node_net_namespaceObject.connect)(endpoint(proxy));
        let head = Buffer.alloc(0);
        const done = (err) => {
            socket.removeAllListeners('data');
            socket.removeAllListeners('end');
            socket.removeAllListeners('timeout');
            socket.setTimeout(0);
            if (err) {
                socket.destroy();
                reject(err);
            }
        };
        socket.on('error', err => {
            // The cause's text is in the message already (describeError would repeat it).
            const code = err.code;
            const detail = code && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
            done(new Error(`proxy ${label}, for CONNECT ${target}: ${detail}`));
        });
        socket.on('end', () => {
            done(new Error(`proxy ${label} closed the connection before answering CONNECT ${target}`));
        });
        socket.setTimeout(idleTimeoutMs, () => {
            done(new Error(`proxy ${label}: no answer to CONNECT ${target} in ${idleTimeoutMs} ms`));
        });
        socket.on('data', (chunk) => {
            head = Buffer.concat([head, chunk]);
            const end = head.indexOf('\r\n\r\n');
            if (end < 0) {
                if (head.length > MAX_HEAD)
                    done(new Error(`proxy ${label}: answer head over 64 KiB`));
                return;
            }
            const statusLine = head.toString('latin1', 0, head.indexOf('\r\n'));
            const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
            if (status !== 200) {
                done(refusal(proxy, `CONNECT ${target}`, status, statusLine));
                return;
            }
            // TLS speaks first, so nothing may follow the 200 yet; tls.connect would not see it
            // anyway (it reads the socket's handle, not what node buffered).
            if (head.length > end + 4) {
                done(new Error(`proxy ${label} sent data after its 200 to CONNECT ${target}`));
                return;
            }
            socket.pause();
            done();
            resolve(socket);
        });
        const auth = proxyAuthorization(proxy);
        socket.write(`CONNECT ${target} HTTP/1.1\r\nhost: ${target}\r\n` +
            (auth ? `proxy-authorization: ${auth}\r\n` : '') +
            '\r\n');
    });
}
//# sourceMappingURL=tunnel.js.map
;// CONCATENATED MODULE: ./packages/oci/lib/wire.js
/**
 * HTTP/1.1 on node:net and node:tls, with kept-alive connections, for registry traffic.
 *
 * Why not node:http: it hands every socket read to JavaScript in a fresh 64 KiB buffer,
 * and its parser copies each body piece again. On a blob fetch that garbage, waiting for
 * the GC, was most of the resident set, and the two copies most of the CPU beside sha256
 * (npm run bench --scale; the README's "Speed and memory" has the figures). Here each connection
 * reads into one buffer of its own (net's `onread`), and a body is an async iterable of
 * views into that buffer. Reading pauses after every read and resumes only when the next
 * view is asked for, so a view stays valid until then and the buffer is never written
 * under a reader. Nothing is allocated per read.
 */






/**
 * Read buffer sizes. A plain socket read fills up to 64 KiB; TLS hands over one record at a
 * time, at most 16 KiB of plaintext, so a larger buffer would sit mostly empty (and TLS may
 * deliver several records after a pause, each into a buffer of its own).
 */
const READ_BUFFER = 64 * 1024;
const TLS_READ_BUFFER = 16 * 1024;
const EMPTY = Buffer.alloc(0);
/** Tunnelled TLS reads count this many times more toward a scavenge (Connection). */
const TUNNEL_GC_WEIGHT = 3;
const wire_MAX_HEAD = 64 * 1024;
/** A body up to this size is read to its end when discarded, to keep the connection. */
const DRAIN_LIMIT = 256 * 1024;
/**
 * One connection. Reads land in buffers of its own, handed to node one at a time (`onread`
 * with a buffer function); `buffer[start, end)` is the read being taken, `queued` the reads
 * not reached yet. A socket pauses after each read, but TLS may still deliver the rest of
 * what it decrypted, each piece into the next buffer, so no unread byte is overwritten.
 * TLS through a proxy's tunnel cannot take `onread` (node ignores it beside `socket`): its
 * reads come as 'data' chunks, each queued the same way, with a pause after each.
 */
class Connection {
    origin;
    pool;
    socket;
    buffer = EMPTY;
    start = 0;
    end = 0;
    closed = false;
    error;
    spare = [];
    queued = [];
    wake;
    /** Whether a taken read's buffer goes back to `spare` (onread buffers; not 'data' chunks). */
    recycle;
    constructor(origin, 
    /** Its idle pool (poolKey): the origin, the CAs it was verified against, the proxy. */
    pool, url, ca, tls, 
    /** A CONNECT tunnel to carry TLS, or an HTTP proxy to connect to instead of the origin. */
    route = {}) {
        this.origin = origin;
        this.pool = pool;
        const { host, port } = endpoint(route.via ?? url);
        this.recycle = !route.tunnel;
        const onread = {
            buffer: () => this.spare.pop() ?? Buffer.allocUnsafeSlow(tls ? TLS_READ_BUFFER : READ_BUFFER),
            callback: (n, buf) => this.onRead(n, buf)
        };
        if (tls) {
            // tls.connect takes `onread` as net.connect does (node docs); @types/node omits it.
            const options = {
                host,
                port,
                onread,
                ALPNProtocols: ['http/1.1'],
                ...((0,external_node_net_namespaceObject.isIP)(host) ? {} : { servername: host }),
                ...(ca ? { ca } : {}),
                ...(route.tunnel ? { socket: route.tunnel } : {})
            };
            this.socket = tls.connect(options);
            if (route.tunnel) {
                this.socket.on('data', (chunk) => {
                    this.onRead(chunk.length, chunk);
                    this.socket.pause();
                    // Each chunk is a fresh 16 KiB buffer (malloc'd, freed only by a scavenge): with a
                    // scavenge every 2 MiB instead of 8 (the reader counts the same bytes again), a
                    // 1 GiB fetch through a tunnel peaks at 73 MiB instead of 80 (66 without a proxy);
                    // every 1 MiB, 71 MiB but 20% slower.
                    youngGarbage(chunk.length * TUNNEL_GC_WEIGHT);
                });
            }
        }
        else {
            this.socket = (0,external_node_net_namespaceObject.connect)({ host, port, onread });
        }
        this.socket.setNoDelay(true);
        this.socket.on('error', err => {
            this.fail(err);
        });
        this.socket.on('end', () => {
            this.onClose();
        });
        this.socket.on('close', () => {
            this.onClose();
        });
        this.socket.on('timeout', () => this.socket.destroy(new Error(`no data from ${url.host} for ${this.socket.timeout} ms`)));
    }
    /** Queues a read and pauses the socket until it is taken (`fill`). */
    onRead(n, buf) {
        this.queued.push({ buf, n });
        this.wakeUp();
        return false;
    }
    fail(err) {
        this.error ??= err;
        this.closed = true;
        this.wakeUp();
    }
    onClose() {
        this.closed = true;
        this.wakeUp();
    }
    wakeUp() {
        const wake = this.wake;
        this.wake = undefined;
        wake?.();
    }
    /**
     * Makes the next read current once this one is taken: waits for one, or for the end
     * (then start === end and `closed`); throws the connection's error. The previous read's
     * buffer is reused from here on, so views of it must be done with.
     */
    async fill() {
        while (this.start === this.end) {
            const next = this.queued.shift();
            if (next) {
                if (this.buffer !== EMPTY && this.recycle)
                    this.spare.push(this.buffer);
                this.buffer = next.buf;
                this.start = 0;
                this.end = next.n;
                break;
            }
            if (this.closed)
                break;
            await new Promise(resolve => {
                this.wake = resolve;
                this.socket.resume();
            });
        }
        if (this.error && this.start === this.end)
            throw this.error;
    }
    get reusable() {
        return (!this.closed && !this.socket.destroyed && this.start === this.end && this.queued.length === 0);
    }
    destroy(err) {
        if (err)
            this.error ??= err;
        this.closed = true;
        this.socket.destroy();
    }
}
let tlsModule;
/**
 * node:tls, loaded for the first HTTPS request: a plain-HTTP run (a mirror on the local
 * network) never loads it. Measured on node 24: 5 MiB resident on a bare node, under 1 MiB
 * beside the crypto and net modules a fetch loads anyway.
 */
async function loadTls() {
    tlsModule ??= await Promise.resolve(/* import() */).then(__nccwpck_require__.t.bind(__nccwpck_require__, 692, 19));
    return tlsModule;
}
/** Idle kept-alive connections by pool (poolKey). */
const idle = new Map();
/**
 * A connection is reused only by requests to its origin that trust what it was verified
 * against: a request with its own `ca` must not take one checked against node's CAs (or
 * another `ca`), nor the other way round.
 */
function poolKey(url, ca, proxy) {
    const via = proxy ? ` via:${proxy.href}` : '';
    if (!ca || url.protocol !== 'https:')
        return url.origin + via;
    return `${url.origin} ca:${(0,external_node_crypto_namespaceObject.createHash)('sha256').update(ca).digest('hex')}${via}`;
}
function take(pool) {
    const list = idle.get(pool) ?? [];
    for (let conn = list.pop(); conn; conn = list.pop()) {
        if (conn.reusable)
            return conn;
        conn.destroy();
    }
    return undefined;
}
function putBack(conn) {
    if (!conn.reusable) {
        conn.destroy();
        return;
    }
    conn.socket.setTimeout(0);
    conn.socket.unref();
    // Read while idle: a close (or stray bytes) is noticed and the connection not reused.
    conn.socket.resume();
    const list = idle.get(conn.pool) ?? [];
    list.push(conn);
    idle.set(conn.pool, list);
}
/** Closes every idle connection (tests; a process exits without it, idle ones are unref'd). */
function closeIdleConnections() {
    for (const list of idle.values())
        for (const conn of list)
            conn.destroy();
    idle.clear();
}
/** Sends one request; resolves when the status line and headers have arrived. */
async function wireRequest(url, options) {
    const text = requestHead(url, options);
    const pool = poolKey(url, options.ca, options.proxy);
    const reused = take(pool);
    if (reused) {
        try {
            return await exchange(reused, text, options, true);
        }
        catch (err) {
            // A kept-alive connection the server closed meanwhile: once more on a new one.
            if (!(err instanceof StaleConnectionError))
                throw err;
        }
    }
    const tls = url.protocol === 'https:' ? await loadTls() : undefined;
    const conn = new Connection(url.origin, pool, url, options.ca, tls, await route(url, options));
    return exchange(conn, text, options, false);
}
/** How a new connection reaches `url`: directly, through a tunnel, or via a proxy. */
async function route(url, options) {
    const proxy = options.proxy;
    if (!proxy)
        return {};
    if (url.protocol !== 'https:')
        return { via: proxy };
    const { host, port } = endpoint(url);
    const target = (0,external_node_net_namespaceObject.isIP)(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
    return { tunnel: await openTunnel(proxy, target, options.idleTimeoutMs) };
}
/** The connection ended before one byte of the answer: it went stale while idle. */
class StaleConnectionError extends Error {
}
async function exchange(conn, requestText, options, reused) {
    conn.socket.ref();
    conn.socket.setTimeout(options.idleTimeoutMs);
    conn.socket.write(requestText);
    let framing;
    let head;
    try {
        head = await readHead(conn, reused);
        framing = framingOf(options.method, head.status, head.headers);
    }
    catch (err) {
        conn.destroy();
        throw err;
    }
    const { status, headers } = head;
    const keep = !/\bclose\b/i.test(String(headers.connection ?? ''));
    return { status, headers, body: new WireBody(conn, new BodyDecoder(framing), keep) };
}
/** The request line and headers; plain HTTP through a proxy names the whole URL. */
function requestHead(url, options) {
    const viaProxy = options.proxy && url.protocol === 'http:' ? options.proxy : undefined;
    const target = viaProxy
        ? `${url.origin}${url.pathname}${url.search}`
        : `${url.pathname}${url.search}`;
    const lines = [`${options.method} ${target} HTTP/1.1`, `host: ${url.host}`];
    const auth = viaProxy && proxyAuthorization(viaProxy);
    if (auth)
        lines.push(`proxy-authorization: ${auth}`);
    for (const [name, value] of Object.entries(options.headers)) {
        if (/[\r\n]/.test(name + value) || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
            throw new Error(`refusing to send header "${name}": invalid name or a line break in it`);
        }
        if (name.toLowerCase() !== 'host')
            lines.push(`${name}: ${value}`);
    }
    return `${lines.join('\r\n')}\r\n\r\n`;
}
/**
 * Reads the status line and headers, skipping 1xx answers; leaves the body unread. On a
 * kept-alive connection (`reused`), an end before the first byte is a StaleConnectionError.
 */
async function readHead(conn, reused) {
    let text = '';
    let answered = false;
    for (;;) {
        try {
            await conn.fill();
        }
        catch (err) {
            if (reused && !answered && isStale(err))
                throw new StaleConnectionError(String(err));
            throw err;
        }
        if (conn.start === conn.end) {
            if (reused && !answered)
                throw new StaleConnectionError('closed while idle');
            throw new FramingError(`${conn.origin} closed the connection before a whole answer`);
        }
        answered = true;
        const before = text.length;
        text += conn.buffer.toString('latin1', conn.start, conn.end);
        const stop = text.indexOf('\r\n\r\n');
        if (stop < 0) {
            if (text.length > wire_MAX_HEAD)
                throw new FramingError('response head over 64 KiB');
            conn.start = conn.end;
            continue;
        }
        // The head ends in this read (the last one held no blank line): the body starts after it.
        conn.start += stop + 4 - before;
        const parsed = parseHead(text.slice(0, stop));
        if (parsed.status >= 200)
            return parsed;
        text = ''; // 1xx: the real answer follows
    }
}
function isStale(err) {
    const code = err?.code;
    return code === 'ECONNRESET' || code === 'EPIPE';
}
function parseHead(text) {
    const [statusLine = '', ...lines] = text.split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(statusLine);
    if (!m)
        throw new FramingError(`not an HTTP/1.1 status line: "${statusLine.slice(0, 80)}"`);
    const headers = {};
    for (const line of lines) {
        const colon = line.indexOf(':');
        if (colon <= 0)
            throw new FramingError(`bad header line "${line.slice(0, 80)}"`);
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        const had = headers[name];
        if (name === 'set-cookie')
            headers[name] = [...(had ?? []), value];
        else
            headers[name] = had === undefined ? value : `${String(had)}, ${value}`;
    }
    return { status: Number(m[1]), headers };
}
/** A body on a connection: at its end the connection is kept; a body left early closes it. */
class WireBody {
    conn;
    decoder;
    keep;
    used = false;
    finished = false;
    constructor(conn, decoder, keep) {
        this.conn = conn;
        this.decoder = decoder;
        this.keep = keep;
        if (decoder.done)
            this.finish(true);
    }
    async *[Symbol.asyncIterator]() {
        if (this.used)
            throw new Error('a response body can be read only once');
        this.used = true;
        let complete = false;
        try {
            while (!this.decoder.done) {
                await this.conn.fill();
                if (this.conn.start === this.conn.end) {
                    this.decoder.end(); // the connection ended: the body must have been complete
                    continue;
                }
                const { view, next } = this.decoder.next(this.conn.buffer, this.conn.start, this.conn.end);
                this.conn.start = next;
                if (view && view.length > 0)
                    yield view;
            }
            complete = true;
        }
        finally {
            this.finish(complete);
        }
    }
    /** Abandons the body and closes its connection. */
    destroy(err) {
        this.used = true;
        this.conn.destroy(err);
    }
    /** Drops an unwanted body: a small one is read out to keep the connection, else closed. */
    discard() {
        if (this.used || this.decoder.done)
            return;
        void (async () => {
            let size = 0;
            for await (const view of this) {
                size += view.length;
                if (size > DRAIN_LIMIT)
                    break;
            }
        })().catch(() => undefined);
    }
    finish(complete) {
        if (this.finished)
            return;
        this.finished = true;
        if (complete && this.keep)
            putBack(this.conn);
        else
            this.conn.destroy();
    }
}
//# sourceMappingURL=wire.js.map
;// CONCATENATED MODULE: ./packages/oci/lib/http.js
/**
 * Requests for the registry client, on wire.ts (HTTP/1.1 on node:net/node:tls with
 * kept-alive connections and a reused read buffer per connection). Node's fetch (undici,
 * web streams) measured ~1.7x slower than node:http for large blob bodies on loopback, and
 * node:http ~1.7x slower than wire.ts, with far more garbage (README, "Speed and memory").
 */




function header(res, name) {
    const value = res.headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
}
/** Sends one request; resolves when the status line and headers arrived. */
async function request(url, options) {
    const target = new URL(url);
    if (target.protocol !== 'https:' && target.protocol !== 'http:') {
        throw new Error(`unsupported URL scheme in ${url}`);
    }
    const proxy = proxyFor(target, options.proxyEnv);
    const res = await wireRequest(target, {
        method: options.method ?? 'GET',
        headers: { 'user-agent': 'kedge', ...options.headers },
        idleTimeoutMs: options.idleTimeoutMs,
        ...(options.ca ? { ca: options.ca } : {}),
        ...(proxy ? { proxy } : {})
    }).catch((err) => {
        // A refused certificate says whose, and what to do (errors.ts); others go as they are.
        throw certificateError(err, target.host) ?? err;
    });
    if (proxy && res.status === 407) {
        res.body.discard();
        throw refusal(proxy, `${options.method ?? 'GET'} ${url}`, 407, 'HTTP/1.1 407');
    }
    return { status: res.status, url, headers: res.headers, body: res.body };
}
/** Reads a whole (small) body, refusing more than `limit` bytes. */
async function readBody(res, limit) {
    const declared = Number(header(res, 'content-length') ?? 0);
    if (declared > limit) {
        res.body.destroy();
        throw new Error(`${res.url} answers ${declared} bytes, over the ${limit}-byte limit`);
    }
    const chunks = [];
    let size = 0;
    for await (const view of res.body) {
        size += view.length;
        if (size > limit) {
            res.body.destroy();
            throw new Error(`${res.url} sent more than ${limit} bytes`);
        }
        chunks.push(Buffer.from(view)); // the view's buffer is reused by the next read
    }
    return Buffer.concat(chunks);
}
/** Frees the connection of an answer whose body is not wanted. */
function discard(res) {
    res.body.discard();
}
//# sourceMappingURL=http.js.map
;// CONCATENATED MODULE: ./packages/oci/lib/log.js
const silentLogger = {
    info: () => undefined,
    warn: () => undefined,
    debug: () => undefined
};
//# sourceMappingURL=log.js.map
;// CONCATENATED MODULE: ./packages/oci/lib/retry.js
/** Retries with exponential backoff and full jitter. */
const defaultRetry = {
    attempts: 5,
    baseDelayMs: 500,
    maxDelayMs: 15000,
    budgetMs: 15 * 60 * 1000
};
/**
 * Why retrying must stop, or '' to go on: `idle` tries in a row brought nothing, or the
 * next try would start `elapsedMs` after the first failure, past the budget.
 */
function retryExhausted(options, idle, elapsedMs) {
    if (idle >= options.attempts)
        return `${idle} tries in a row made no progress`;
    if (elapsedMs > options.budgetMs) {
        const budget = options.budgetMs < 10000
            ? `${options.budgetMs} ms`
            : `${Math.round(options.budgetMs / 1000)} s`;
        return `the retry budget of ${budget} is spent`;
    }
    return '';
}
/** The wait before try number `attempt + 1` (attempt counts from 1). */
function backoffDelay(attempt, options, retryAfterMs) {
    const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
    const jittered = Math.random() * ceiling;
    // The server's Retry-After is honoured in full; the retry budget decides whether to wait.
    return retryAfterMs !== undefined ? Math.max(retryAfterMs, jittered) : jittered;
}
function sleep(ms) {
    return new Promise(resolve => setTimeout(resolve, ms));
}
/** An HTTP answer worth trying again: 408, 429 and 5xx. */
function retryableStatus(status) {
    return status === 408 || status === 429 || status >= 500;
}
/** Parses Retry-After (seconds or an HTTP date) into milliseconds. */
function retryAfterMs(header) {
    if (!header)
        return undefined;
    const seconds = Number(header);
    if (Number.isFinite(seconds))
        return Math.max(0, seconds * 1000);
    const date = Date.parse(header);
    return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
//# sourceMappingURL=retry.js.map
;// CONCATENATED MODULE: ./packages/oci/lib/ratelimit.js

function first(headers, name) {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
}
/** `100;w=21600` -> [100, 21600] */
function quota(value) {
    if (!value)
        return [undefined, undefined];
    const [count, ...params] = value.split(';').map(s => s.trim());
    const window = params.find(p => p.startsWith('w='))?.slice(2);
    const n = Number(count);
    const w = Number(window);
    return [Number.isFinite(n) ? n : undefined, window && Number.isFinite(w) ? w : undefined];
}
/** The rate-limit headers of an answer, or undefined when it sent none. */
function readRateLimit(host, headers) {
    const [limit, windowSeconds] = quota(first(headers, 'ratelimit-limit'));
    const [remaining] = quota(first(headers, 'ratelimit-remaining'));
    const reset = first(headers, 'ratelimit-reset');
    const resetMs = retryAfterMs(first(headers, 'retry-after') ?? null) ?? retryAfterMs(reset ?? null);
    if (limit === undefined && remaining === undefined && resetMs === undefined)
        return undefined;
    return {
        host,
        ...(limit !== undefined ? { limit } : {}),
        ...(remaining !== undefined ? { remaining } : {}),
        ...(windowSeconds !== undefined ? { windowSeconds } : {}),
        ...(resetMs !== undefined ? { resetMs } : {})
    };
}
/** One line for logs and summaries: `registry-1.docker.io: 7 of 10 pulls left per 3600 s`. */
function describeRateLimit(info) {
    const window = info.windowSeconds !== undefined ? ` per ${info.windowSeconds} s` : '';
    const left = info.remaining !== undefined && info.limit !== undefined
        ? `${info.remaining} of ${info.limit} pulls left${window}`
        : info.limit !== undefined
            ? `limit ${info.limit} pulls${window}`
            : 'rate limited';
    return `${info.host}: ${left}`;
}
/** A 429 whose reset comes later than the run may wait: fail now, and say what to do. */
class RateLimitError extends Error {
    info;
    constructor(info, what, budgetMs) {
        const resetS = Math.ceil((info.resetMs ?? 0) / 1000);
        const at = new Date(Date.now() + (info.resetMs ?? 0)).toISOString().replace(/\.\d+Z$/, 'Z');
        const docker = /(^|\.)docker\.io$/.test(info.host);
        super(`${info.host} refused ${what} with HTTP 429 Too Many Requests (${describeRateLimit(info)}); ` +
            `the limit resets in ${resetS} s (at ${at}), later than kedge may wait (${Math.round(budgetMs / 1000)} s). ` +
            (docker
                ? 'Log in to Docker Hub to raise the limit (100 pulls an hour per user instead of 10 per address): run docker/login-action before this step, or give username and password (a token), or use a mirror.'
                : 'Authenticate to the registry (username/password, registry-auth or docker/login-action), use a mirror, or run again after the reset.'));
        this.info = info;
        this.name = 'RateLimitError';
    }
}
/**
 * For a 429 whose reset (Retry-After / ratelimit-reset) comes after the retry budget
 * (counted from `firstFailure`): the error to fail with at once. Otherwise undefined.
 */
function rateLimitStop(err, what, budgetMs, firstFailure) {
    if (err?.status !== 429 || err.rateLimit?.resetMs === undefined)
        return undefined;
    if (Date.now() - firstFailure + err.rateLimit.resetMs <= budgetMs)
        return undefined;
    return new RateLimitError(err.rateLimit, what, budgetMs);
}
//# sourceMappingURL=ratelimit.js.map
;// CONCATENATED MODULE: ./packages/oci/lib/client.js
/**
 * A registry client for the distribution HTTP API v2: manifests and blobs, anonymous or
 * with credentials, the Bearer-token challenge flow, mirrors tried before the origin,
 * plain HTTP only for registries listed as insecure, and redirects followed by hand so
 * that Authorization is dropped when a redirect leaves the host (blob CDNs).
 */








const MANIFEST_TYPES = {
    ociIndex: 'application/vnd.oci.image.index.v1+json',
    ociManifest: 'application/vnd.oci.image.manifest.v1+json',
    dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
    dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json'
};
const ACCEPT = Object.values(MANIFEST_TYPES).join(', ');
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_REDIRECTS = 5;
/** An HTTP error answer; `retryable` tells the retry loops what to do. */
class HttpError extends Error {
    url;
    status;
    retryAfterMs;
    rateLimit;
    constructor(url, status, message, 
    /** From Retry-After, when the server sent one. */
    retryAfterMs, 
    /** The answer's rate-limit headers, when it sent any. */
    rateLimit) {
        super(message);
        this.url = url;
        this.status = status;
        this.retryAfterMs = retryAfterMs;
        this.rateLimit = rateLimit;
        this.name = 'HttpError';
    }
    get retryable() {
        return retryableStatus(this.status);
    }
}
/**
 * A URL without its userinfo (`https://user:pass@host/x` -> `https://host/x`), for anything
 * recorded or logged. Text that does not parse as a URL has any `//userinfo@` cut out.
 */
function redactUrl(url) {
    try {
        const parsed = new URL(url);
        if (!parsed.username && !parsed.password)
            return url;
        parsed.username = '';
        parsed.password = '';
        return parsed.href.replace(/\/$/, url.endsWith('/') ? '/' : '');
    }
    catch {
        return url.replace(/\/\/[^/@\s]*@/g, '//');
    }
}
/** Splits a URL's userinfo off: the URL without it, and the credential it held. */
function splitUserinfo(url) {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password)
        return { url };
    const credential = {
        username: decodeURIComponent(parsed.username),
        password: decodeURIComponent(parsed.password)
    };
    return { url: redactUrl(url), credential };
}
/**
 * Parses mirror settings: `docker.io=https://mirror.example` entries, newline- or
 * comma-separated. A mirror URL ending in /v2 is used as the API root as it is.
 */
function parseMirrors(input) {
    const mirrors = new Map();
    const items = (Array.isArray(input) ? input : (input ?? '').split(/[\n,]/))
        .map(s => s.trim())
        .filter(s => s !== '' && !s.startsWith('#'));
    for (const item of items) {
        const eq = item.indexOf('=');
        const host = eq > 0 ? item.slice(0, eq).trim() : '';
        const url = eq > 0 ? item.slice(eq + 1).trim() : '';
        let parsed;
        try {
            parsed = new URL(url);
        }
        catch {
            parsed = undefined;
        }
        if (!host || !parsed || !/^https?:$/.test(parsed.protocol)) {
            throw new Error(`mirror "${redactUrl(item)}" is not registry=URL, e.g. docker.io=https://mirror.example`);
        }
        const key = host === 'index.docker.io' ? DOCKER_HUB : host;
        mirrors.set(key, [...(mirrors.get(key) ?? []), url.replace(/\/+$/, '')]);
    }
    return mirrors;
}
function sha256Digest(data) {
    return `sha256:${(0,external_node_crypto_namespaceObject.createHash)('sha256').update(data).digest('hex')}`;
}
class RegistryClient {
    credentials;
    mirrors;
    insecure;
    logger;
    retry;
    idleTimeoutMs;
    fallbackToOrigin;
    tokens = new Map();
    limits = new Map();
    constructor(options = {}) {
        this.credentials = options.credentials ?? new CredentialStore();
        this.mirrors = this.takeMirrorCredentials(options.mirrors ?? new Map());
        this.insecure = new Set([...(options.insecure ?? [])].map(h => h.trim()).filter(Boolean));
        this.logger = options.logger ?? silentLogger;
        this.retry = { ...defaultRetry, ...options.retry };
        this.idleTimeoutMs = options.idleTimeoutMs ?? 60000;
        this.fallbackToOrigin = options.fallbackToOrigin ?? true;
    }
    /**
     * Mirror URLs with userinfo (`https://user:pass@mirror`): the credential goes to the
     * store for the mirror's host (unless one is set) and the URL is kept without it, so it
     * is never logged or recorded. Callers mask the secrets (`credentials.secrets()`).
     */
    takeMirrorCredentials(mirrors) {
        const clean = new Map();
        for (const [registry, urls] of mirrors) {
            clean.set(registry, urls.map(raw => {
                const { url, credential } = splitUserinfo(raw);
                const host = new URL(url).host;
                if (credential && !this.credentials.get(host))
                    this.credentials.set(host, credential);
                return url;
            }));
        }
        return clean;
    }
    isInsecure(host) {
        return this.insecure.has(host);
    }
    /** Mirrors first, then the origin. */
    endpoints(registry) {
        const list = [];
        for (const base of this.mirrors.get(registry) ?? []) {
            const url = new URL(base);
            if (url.protocol === 'http:' && !this.isInsecure(url.host)) {
                throw new Error(`mirror ${base} for ${registry} is plain HTTP; list ${url.host} in insecure-registries to allow it`);
            }
            list.push({ registry, api: base.endsWith('/v2') ? base : `${base}/v2`, mirror: true });
        }
        if (list.length > 0 && !this.fallbackToOrigin)
            return list;
        const host = registry === DOCKER_HUB ? DOCKER_HUB_API : registry;
        const scheme = this.isInsecure(registry) ? 'http' : 'https';
        list.push({ registry, api: `${scheme}://${host}/v2`, mirror: false });
        return list;
    }
    /** Sends a request, following redirects by hand: Authorization stays with its origin. */
    async send(url, headers, method = 'GET') {
        let current = url;
        let sendHeaders = { ...headers };
        const origin = new URL(url).origin;
        for (let hop = 0;; hop++) {
            const res = await request(current, {
                method,
                headers: sendHeaders,
                idleTimeoutMs: this.idleTimeoutMs
            });
            const location = header(res, 'location');
            if (res.status < 300 || res.status >= 400 || !location)
                return res;
            discard(res);
            if (hop >= MAX_REDIRECTS)
                throw new HttpError(current, res.status, `too many redirects from ${url}`);
            const next = new URL(location, current);
            if (next.protocol === 'http:' &&
                new URL(current).protocol === 'https:' &&
                !this.isInsecure(next.host)) {
                throw new HttpError(current, res.status, `refusing a redirect from HTTPS to plain HTTP ${next.href}`);
            }
            if (next.origin !== origin) {
                sendHeaders = Object.fromEntries(Object.entries(sendHeaders).filter(([name]) => name.toLowerCase() !== 'authorization'));
            }
            current = next.href;
        }
    }
    tokenKey(endpoint, repository) {
        return `${endpoint.api}|${repository}`;
    }
    credentialFor(endpoint) {
        return this.credentials.get(endpoint.mirror ? new URL(endpoint.api).host : endpoint.registry);
    }
    /** The last rate-limit headers each host sent (Docker Hub's ratelimit-remaining). */
    rateLimits() {
        return [...this.limits.values()];
    }
    noteRateLimit(res) {
        const info = readRateLimit(new URL(res.url).host, res.headers);
        if (info && (info.limit !== undefined || info.remaining !== undefined)) {
            this.limits.set(info.host, info);
        }
    }
    /** Sends a request with whatever auth is known, answering one 401 challenge. */
    async request(endpoint, repository, path, headers = {}, method = 'GET') {
        const url = `${endpoint.api}/${repository}/${path}`;
        const key = this.tokenKey(endpoint, repository);
        const withAuth = () => {
            const token = this.tokens.get(key);
            return token ? { ...headers, authorization: token } : headers;
        };
        const first = await this.send(url, withAuth(), method);
        this.noteRateLimit(first);
        if (first.status !== 401)
            return first;
        discard(first);
        const challengeHeader = header(first, 'www-authenticate');
        const challenge = parseChallenge(challengeHeader ?? null);
        const credential = this.credentialFor(endpoint);
        if (challenge?.scheme === 'bearer' && challenge.params.realm) {
            this.tokens.set(key, `Bearer ${await this.fetchToken(endpoint, repository, challenge.params)}`);
        }
        else if (challenge?.scheme === 'basic' && credential) {
            this.tokens.set(key, basicAuth(credential));
        }
        else {
            throw new HttpError(url, 401, `${endpoint.registry} asks for credentials for ${repository} (${challengeHeader ?? 'no challenge'}); give username/password or registry-auth`);
        }
        const second = await this.send(url, withAuth(), method);
        this.noteRateLimit(second);
        if (second.status === 401 || second.status === 403) {
            discard(second);
            const hint = credential
                ? 'check the credentials'
                : 'the repository may be private: give username/password or registry-auth';
            throw new HttpError(url, second.status, `${endpoint.registry} denied access to ${repository} (HTTP ${second.status}); ${hint}`);
        }
        return second;
    }
    async fetchToken(endpoint, repository, params) {
        const realm = new URL(params.realm ?? '');
        const endpointPlain = endpoint.api.startsWith('http:');
        if (realm.protocol === 'http:' && !endpointPlain && !this.isInsecure(realm.host)) {
            throw new Error(`token realm ${realm.href} of ${endpoint.registry} is plain HTTP; list ${realm.host} in insecure-registries to allow it`);
        }
        if (params.service)
            realm.searchParams.set('service', params.service);
        realm.searchParams.set('scope', params.scope ?? `repository:${repository}:pull`);
        const credential = this.credentialFor(endpoint);
        const headers = credential
            ? { authorization: basicAuth(credential) }
            : {};
        for (let attempt = 1;; attempt++) {
            try {
                const res = await this.send(realm.href, headers);
                const body = await readBody(res, 1024 * 1024);
                if (res.status !== 200) {
                    const text = body.toString('utf8').slice(0, 200);
                    throw new HttpError(realm.href, res.status, `token request to ${realm.origin}${realm.pathname} failed: HTTP ${res.status} ${text}`);
                }
                let parsed;
                try {
                    parsed = JSON.parse(body.toString('utf8'));
                }
                catch {
                    throw new Error(`token response from ${realm.origin}${realm.pathname} is not JSON`);
                }
                const token = parsed.token ?? parsed.access_token;
                if (!token)
                    throw new Error(`token response from ${realm.origin}${realm.pathname} has no token`);
                return token;
            }
            catch (err) {
                if (!this.shouldRetry(err) || attempt >= this.retry.attempts)
                    throw err;
                await sleep(backoffDelay(attempt, this.retry));
            }
        }
    }
    /** Network failures and retryable statuses; not auth, 404, a refused TLS certificate or a proxy refusing for good. */
    shouldRetry(err) {
        if (err instanceof HttpError)
            return err.retryable;
        return isError(err) && !isPermanentError(err);
    }
    /**
     * Fetches a manifest (by tag or digest), trying mirrors first, retrying transient
     * failures. The body's digest is checked against a requested digest, and against the
     * registry's Docker-Content-Digest header when it sends one.
     */
    async getManifest(ref, reference) {
        const failures = [];
        for (const endpoint of this.endpoints(ref.registry)) {
            try {
                const got = await this.withRetries(() => this.getManifestOnce(endpoint, ref, reference), `manifest ${reference} of ${ref.repository}`);
                if (failures.length > 0) {
                    this.logger.info(`${ref.repository}:${reference}: served by ${endpoint.api}`);
                }
                return got;
            }
            catch (err) {
                const description = describeError(err);
                const message = description + tlsHint(description, new URL(endpoint.api).host);
                if (err instanceof RateLimitError)
                    throw err;
                failures.push(`${endpoint.api}: ${message}`);
                if (endpoint.mirror) {
                    this.logger.warn(`mirror ${endpoint.api} failed for ${ref.repository}:${reference} (${message}); trying the next source`);
                }
            }
        }
        throw new Error(`cannot fetch manifest ${reference} of ${ref.registry}/${ref.repository}: ${failures.join('; ')}`);
    }
    /**
     * Asks for a manifest's digest with HEAD (which Docker Hub does not count as a pull):
     * the first source that answers 200 gives its Docker-Content-Digest, size and type.
     * Undefined when none does; the caller then GETs, which reports errors properly.
     */
    async headManifest(ref, reference) {
        for (const endpoint of this.endpoints(ref.registry)) {
            try {
                const res = await this.request(endpoint, ref.repository, `manifests/${reference}`, { accept: ACCEPT }, 'HEAD');
                discard(res);
                if (res.status !== 200)
                    continue;
                const digest = header(res, 'docker-content-digest');
                const size = Number(header(res, 'content-length'));
                if (!digest?.startsWith('sha256:') || !Number.isSafeInteger(size))
                    return undefined;
                const mediaType = (header(res, 'content-type') ?? '').split(';')[0]?.trim() ?? '';
                return { endpoint, url: res.url, digest, size, mediaType };
            }
            catch (err) {
                this.logger.debug(`HEAD ${reference} of ${ref.repository} at ${endpoint.api}: ${describeError(err)}`);
            }
        }
        return undefined;
    }
    async withRetries(fn, what) {
        let firstFailure = 0;
        for (let attempt = 1;; attempt++) {
            try {
                return await fn();
            }
            catch (err) {
                firstFailure ||= Date.now();
                if (!this.shouldRetry(err))
                    throw err;
                const tooLong = rateLimitStop(err instanceof HttpError ? err : undefined, what, this.retry.budgetMs, firstFailure);
                if (tooLong)
                    throw tooLong;
                const after = err instanceof HttpError ? err.retryAfterMs : undefined;
                const delay = backoffDelay(attempt, this.retry, after);
                if (retryExhausted(this.retry, attempt, Date.now() + delay - firstFailure))
                    throw err;
                await sleep(delay);
            }
        }
    }
    async getManifestOnce(endpoint, ref, reference) {
        const res = await this.request(endpoint, ref.repository, `manifests/${reference}`, {
            accept: ACCEPT
        });
        const url = res.url;
        if (res.status !== 200) {
            const text = (await readBody(res, 64 * 1024).catch(() => Buffer.alloc(0)))
                .toString('utf8')
                .slice(0, 300)
                .trim();
            const why = res.status === 404 ? 'not found' : `HTTP ${res.status}`;
            throw new HttpError(url, res.status, `${why}${text ? `: ${text}` : ''}`, retryAfterMs(header(res, 'retry-after') ?? null), readRateLimit(new URL(url).host, res.headers));
        }
        const body = await readBody(res, MAX_MANIFEST_BYTES);
        const digest = sha256Digest(body);
        if (reference.startsWith('sha256:') && digest !== reference) {
            throw new HttpError(url, 502, `manifest digest mismatch: asked for ${reference}, got ${digest}`);
        }
        const announced = header(res, 'docker-content-digest');
        const checkable = announced?.startsWith('sha256:') === true;
        if (checkable && announced !== digest) {
            throw new HttpError(url, 502, `manifest digest mismatch: registry says ${announced}, body is ${digest}`);
        }
        const type = (header(res, 'content-type') ?? '').split(';')[0]?.trim() ?? '';
        let mediaType = type;
        try {
            const parsed = JSON.parse(body.toString('utf8'));
            if (parsed.mediaType)
                mediaType = parsed.mediaType;
        }
        catch {
            throw new Error(`manifest at ${url} is not JSON`);
        }
        const verifiedBy = reference.startsWith('sha256:')
            ? 'digest'
            : checkable
                ? 'docker-content-digest'
                : 'none';
        return { endpoint, url, digest, mediaType, body, verifiedBy };
    }
}
//# sourceMappingURL=client.js.map
;// CONCATENATED MODULE: external "node:fs/promises"
const promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");
;// CONCATENATED MODULE: external "node:path"
const external_node_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");
;// CONCATENATED MODULE: ./packages/oci/lib/archive.js
/**
 * One deterministic tar for a set of images, readable three ways:
 *  - an OCI image layout (oci-layout, index.json, blobs/sha256/...), which
 *    `ctr images import` (containerd >= 1.6) and k3s's air-gap image directory prefer;
 *  - a Docker manifest.json (+ repositories) over the same blobs, for `docker load`.
 * Every index entry names its image by the full normalized reference, both as
 * io.containerd.image.name and as org.opencontainers.image.ref.name (as containerd's own
 * export does), so `oci-archive:<tar>:docker.io/kubeedge/cloudcore:v1.22.0` is unambiguous.
 * Blobs stay as fetched (compressed), shared ones stored once, and every manifest keeps the
 * registry's bytes, digest and media type.
 *
 * Docker schema 2 manifests: the OCI transports of skopeo/podman (Debian 12's
 * containers/image) and umoci skip them, and containerd names every index.json entry that
 * carries either annotation (v1.7.34 import.go imageName; v2.1.5 client/import.go and
 * core/transfer/image/imagestore.go), so one index.json cannot hold both the registry's
 * Docker manifest (for containerd) and an OCI twin of it (for the OCI readers) under one
 * name without containerd also naming the twin. The archive therefore carries two views:
 *  - `index.json`, a regular file: the registry's manifests, one entry per image. containerd
 *    streams the tar and reads only regular members (symlinks are ignored in an OCI layout:
 *    images/archive/importer.go ImportIndex, v1.6.20, v1.7.34; core/images/archive in
 *    v2.1.5), so ctr import, k3s and docker on containerd see this one.
 *  - `index.oci.json`: the OCI images as above, and each Docker one as its OCI twin
 *    (convert.ts: the same config and layers; its own manifest, so another digest), and a
 *    last member `index.json -> index.oci.json`, a symlink. Whatever extracts the archive
 *    first (skopeo/podman `oci-archive:`, `tar -x` before umoci) ends with index.json
 *    replaced by that link, so it reads this view.
 * docs/bundle-format.md records what each client does, measured with the Debian packages.
 *
 * Same inputs, same bytes: entries sorted (the link last), mtime fixed (SOURCE_DATE_EPOCH or
 * 0), uid/gid 0, JSON in a fixed order. The layout is planned first (tar.ts), so blob
 * downloads write straight into a temporary file, renamed into place only when complete.
 */





const ANNOTATIONS = {
    imageName: 'io.containerd.image.name',
    refName: 'org.opencontainers.image.ref.name',
    /** The digest of the index the platform manifest was chosen from. */
    indexDigest: 'dev.kedge.image.index.digest',
    /** On an OCI twin (index.oci.json): the registry's Docker manifest it was converted from. */
    convertedFrom: 'dev.kedge.image.converted.from'
};
/** The OCI transports' view of the archive, and the link that makes extractors read it. */
const OCI_INDEX = 'index.oci.json';
/** The mtime for archive entries: SOURCE_DATE_EPOCH when set, else 0. */
function archiveMtime(env = process.env) {
    const epoch = Number(env.SOURCE_DATE_EPOCH ?? 0);
    if (!Number.isInteger(epoch) || epoch < 0) {
        throw new Error(`SOURCE_DATE_EPOCH=${env.SOURCE_DATE_EPOCH ?? ''} is not a non-negative integer`);
    }
    return new Date(epoch * 1000);
}
function blobPath(digest) {
    return `blobs/sha256/${digest.slice('sha256:'.length)}`;
}
/** `<archive>.images.json`: the fetch-images report named after its archive. */
function reportPathFor(archive) {
    return `${archive}.images.json`;
}
const byName = (a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
/** An index.json entry for manifest `desc` of `img`, named by its full reference. */
function indexEntry(img, desc, annotations) {
    return {
        mediaType: desc.mediaType,
        digest: desc.digest,
        size: desc.size,
        platform: {
            architecture: img.platform.architecture,
            os: img.platform.os,
            ...(img.platform.variant ? { variant: img.platform.variant } : {})
        },
        annotations: {
            [ANNOTATIONS.imageName]: img.name,
            [ANNOTATIONS.refName]: img.name,
            ...annotations
        }
    };
}
/** The JSON documents of the archive, pure data (easy to test). */
function layoutDocuments(images) {
    const sorted = [...images].sort(byName);
    const indexOf = (manifests) => ({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests
    });
    const registry = (img) => indexEntry(img, img.manifest, img.indexDigest ? { [ANNOTATIONS.indexDigest]: img.indexDigest } : {});
    const index = indexOf(sorted.map(registry));
    const ociIndex = indexOf(sorted.map(img => img.ociTwin
        ? indexEntry(img, { mediaType: OCI_MANIFEST, digest: img.ociTwin.digest, size: img.ociTwin.size }, { [ANNOTATIONS.convertedFrom]: img.manifest.digest })
        : registry(img)));
    const manifestJson = sorted.map(img => ({
        Config: blobPath(img.config.digest),
        RepoTags: img.tag ? [img.name] : [],
        Layers: img.layers.map(l => blobPath(l.digest))
    }));
    const repositories = {};
    for (const img of sorted) {
        const top = img.layers[img.layers.length - 1];
        if (!img.tag || !top)
            continue;
        const repo = img.name.slice(0, img.name.length - img.tag.length - 1);
        repositories[repo] = { ...repositories[repo], [img.tag]: top.digest.slice('sha256:'.length) };
    }
    return { index, ociIndex, manifestJson, repositories };
}
/** A temporary name beside `target` that never looks like a finished archive. */
function temporaryPath(target) {
    return (0,external_node_path_namespaceObject.join)((0,external_node_path_namespaceObject.dirname)(target), `.${(0,external_node_path_namespaceObject.basename)(target)}.partial-${(0,external_node_crypto_namespaceObject.randomBytes)(4).toString('hex')}`);
}
/** The archive's entries, planned, and the bytes kedge writes itself (documents, twins). */
function planArchive(images) {
    const { index, ociIndex, manifestJson, repositories } = layoutDocuments(images);
    const blobs = new Map();
    const docs = new Map();
    for (const img of images) {
        // An OCI twin is kedge's own bytes: written in place when the archive is created.
        if (img.ociTwin) {
            blobs.set(img.ociTwin.digest, img.ociTwin.size);
            docs.set(blobPath(img.ociTwin.digest), img.ociTwin.bytes);
        }
        blobs.set(img.manifest.digest, img.manifest.size);
        blobs.set(img.config.digest, img.config.size);
        for (const l of img.layers)
            blobs.set(l.digest, l.size);
    }
    const json = (v) => Buffer.from(`${JSON.stringify(v)}\n`);
    docs.set('index.json', json(index));
    docs.set(OCI_INDEX, json(ociIndex));
    docs.set('manifest.json', json(manifestJson));
    docs.set('oci-layout', json({ imageLayoutVersion: '1.0.0' }));
    docs.set('repositories', json(repositories));
    const entries = [
        { name: 'blobs/', type: 'directory', size: 0 },
        { name: 'blobs/sha256/', type: 'directory', size: 0 },
        ...[...blobs].map(([digest, size]) => ({
            name: blobPath(digest),
            type: 'file',
            size
        })),
        ...[...docs]
            .filter(([name]) => !name.startsWith('blobs/'))
            .map(([name, data]) => ({ name, type: 'file', size: data.length }))
    ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // Last, after the regular index.json: an extractor ends with index.json -> index.oci.json.
    entries.push({ name: 'index.json', type: 'symlink', size: 0, linkname: OCI_INDEX });
    return { docs, plan: planTar(entries) };
}
/**
 * An archive being written: its layout is planned up front, the temporary file is sized,
 * headers and JSON documents are in place, and each blob's bytes go to `slot(digest)`
 * (positional writes, any order, in parallel). `finish()` renames it into place;
 * `abort()` removes it.
 */
class ArchiveFile {
    target;
    temp;
    handle;
    size;
    slots;
    constructor(target, temp, handle, size, slots) {
        this.target = target;
        this.temp = temp;
        this.handle = handle;
        this.size = size;
        this.slots = slots;
    }
    static async create(target, images, mtime = archiveMtime()) {
        const { docs, plan } = planArchive(images);
        const temp = temporaryPath(target);
        const handle = await open(temp, 'wx');
        try {
            await handle.truncate(plan.size);
            const slots = new Map();
            for (const entry of plan.entries) {
                await handle.write(ustarHeader(entry, mtime), 0, BLOCK, entry.offset);
                const doc = entry.type === 'file' ? docs.get(entry.name) : undefined;
                if (doc)
                    await handle.write(doc, 0, doc.length, entry.dataOffset);
                else if (entry.type === 'file') {
                    slots.set(`sha256:${entry.name.slice('blobs/sha256/'.length)}`, entry.dataOffset);
                }
            }
            return new ArchiveFile(target, temp, handle, plan.size, slots);
        }
        catch (err) {
            await handle.close();
            await rm(temp, { force: true });
            throw err;
        }
    }
    /** Where the data of `digest` goes. */
    slot(digest) {
        const offset = this.slots.get(digest);
        if (offset === undefined)
            throw new Error(`archive ${this.target} has no place for ${digest}`);
        return offset;
    }
    /** Flushes, closes and renames the archive into place; returns its size. */
    async finish() {
        await this.handle.close();
        await rename(this.temp, this.target);
        return this.size;
    }
    async abort() {
        await this.handle.close().catch(() => undefined);
        await rm(this.temp, { force: true });
    }
}
//# sourceMappingURL=archive.js.map
;// CONCATENATED MODULE: ./packages/bundle/lib/checksums.js
/**
 * Upstream checksum files, each project in its own format:
 *  - KubeEdge: checksum_<asset>.txt, a bare SHA-512 hex digest;
 *  - k3s sha256sum-<arch>.txt, containerd .sha256sum, runc runc.sha256sum, CNI .sha256,
 *    Helm .sha256sum, Node.js SHASUMS256.txt: `<hex>  <name>` lines (sha256sum's format).
 */


const HEX_LENGTH = { sha256: 64, sha512: 128 };
/**
 * The digest for `entry` in a checksum file's `text`. `source` (its URL) names the file in
 * errors. A `bare` file holds one digest; a `sum` file lists `<hex>  <name>` lines.
 */
function parseChecksum(text, options) {
    const length = HEX_LENGTH[options.algorithm];
    const hex = new RegExp(`^[a-fA-F0-9]{${length}}$`);
    const lines = text
        .split('\n')
        .map(l => l.trim())
        .filter(Boolean);
    if (options.format === 'bare') {
        const first = lines[0]?.split(/\s+/)[0] ?? '';
        if (!hex.test(first)) {
            throw new Error(`checksum file ${options.source} does not hold a ${options.algorithm} digest (${length} hex digits)`);
        }
        return first.toLowerCase();
    }
    for (const line of lines) {
        const m = /^([a-fA-F0-9]+)\s+\*?(.+)$/.exec(line);
        if (!m?.[1] || !m[2])
            continue;
        const name = m[2].trim();
        if (name === options.entry || name.split('/').pop() === options.entry) {
            if (!hex.test(m[1]))
                throw new Error(`checksum file ${options.source}: the digest for ${options.entry} is not ${options.algorithm}`);
            return m[1].toLowerCase();
        }
    }
    throw new Error(`checksum file ${options.source} lists no entry for ${options.entry}`);
}
async function hashFile(file, algorithm) {
    const hash = (0,external_node_crypto_namespaceObject.createHash)(algorithm);
    for await (const chunk of (0,external_node_fs_namespaceObject.createReadStream)(file, { highWaterMark: 1024 * 1024 }))
        hash.update(chunk);
    return hash.digest('hex');
}
//# sourceMappingURL=checksums.js.map
;// CONCATENATED MODULE: external "node:os"
const external_node_os_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");
;// CONCATENATED MODULE: external "node:stream/promises"
const external_node_stream_promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream/promises");
;// CONCATENATED MODULE: external "node:zlib"
const external_node_zlib_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");
// EXTERNAL MODULE: ./node_modules/tar-stream/index.js
var tar_stream = __nccwpck_require__(118);
;// CONCATENATED MODULE: ./packages/bundle/lib/targz.js
/**
 * A deterministic, parallel .tar.gz writer.
 *
 * The tar stream comes from tar-stream: entries sorted by path, mtime from
 * SOURCE_DATE_EPOCH (or 0), uid/gid 0, no user names, modes normalized to 0755/0644.
 * It is cut into chunks that are gzipped independently, on the libuv thread pool (so on
 * every core), and written in order as consecutive gzip members: a standard .tar.gz that
 * GNU tar, busybox tar and gunzip read. A chunk whose sample does not compress (image
 * blobs, .tgz, .zst: already compressed) is stored at deflate level 0; the rest is
 * compressed at DEFAULT_LEVEL. Everything depends on content alone, so the same tree gives the
 * same bytes. The output is written to a temporary name and renamed when complete.
 */










const gzipAsync = (0,external_node_util_namespaceObject.promisify)(external_node_zlib_namespaceObject.gzip);
const CHUNK = 4 * 1024 * 1024;
/**
 * Deflate level for compressible chunks. Measured on ELF binaries (npm run bench):
 * level 4 took 0.66x the time of level 6 for +0.5% size; levels 1-3 were no faster.
 */
const DEFAULT_LEVEL = 4;
const SAMPLE = 16 * 1024;
/** Every file and directory under `root`, sorted, named `prefix/...`; links are refused. */
async function walkTree(root, prefix) {
    const entries = [
        { name: `${prefix}/`, type: 'directory', size: 0, executable: true }
    ];
    const visit = async (dir) => {
        for (const name of (await (0,promises_namespaceObject.readdir)(dir)).sort()) {
            const full = (0,external_node_path_namespaceObject.join)(dir, name);
            const info = await (0,promises_namespaceObject.lstat)(full);
            const rel = `${prefix}/${(0,external_node_path_namespaceObject.relative)(root, full).split(external_node_path_namespaceObject.sep).join('/')}`;
            if (info.isDirectory()) {
                entries.push({ name: `${rel}/`, type: 'directory', size: 0, executable: true });
                await visit(full);
            }
            else if (info.isFile()) {
                entries.push({
                    name: rel,
                    type: 'file',
                    source: full,
                    size: info.size,
                    executable: (info.mode & 0o111) !== 0
                });
            }
            else {
                throw new Error(`${full}: only files and directories go into a bundle (found a link or special file)`);
            }
        }
    };
    await visit(root);
    return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
/** True when a sample of `chunk` barely compresses: store it instead. */
function looksCompressed(chunk) {
    const sample = chunk.subarray(0, SAMPLE);
    if (sample.length < 512)
        return false;
    return (0,external_node_zlib_namespaceObject.deflateRawSync)(sample, { level: 1 }).length > sample.length * 0.9;
}
/** Writes `entries` as a deterministic .tar.gz at `target`. */
async function writeTarGz(target, entries, options = {}) {
    const mtime = options.mtime ?? archiveMtime();
    const parallelism = Math.max(1, options.parallelism ?? (0,external_node_os_namespaceObject.availableParallelism)());
    const level = options.level ?? DEFAULT_LEVEL;
    await (0,promises_namespaceObject.mkdir)((0,external_node_path_namespaceObject.dirname)(target), { recursive: true });
    const temp = temporaryPath(target);
    const out = (0,external_node_fs_namespaceObject.createWriteStream)(temp);
    // Any failure, reading or writing, ends the tar stream the consumer loop reads.
    const tar = (0,tar_stream.pack)();
    out.on('error', err => {
        tar.destroy(err);
    });
    const hash = (0,external_node_crypto_namespaceObject.createHash)('sha256');
    let bytes = 0;
    let stored = 0;
    let compressed = 0;
    const total = entries.reduce((n, e) => n + (e.type === 'file' ? e.size : 0), 0);
    let read = 0;
    // Compressed members come back in any order; they are written in order.
    const pending = [];
    const inFlightLimit = parallelism * 2;
    const writeNext = async () => {
        const member = await pending.shift();
        if (!member)
            return;
        hash.update(member);
        bytes += member.length;
        if (!out.write(member))
            await new Promise(resolve => out.once('drain', () => {
                resolve();
            }));
    };
    const submit = async (chunk) => {
        const store = looksCompressed(chunk);
        if (store)
            stored += 1;
        else
            compressed += 1;
        pending.push(gzipAsync(chunk, { level: store ? 0 : level }));
        while (pending.length >= inFlightLimit)
            await writeNext();
    };
    const produce = (async () => {
        for (const entry of entries) {
            const header = {
                name: entry.name,
                mtime,
                uid: 0,
                gid: 0,
                uname: '',
                gname: '',
                mode: entry.type === 'directory' || entry.executable ? 0o755 : 0o644,
                type: entry.type,
                size: entry.type === 'file' ? entry.size : 0
            };
            if (entry.type === 'directory') {
                tar.entry(header);
            }
            else {
                await (0,external_node_stream_promises_namespaceObject.pipeline)((0,external_node_fs_namespaceObject.createReadStream)(entry.source ?? '', { highWaterMark: 1024 * 1024 }), tar.entry(header));
            }
        }
        tar.finalize();
    })().catch((err) => {
        tar.destroy(err instanceof Error ? err : new Error(String(err)));
        throw err;
    });
    try {
        let buffer = [];
        let buffered = 0;
        for await (const piece of tar) {
            let data = piece;
            read = Math.min(total, read + data.length);
            options.onProgress?.(read, total);
            while (data.length > 0) {
                const take = Math.min(CHUNK - buffered, data.length);
                buffer.push(data.subarray(0, take));
                buffered += take;
                data = data.subarray(take);
                if (buffered === CHUNK) {
                    await submit(Buffer.concat(buffer));
                    buffer = [];
                    buffered = 0;
                }
            }
        }
        if (buffered > 0)
            await submit(Buffer.concat(buffer));
        await produce;
        while (pending.length > 0)
            await writeNext();
        await new Promise((resolve, reject) => {
            out.end((err) => {
                if (err)
                    reject(err);
                else
                    resolve();
            });
        });
        await (0,promises_namespaceObject.rename)(temp, target);
    }
    catch (err) {
        tar.destroy();
        out.destroy();
        await Promise.allSettled(pending);
        await produce.catch(() => undefined);
        await (0,promises_namespaceObject.rm)(temp, { force: true });
        throw err;
    }
    return { path: target, bytes, sha256: hash.digest('hex'), stored, compressed };
}
//# sourceMappingURL=targz.js.map
;// CONCATENATED MODULE: ./packages/bundle/lib/delta/base.js
/**
 * The base of a delta: the previous release's bundle.json (a path or an http(s) URL; the
 * old tarball is not needed), and the sha256 of the base tarball, given or read from the
 * release's SHA256SUMS beside that bundle.json.
 */





const isUrl = (s) => /^https?:\/\//i.test(s);
async function readText(source) {
    if (isUrl(source)) {
        let res;
        try {
            res = await fetch(source, { signal: AbortSignal.timeout(60000) });
        }
        catch (err) {
            throw new Error(`base ${source}: cannot fetch it (${err instanceof Error ? err.message : String(err)}); check the URL, or pass the bundle.json as a file`, { cause: err });
        }
        if (!res.ok)
            throw new Error(`base ${source}: HTTP ${res.status}; check the URL`);
        return res.text();
    }
    if (!(0,external_node_fs_namespaceObject.existsSync)(source))
        throw new Error(`base ${source}: no such file`);
    return (0,promises_namespaceObject.readFile)(source, 'utf8');
}
/** Checks that `value` is a kedge bundle.json; `source` names it in errors. */
function parseBundleJson(text, source) {
    let doc;
    try {
        doc = JSON.parse(text);
    }
    catch {
        throw new Error(`${source} is not JSON: pass the bundle.json (meta/bundle.json or <name>.bundle.json)`);
    }
    const missing = ['name', 'side', 'arch', 'images', 'files'].filter(k => doc[k] === undefined);
    if (doc.schemaVersion !== 1 || missing.length > 0) {
        throw new Error(`${source} is not a kedge bundle.json (schemaVersion 1 with name, side, arch, images, files)${missing.length ? `; it lacks ${missing.join(', ')}` : ''}`);
    }
    return doc;
}
function sumsBeside(source) {
    if (isUrl(source))
        return new URL('SHA256SUMS', source).toString();
    return (0,external_node_path_namespaceObject.join)((0,external_node_path_namespaceObject.dirname)(source), 'SHA256SUMS');
}
/** Loads the base; its tarball's sha256 is `sha256`, or else its line in SHA256SUMS beside. */
async function loadBase(source, sha256) {
    const text = await readText(source);
    const json = parseBundleJson(text, `base ${source}`);
    const jsonSha256 = (0,external_node_crypto_namespaceObject.createHash)('sha256').update(text).digest('hex');
    const tarball = `${json.name}.tar.gz`;
    if (sha256 !== undefined) {
        if (!/^[a-f0-9]{64}$/.test(sha256)) {
            throw new Error(`base-sha256 "${sha256}" is not a sha256 (64 lower-case hex digits) of ${tarball}`);
        }
        return { json, jsonSha256, sha256, source };
    }
    const sums = sumsBeside(source);
    let sumsText;
    try {
        sumsText = await readText(sums);
    }
    catch {
        throw new Error(`base ${(0,external_node_path_namespaceObject.basename)(source)}: the sha256 of ${tarball} is needed (a delta names its base), and there is no SHA256SUMS at ${sums}; pass base-sha256 (the line for ${tarball} in the base release's SHA256SUMS)`);
    }
    const found = parseChecksum(sumsText, {
        algorithm: 'sha256',
        format: 'sum',
        entry: tarball,
        source: sums
    });
    return { json, jsonSha256, sha256: found, source };
}
//# sourceMappingURL=base.js.map
;// CONCATENATED MODULE: ./packages/oci/lib/tar.js
/**
 * The tar layout of an archive, computed before any byte is written: every entry's header
 * and data offset is a function of the sorted entry list alone. That lets blob downloads
 * write straight into their place in the final file, in any order, each byte once.
 * Headers are POSIX ustar with fixed metadata (uid/gid 0, no user names).
 */
const tar_BLOCK = 512;
const padded = (n) => Math.ceil(n / tar_BLOCK) * tar_BLOCK;
/** Lays `entries` out in the order given (sort them first for a deterministic archive). */
function tar_planTar(entries) {
    let offset = 0;
    const planned = entries.map(entry => {
        const p = { ...entry, offset, dataOffset: offset + tar_BLOCK };
        offset += tar_BLOCK + padded(entry.type === 'file' ? entry.size : 0);
        return p;
    });
    return { entries: planned, size: offset + 2 * tar_BLOCK };
}
function octal(value, width) {
    const text = value.toString(8);
    if (text.length > width - 1)
        throw new Error(`tar: ${value} does not fit a ${width}-byte field`);
    return `${text.padStart(width - 1, '0')}\0`;
}
/** Splits a path into ustar's prefix (155) and name (100) fields. */
function splitName(path) {
    if (Buffer.byteLength(path) <= 100)
        return { prefix: '', name: path };
    const cut = path.lastIndexOf('/', 155);
    const prefix = path.slice(0, cut);
    const name = path.slice(cut + 1);
    if (cut <= 0 || Buffer.byteLength(prefix) > 155 || Buffer.byteLength(name) > 100) {
        throw new Error(`tar: path too long for ustar: ${path}`);
    }
    return { prefix, name };
}
const TYPEFLAG = { file: '0', symlink: '2', directory: '5' };
/** A ustar header block for `entry`, with mode 0644/0755/0777, uid/gid 0 and `mtime`. */
function tar_ustarHeader(entry, mtime) {
    const block = Buffer.alloc(tar_BLOCK);
    const { prefix, name } = splitName(entry.name);
    const mode = { file: 0o644, symlink: 0o777, directory: 0o755 }[entry.type];
    const linkname = entry.type === 'symlink' ? (entry.linkname ?? '') : '';
    if (Buffer.byteLength(linkname) > 100)
        throw new Error(`tar: link target too long: ${linkname}`);
    block.write(name, 0, 100, 'utf8');
    block.write(octal(mode, 8), 100, 'ascii');
    block.write(octal(0, 8), 108, 'ascii');
    block.write(octal(0, 8), 116, 'ascii');
    block.write(octal(entry.type === 'file' ? entry.size : 0, 12), 124, 'ascii');
    block.write(octal(Math.floor(mtime.getTime() / 1000), 12), 136, 'ascii');
    block.write('        ', 148, 'ascii');
    block.write(TYPEFLAG[entry.type], 156, 'ascii');
    block.write(linkname, 157, 100, 'utf8');
    block.write('ustar\u000000', 257, 'binary');
    block.write(octal(0, 8), 329, 'ascii');
    block.write(octal(0, 8), 337, 'ascii');
    block.write(prefix, 345, 155, 'utf8');
    let sum = 0;
    for (const byte of block)
        sum += byte;
    block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    return block;
}
//# sourceMappingURL=tar.js.map
;// CONCATENATED MODULE: ./packages/bundle/lib/delta/layout.js
/**
 * Reading a kedge images archive (an uncompressed ustar holding an OCI image layout) by
 * offsets: where each entry's header and data sit, index.json, and each platform manifest.
 * kedge's archive writer (@kedge/oci) writes plain ustar entries (no pax or GNU headers), so
 * an entry is a 512-byte header and its data padded to 512 bytes. That lets a delta copy the
 * kept entries byte for byte, headers included, without re-packing.
 */



const IMAGE_NAME = 'io.containerd.image.name';
function field(block, offset, length) {
    const raw = block.subarray(offset, offset + length);
    const nul = raw.indexOf(0);
    return raw.subarray(0, nul < 0 ? raw.length : nul).toString('utf8');
}
/**
 * The key of a symlink's span: kedge's archive ends with the link index.json ->
 * index.oci.json (@kedge/oci archive.ts), which must not shadow the regular index.json that
 * containerd reads. A delta copies it like any other entry.
 */
const symlinkKey = (name) => `symlink:${name}`;
/** Every entry of an uncompressed ustar file, by name; refuses what kedge does not write. */
async function readTarSpans(file) {
    const spans = new Map();
    const fh = await (0,promises_namespaceObject.open)(file, 'r');
    try {
        const total = (await fh.stat()).size;
        const block = Buffer.alloc(tar_BLOCK);
        let offset = 0;
        while (offset + tar_BLOCK <= total) {
            await fh.read(block, 0, tar_BLOCK, offset);
            if (block.every(b => b === 0))
                break;
            const prefix = field(block, 345, 155);
            const name = prefix ? `${prefix}/${field(block, 0, 100)}` : field(block, 0, 100);
            const type = String.fromCharCode(block[156] ?? 0);
            const size = parseInt(field(block, 124, 12).trim() || '0', 8);
            if (!['0', '\0', '5', '2'].includes(type) || !Number.isFinite(size)) {
                throw new Error(`${file}: entry "${name}" is not a plain file or directory (tar type "${type}"): not an images archive kedge wrote; rebuild the full bundle with kedge`);
            }
            const end = offset + tar_BLOCK + Math.ceil(size / tar_BLOCK) * tar_BLOCK;
            if (end > total)
                throw new Error(`${file}: truncated at entry "${name}"; copy it again`);
            const key = type === '2' ? symlinkKey(name) : name;
            spans.set(key, { name, header: offset, data: offset + tar_BLOCK, size, end });
            offset = end;
        }
    }
    finally {
        await fh.close();
    }
    return spans;
}
/** The bytes of one entry. */
async function readSpan(fh, span) {
    const buf = Buffer.alloc(span.size);
    await fh.read(buf, 0, span.size, span.data);
    return buf;
}
function blobEntry(digest) {
    return `blobs/sha256/${digest.slice('sha256:'.length)}`;
}
function sha256Of(data) {
    return `sha256:${(0,external_node_crypto_namespaceObject.createHash)('sha256').update(data).digest('hex')}`;
}
/** Parses an image manifest's config and layers; `what` names it in errors. */
function parseManifest(body, what) {
    const doc = JSON.parse(body.toString('utf8'));
    if (!doc.config?.digest || !Array.isArray(doc.layers)) {
        throw new Error(`${what} is not an image manifest (no config or layers)`);
    }
    return {
        config: { digest: doc.config.digest, size: doc.config.size ?? 0 },
        layers: doc.layers.map((l, i) => {
            if (!l.digest)
                throw new Error(`${what}: layer ${i} has no digest`);
            return { digest: l.digest, size: l.size ?? 0 };
        })
    };
}
/** index.json and every platform manifest of an images archive. */
async function readImagesLayout(file) {
    const spans = await readTarSpans(file);
    const indexSpan = spans.get('index.json');
    if (!spans.has('oci-layout') || !indexSpan) {
        throw new Error(`${file} holds no OCI image layout (oci-layout, index.json): not a kedge images archive`);
    }
    const fh = await (0,promises_namespaceObject.open)(file, 'r');
    try {
        const index = JSON.parse((await readSpan(fh, indexSpan)).toString('utf8'));
        const manifests = [];
        for (const m of index.manifests ?? []) {
            const span = spans.get(blobEntry(m.digest));
            if (!span)
                throw new Error(`${file}: index.json lists ${m.digest}, which it does not hold`);
            const body = await readSpan(fh, span);
            if (sha256Of(body) !== m.digest)
                throw new Error(`${file}: blob ${m.digest} does not match its digest`);
            manifests.push({
                name: m.annotations?.[IMAGE_NAME] ?? m.digest,
                digest: m.digest,
                size: m.size,
                ...parseManifest(body, `${file}: manifest ${m.digest}`)
            });
        }
        const ociSpan = spans.get('index.oci.json');
        const oci = ociSpan
            ? JSON.parse((await readSpan(fh, ociSpan)).toString('utf8'))
            : {};
        const listed = new Set(manifests.map(m => m.digest));
        const twins = (oci.manifests ?? []).map(m => m.digest).filter(d => !listed.has(d));
        return { file, spans, manifests, twins };
    }
    finally {
        await fh.close();
    }
}
/** Reads one blob of the archive when it holds it (verified), else undefined. */
async function readLayoutBlob(layout, digest) {
    const span = layout.spans.get(blobEntry(digest));
    if (!span)
        return undefined;
    const fh = await (0,promises_namespaceObject.open)(layout.file, 'r');
    try {
        const body = await readSpan(fh, span);
        if (sha256Of(body) !== digest)
            throw new Error(`${layout.file}: blob ${digest} does not match its digest`);
        return body;
    }
    finally {
        await fh.close();
    }
}
//# sourceMappingURL=layout.js.map
;// CONCATENATED MODULE: ./packages/bundle/lib/delta/images.js
/**
 * The image half of a delta: which blobs the base bundle already carried (by digest), and
 * the delta's images archive, which is the full archive minus those layers.
 *
 * The base's blobs are its images' manifests, configs and layers. bundle.json lists each
 * image's manifest and config digest; the layers are read from the manifest, which is taken
 * from the new archive when it holds it (an unchanged image) or else fetched by digest from
 * the registry (immutable, verified against the digest).
 *
 * The delta archive keeps oci-layout, index.json, every manifest and config (small) and the
 * layers the base lacks; it drops the Docker manifest.json and repositories, whose layer
 * files would be missing. containerd imports such an archive when the absent layers are in
 * its content store already (docs/upstream-facts.md, section 14).
 */



/** The registry, as the base bundle's spec reached it (mirrors, insecure hosts), plus `client`. */
function registryManifestSource(base, client = {}) {
    const spec = base.spec;
    const registry = spec?.registry ?? {};
    const rc = new RegistryClient({
        ...client,
        ...(registry.fallbackToOrigin === false ? { fallbackToOrigin: false } : {}),
        mirrors: new Map([
            ...parseMirrors((registry.mirrors ?? []).join('\n')),
            ...(client.mirrors ?? new Map())
        ]),
        insecure: [...(registry.insecure ?? []), ...(client.insecure ?? [])]
    });
    return async (name, digest) => (await rc.getManifest(parseReference(name), digest)).body;
}
/** Every blob digest the base bundle's images archive held. */
async function baseBlobs(base, layout, fetchManifest) {
    const blobs = new Set();
    for (const image of base.images) {
        blobs.add(image.manifestDigest);
        blobs.add(image.configDigest);
        let body = await readLayoutBlob(layout, image.manifestDigest);
        if (!body) {
            try {
                body = await fetchManifest(image.name, image.manifestDigest);
            }
            catch (err) {
                throw new Error(`base image ${image.name}@${image.manifestDigest}: cannot read its manifest to learn its layers (${err instanceof Error ? err.message : String(err)}); the delta needs the registry the base was built from`, { cause: err });
            }
            if (sha256Of(body) !== image.manifestDigest) {
                throw new Error(`base image ${image.name}: the registry served a manifest that does not match ${image.manifestDigest}`);
            }
        }
        const { layers } = parseManifest(body, `base image ${image.name}@${image.manifestDigest}`);
        for (const l of layers)
            blobs.add(l.digest);
    }
    return blobs;
}
/** Which layers of `layout` the base already has. Manifests and configs are always kept. */
function planDeltaImages(layout, base) {
    const layers = new Map();
    const small = new Map();
    for (const m of layout.manifests) {
        small.set(m.digest, m.size);
        small.set(m.config.digest, m.config.size);
        for (const l of m.layers)
            layers.set(l.digest, l.size);
    }
    const omitted = [];
    const kept = [...small].map(([digest, size]) => ({ digest, size }));
    for (const [digest, size] of layers) {
        if (small.has(digest))
            continue;
        if (base.has(digest))
            omitted.push({ digest, size });
        else
            kept.push({ digest, size });
    }
    const byDigest = (a, b) => a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0;
    return { omitted: omitted.sort(byDigest), kept: kept.sort(byDigest) };
}
const DROPPED = new Set(['manifest.json', 'repositories']);
/**
 * Writes the delta images archive: the full archive's entries, byte for byte (headers
 * included), minus the omitted layers and the Docker files. Temporary name, then rename.
 */
async function writeDeltaImages(layout, plan, output) {
    const omit = new Set(plan.omitted.map(o => blobEntry(o.digest)));
    const spans = [...layout.spans.values()]
        .filter(s => !omit.has(s.name) && !DROPPED.has(s.name))
        .sort((a, b) => a.header - b.header);
    const temp = temporaryPath(output);
    const src = await (0,promises_namespaceObject.open)(layout.file, 'r');
    const dst = await (0,promises_namespaceObject.open)(temp, 'w');
    try {
        let written = 0;
        const buf = Buffer.alloc(1024 * 1024);
        const copy = async (span) => {
            for (let at = span.header; at < span.end;) {
                const n = Math.min(buf.length, span.end - at);
                const { bytesRead } = await src.read(buf, 0, n, at);
                if (bytesRead !== n)
                    throw new Error(`${layout.file}: short read at ${at}`);
                await dst.write(buf, 0, n, written);
                written += n;
                at += n;
            }
        };
        for (const span of spans)
            await copy(span);
        // End of archive: two zero blocks.
        await dst.write(Buffer.alloc(1024), 0, 1024, written);
        written += 1024;
        await dst.close();
        await (0,promises_namespaceObject.rename)(temp, output);
        return written;
    }
    catch (err) {
        await dst.close().catch(() => undefined);
        await (0,promises_namespaceObject.rm)(temp, { force: true });
        throw err;
    }
    finally {
        await src.close();
    }
}
//# sourceMappingURL=images.js.map
;// CONCATENATED MODULE: ./packages/bundle/lib/extract.js
/**
 * Safe extraction of release archives (.tar.gz / .tgz), for any input, with or without a
 * `select` map:
 *  - absolute paths, `..` parts, devices and FIFOs are refused;
 *  - a symlink must point inside the target, with `..` only at the start of its target
 *    (`../lib/x`, never `a/../..`, which could climb through another link);
 *  - nothing is ever written through a link: every directory on the way to an entry is
 *    checked (lstat) to be a real directory, so chains such as `x -> .` then `x/y -> ..`
 *    are refused; a file is created without following a link in its place;
 *  - a hard link may only name a regular file this extraction wrote;
 *  - the entry count and the bytes the entries declare are capped (a gzip bomb stops);
 *  - on refusal, what this extraction created is removed again.
 */






class UnsafeArchiveError extends Error {
    constructor(archive, entry, why) {
        super(`refusing ${archive}: entry "${entry}" ${why}`);
        this.name = 'UnsafeArchiveError';
    }
}
/** Checks one entry name (and link target); returns its normalized relative path. */
function checkEntry(archive, name, type, linkname) {
    if (name.includes('\0'))
        throw new UnsafeArchiveError(archive, name, 'has a NUL byte');
    if ((0,external_node_path_namespaceObject.isAbsolute)(name) || /^[A-Za-z]:/.test(name))
        throw new UnsafeArchiveError(archive, name, 'is an absolute path');
    const clean = external_node_path_namespaceObject.posix.normalize(name.replace(/\\/g, '/'));
    if (clean === '..' || clean.startsWith('../') || name.split('/').includes('..')) {
        throw new UnsafeArchiveError(archive, name, 'climbs out of the target with ..');
    }
    if (![
        'file',
        'directory',
        'symlink',
        'link',
        'pax-header',
        'pax-global-header',
        'gnu-long-path',
        'gnu-long-link-path'
    ].includes(type)) {
        throw new UnsafeArchiveError(archive, name, `is a ${type}, not a file, directory or link`);
    }
    if (type === 'symlink' || type === 'link') {
        const target = linkname ?? '';
        const resolved = type === 'symlink' && !(0,external_node_path_namespaceObject.isAbsolute)(target)
            ? external_node_path_namespaceObject.posix.normalize(external_node_path_namespaceObject.posix.join(external_node_path_namespaceObject.posix.dirname(clean), target))
            : external_node_path_namespaceObject.posix.normalize(target);
        if ((0,external_node_path_namespaceObject.isAbsolute)(target) || resolved === '..' || resolved.startsWith('../')) {
            throw new UnsafeArchiveError(archive, name, `links to "${target}", outside the target`);
        }
        const parts = target.split('/').filter(p => p !== '' && p !== '.');
        const firstName = parts.findIndex(p => p !== '..');
        if (type === 'symlink' && firstName >= 0 && parts.slice(firstName).includes('..')) {
            throw new UnsafeArchiveError(archive, name, `links to "${target}", which climbs (..) after a name and could pass through another link`);
        }
    }
    return clean.replace(/\/$/, '');
}
/** Skips an entry's data. */
function drain(stream) {
    return new Promise(resolve => {
        stream.on('end', () => {
            resolve();
        });
        stream.resume();
    });
}
const CREATE_FILE = external_node_fs_namespaceObject.constants.O_WRONLY | external_node_fs_namespaceObject.constants.O_CREAT | external_node_fs_namespaceObject.constants.O_EXCL | external_node_fs_namespaceObject.constants.O_NOFOLLOW;
/**
 * Makes the directories of `rel` (relative to dest) one by one, each a real directory:
 * a link or a file on the way is refused, so nothing is ever written through a link.
 */
async function realDirs(x, entry, rel) {
    let at = x.dest;
    for (const part of rel.split('/').filter(p => p !== '' && p !== '.')) {
        at = (0,external_node_path_namespaceObject.join)(at, part);
        const info = await (0,promises_namespaceObject.lstat)(at).catch(() => undefined);
        if (!info) {
            await (0,promises_namespaceObject.mkdir)(at, { mode: 0o755 });
            x.made.push(at);
        }
        else if (!info.isDirectory()) {
            const what = info.isSymbolicLink() ? 'a symbolic link' : 'not a directory';
            throw new UnsafeArchiveError(x.archive, entry, `would be written through "${(0,external_node_path_namespaceObject.relative)(x.dest, at)}", which is ${what}`);
        }
    }
}
/** Clears the place of a new file or link: an old file or link goes, a directory stays (refused). */
async function clearPlace(x, entry, target) {
    const info = await (0,promises_namespaceObject.lstat)(target).catch(() => undefined);
    if (!info)
        return;
    if (info.isDirectory()) {
        throw new UnsafeArchiveError(x.archive, entry, 'would replace a directory');
    }
    await (0,promises_namespaceObject.rm)(target, { force: true });
}
/** Writes one entry (already checked and mapped to `to`) under dest. */
async function writeEntry(x, header, stream, to, linkFrom) {
    const target = (0,external_node_path_namespaceObject.normalize)((0,external_node_path_namespaceObject.join)(x.dest, to));
    const rel = (0,external_node_path_namespaceObject.relative)(x.dest, target);
    if (rel === '' || rel.startsWith('..') || (0,external_node_path_namespaceObject.isAbsolute)(rel))
        throw new UnsafeArchiveError(x.archive, header.name, 'maps outside the target');
    if (header.type === 'directory') {
        await realDirs(x, header.name, rel);
        return;
    }
    await realDirs(x, header.name, external_node_path_namespaceObject.posix.dirname(rel));
    await clearPlace(x, header.name, target);
    if (header.type === 'link') {
        if (!linkFrom || !x.files.has(linkFrom)) {
            throw new UnsafeArchiveError(x.archive, header.name, `is a hard link to "${header.linkname}", which is not a file this archive wrote`);
        }
        await (0,promises_namespaceObject.link)((0,external_node_path_namespaceObject.join)(x.dest, linkFrom), target);
        x.made.push(target);
        x.files.add(rel);
    }
    else if (header.type === 'symlink') {
        await (0,promises_namespaceObject.symlink)(header.linkname, target);
        x.made.push(target);
    }
    else {
        const handle = await (0,promises_namespaceObject.open)(target, CREATE_FILE, header.mode & 0o755);
        x.made.push(target);
        await (0,external_node_stream_promises_namespaceObject.pipeline)(stream, handle.createWriteStream());
        x.files.add(rel);
    }
}
/** Counts an entry against the caps. */
function count(x, name, size, options) {
    x.entries += 1;
    x.bytes += size;
    const maxEntries = options.maxEntries ?? 100_000;
    const maxBytes = options.maxBytes ?? 2 * 1024 ** 3;
    if (x.entries > maxEntries) {
        throw new UnsafeArchiveError(x.archive, name, `is past the limit of ${maxEntries} entries`);
    }
    if (x.bytes > maxBytes) {
        throw new UnsafeArchiveError(x.archive, name, `takes the archive past the limit of ${maxBytes} bytes (a gzip bomb?)`);
    }
}
/** Removes what a refused extraction created, newest first. */
async function undo(x) {
    for (const path of [...x.made].reverse()) {
        const info = await (0,promises_namespaceObject.lstat)(path).catch(() => undefined);
        if (info?.isDirectory())
            await (0,promises_namespaceObject.rmdir)(path).catch(() => undefined);
        else if (info)
            await (0,promises_namespaceObject.rm)(path, { force: true }).catch(() => undefined);
    }
}
/** Extracts a .tar.gz into `dest`; returns the relative paths written. */
async function extractTarGz(archive, dest, options = {}) {
    await (0,promises_namespaceObject.mkdir)(dest, { recursive: true });
    const x = { archive, dest, made: [], files: new Set(), entries: 0, bytes: 0 };
    const written = [];
    const reader = (0,tar_stream.extract)();
    reader.on('entry', (header, stream, next) => {
        const go = async () => {
            count(x, header.name, header.size, options);
            const path = checkEntry(archive, header.name, header.type, header.linkname);
            const to = options.select ? options.select(path, header.type) : path;
            if (to === undefined || path === '' || path === '.') {
                await drain(stream);
                return;
            }
            // A hard link names an earlier entry, relative to the archive root.
            const linkFrom = header.type === 'link'
                ? options.select
                    ? options.select(checkEntry(archive, header.linkname, 'file'), 'file')
                    : checkEntry(archive, header.linkname, 'file')
                : undefined;
            await writeEntry(x, header, stream, to, linkFrom && external_node_path_namespaceObject.posix.normalize(linkFrom));
            if (header.type === 'file') {
                written.push(to);
                return;
            }
            await drain(stream);
            if (header.type !== 'directory')
                written.push(to);
        };
        go().then(() => {
            next();
        }, (err) => {
            // The entry's own stream is torn down with the reader; its error is this one.
            stream.on('error', () => undefined);
            reader.destroy(err instanceof Error ? err : new Error(String(err)));
        });
    });
    try {
        await (0,external_node_stream_promises_namespaceObject.pipeline)((0,external_node_fs_namespaceObject.createReadStream)(archive), (0,external_node_zlib_namespaceObject.createGunzip)(), reader);
    }
    catch (err) {
        await undo(x);
        throw err;
    }
    return written;
}
//# sourceMappingURL=extract.js.map
;// CONCATENATED MODULE: ./packages/bundle/lib/delta/files.js
/**
 * The file half of a delta: opening the new full bundle (directory or .tar.gz), checking it
 * against its SHA256SUMS, and copying what the delta keeps (modes included).
 */




/** Files a delta always carries, whatever the base had. */
function alwaysKept(path) {
    return (['install.js', 'install.sh', 'package.json', 'README.txt'].includes(path) ||
        path.startsWith('meta/') ||
        path.startsWith('runtime/') ||
        path.startsWith('images/'));
}
/** The extracted top directory of the new bundle: `bundle` itself, or its .tar.gz unpacked into `staging`. */
async function openBundle(bundle, staging) {
    if ((await (0,promises_namespaceObject.stat)(bundle)).isDirectory())
        return bundle;
    const dir = (0,external_node_path_namespaceObject.join)(staging, 'full');
    await extractTarGz(bundle, dir);
    const tops = await (0,promises_namespaceObject.readdir)(dir);
    if (tops.length !== 1 || !tops[0])
        throw new Error(`${bundle} does not hold one top directory: not a kedge bundle`);
    return (0,external_node_path_namespaceObject.join)(dir, tops[0]);
}
/** Verifies `root` against its SHA256SUMS: the delta is built from what was released. */
async function verifySums(root) {
    const text = await (0,promises_namespaceObject.readFile)((0,external_node_path_namespaceObject.join)(root, 'SHA256SUMS'), 'utf8').catch(() => {
        throw new Error(`${root} has no SHA256SUMS: not a complete kedge bundle`);
    });
    for (const line of text.split('\n').filter(Boolean)) {
        const m = /^([a-f0-9]{64}) {2}(.+)$/.exec(line);
        if (!m?.[1] || !m[2])
            throw new Error(`${root}/SHA256SUMS: bad line "${line}"`);
        if ((await hashFile((0,external_node_path_namespaceObject.join)(root, m[2]), 'sha256').catch(() => '')) !== m[1]) {
            throw new Error(`${root}/${m[2]} is missing or differs from SHA256SUMS: rebuild or copy the full bundle again`);
        }
    }
}
async function listFiles(root) {
    const out = [];
    const visit = async (dir) => {
        for (const name of (await (0,promises_namespaceObject.readdir)(dir)).sort()) {
            const full = (0,external_node_path_namespaceObject.join)(dir, name);
            if ((await (0,promises_namespaceObject.stat)(full)).isDirectory())
                await visit(full);
            else
                out.push((0,external_node_path_namespaceObject.relative)(root, full).split('\\').join('/'));
        }
    };
    await visit(root);
    return out.sort();
}
/** Copies what the delta keeps; returns the files it leaves out. */
async function placeFiles(from, to, target, base) {
    const baseFiles = new Map(base.files.map(f => [f.path, f.sha256]));
    const omitted = [];
    for (const path of await listFiles(from)) {
        if (path === 'SHA256SUMS' || path === 'meta/bundle.json' || path.startsWith('images/'))
            continue;
        const file = target.files.find(f => f.path === path);
        if (file && !alwaysKept(path) && baseFiles.get(path) === file.sha256) {
            omitted.push({ path, sha256: file.sha256, size: file.size });
            continue;
        }
        await (0,promises_namespaceObject.mkdir)((0,external_node_path_namespaceObject.dirname)((0,external_node_path_namespaceObject.join)(to, path)), { recursive: true });
        await (0,promises_namespaceObject.copyFile)((0,external_node_path_namespaceObject.join)(from, path), (0,external_node_path_namespaceObject.join)(to, path));
        const mode = (await (0,promises_namespaceObject.stat)((0,external_node_path_namespaceObject.join)(from, path))).mode & 0o777;
        await (0,promises_namespaceObject.chmod)((0,external_node_path_namespaceObject.join)(to, path), mode);
    }
    return omitted;
}
//# sourceMappingURL=files.js.map
;// CONCATENATED MODULE: ./packages/bundle/lib/delta/check.js
/**
 * What a host needs to know about a delta bundle before it installs from it. Pure functions
 * over bundle.json and command output, with no dependencies, so the installer can use them:
 * is this a delta, which base does it need, and are the base's blobs still in containerd's
 * content store.
 */
/** The delta section of a bundle.json, or null for a full bundle. */
function deltaSection(bundleJson) {
    const delta = bundleJson?.delta;
    if (!delta)
        return null;
    const base = delta.base;
    if (!base?.name ||
        !/^[a-f0-9]{64}$/.test(base.sha256 ?? '') ||
        !delta.target ||
        !delta.omittedBlobs) {
        throw new Error('bundle.json has a delta section without a base name and sha256: a broken delta; use the full bundle');
    }
    return delta;
}
/** The digests `ctr -n k8s.io content ls -q` prints (or the DIGEST column of `content ls`). */
function parseContentList(output) {
    const found = new Set();
    for (const m of output.matchAll(/sha256:[a-f0-9]{64}/g))
        found.add(m[0]);
    return found;
}
/** The omitted blobs that `present` (the content store) lacks. */
function missingBaseBlobs(delta, present) {
    return delta.omittedBlobs.map(b => b.digest).filter(d => !present.has(d));
}
/**
 * Why a host must not install this delta, or null when it may. `installed` is the name of
 * the bundle the host runs (from its state), `missing` what missingBaseBlobs found.
 */
function deltaRefusal(delta, installed, missing) {
    const full = `${delta.target.name}.tar.gz`;
    if (installed !== delta.base.name) {
        return `this is a delta from ${delta.base.name}, but this host ${installed ? `runs ${installed}` : 'has no kedge bundle installed'}; install the full bundle ${full} instead`;
    }
    if (missing.length > 0) {
        return `this delta leaves out ${missing.length} image blob(s) that the base ${delta.base.name} carried, and containerd no longer has them (e.g. ${missing.slice(0, 3).join(', ')}): were the base images removed? Install the full bundle ${full} instead`;
    }
    return null;
}
//# sourceMappingURL=check.js.map
;// CONCATENATED MODULE: ./packages/bundle/lib/delta/verify.js
/**
 * The completeness check of a delta bundle's directory. A full bundle's images archive must
 * hold every blob its manifests reference; a delta's must hold each one or list it in
 * delta.omittedBlobs (the base carried it). The files a delta leaves out must be absent and
 * listed. buildDelta runs this before it writes the tarball.
 */





/** What is wrong with the delta in `root` (its extracted top directory); empty when complete. */
async function verifyDelta(root) {
    const json = JSON.parse(await (0,promises_namespaceObject.readFile)((0,external_node_path_namespaceObject.join)(root, 'meta', 'bundle.json'), 'utf8'));
    const delta = deltaSection(json);
    if (!delta)
        return [`${root}: meta/bundle.json has no delta section: not a delta bundle`];
    const problems = [];
    const archive = `images/${json.side}-images.tar`;
    const layout = await readImagesLayout((0,external_node_path_namespaceObject.join)(root, archive));
    const omitted = new Set(delta.omittedBlobs.map(b => b.digest));
    const referenced = new Set();
    const absent = new Map();
    for (const m of layout.manifests) {
        referenced.add(m.digest);
        for (const b of [m.config, ...m.layers]) {
            referenced.add(b.digest);
            const held = layout.spans.has(blobEntry(b.digest));
            if (!held && !omitted.has(b.digest))
                absent.set(b.digest, [...(absent.get(b.digest) ?? []), m.name]);
            if (held && omitted.has(b.digest)) {
                problems.push(`${archive}: ${b.digest} is listed as left out, but the archive holds it`);
            }
        }
    }
    for (const twin of layout.twins) {
        if (!layout.spans.has(blobEntry(twin)))
            problems.push(`${archive}: index.oci.json lists ${twin}, which the archive does not hold`);
    }
    for (const [digest, images] of absent) {
        problems.push(`${archive}: ${images.join(', ')} need(s) ${digest}, which is neither in the archive nor listed as left out`);
    }
    for (const d of omitted) {
        if (!referenced.has(d))
            problems.push(`delta.omittedBlobs lists ${d}, which no image of this bundle uses`);
    }
    for (const f of delta.omittedFiles) {
        if ((0,external_node_fs_namespaceObject.existsSync)((0,external_node_path_namespaceObject.join)(root, f.path)))
            problems.push(`${f.path} is listed as left out, but the delta holds it`);
    }
    for (const f of json.files) {
        if (!(0,external_node_fs_namespaceObject.existsSync)((0,external_node_path_namespaceObject.join)(root, f.path)))
            problems.push(`${f.path} is in bundle.json files, but missing`);
    }
    return problems;
}
//# sourceMappingURL=verify.js.map
;// CONCATENATED MODULE: ./packages/bundle/lib/delta/build.js
/**
 * buildDelta: from the base release's bundle.json and a new full bundle (directory or
 * .tar.gz), the delta bundle kubeedge-<side>-<new>-from-<old>-<arch>.tar.gz. It leaves out
 * every image layer the base carried (by digest) and every file whose path and sha256 are
 * unchanged. It always keeps the installer, its wrapper and runtime, the README, meta/ and
 * the images archive (manifests and configs at least). Its meta/bundle.json is the new
 * bundle's, with `files` describing the delta and a `delta` section naming the base
 * (tarball sha256 included); SHA256SUMS covers every file, as in a full bundle.
 */











const sha256Text = (text) => (0,external_node_crypto_namespaceObject.createHash)('sha256').update(text).digest('hex');
/** kubeedge-edge-1.22.2-amd64 from kubeedge-edge-1.22.0-amd64: kubeedge-edge-1.22.2-from-1.22.0-amd64 */
function deltaBundleName(target, base) {
    const head = `kubeedge-${target.side}-`;
    const tail = `-${target.arch}`;
    const strip = (name) => {
        if (!name.startsWith(head) || !name.endsWith(tail)) {
            throw new Error(`bundle name ${name} does not follow kubeedge-${target.side}-<version>-${target.arch}`);
        }
        return name.slice(head.length, name.length - tail.length);
    };
    return `${head}${strip(target.name)}-from-${strip(base.name)}${tail}`;
}
function checkPair(target, base) {
    const b = base.json;
    if (b.side !== target.side || b.arch !== target.arch) {
        throw new Error(`base ${b.name} is a ${b.side} ${b.arch} bundle, the new bundle ${target.name} a ${target.side} ${target.arch} one: a delta needs the same side and arch`);
    }
    if (b.name === target.name) {
        throw new Error(`base ${base.source} is ${b.name}, the same bundle as the new one: there is nothing to leave out`);
    }
    if (b.delta || target.delta) {
        throw new Error('a delta is built between full bundles: the base or the new bundle is itself a delta');
    }
}
/** The delta's images archive; returns the omitted layers and both archive sizes. */
async function deltaImages(from, to, target, base, options) {
    const rel = `images/${target.side}-images.tar`;
    const layout = await readImagesLayout((0,external_node_path_namespaceObject.join)(from, rel));
    const fetchManifest = options.fetchManifest ?? registryManifestSource(base.json, options.client);
    const plan = planDeltaImages(layout, await baseBlobs(base.json, layout, fetchManifest));
    await (0,promises_namespaceObject.mkdir)((0,external_node_path_namespaceObject.join)(to, 'images'), { recursive: true });
    const delta = await writeDeltaImages(layout, plan, (0,external_node_path_namespaceObject.join)(to, rel));
    options.logger?.info(`${rel}: ${plan.omitted.length} layer(s) left out (the base has them), ${plan.kept.length} blob(s) kept`);
    return { omitted: plan.omitted, full: (await (0,promises_namespaceObject.stat)((0,external_node_path_namespaceObject.join)(from, rel))).size, delta };
}
/** meta/bundle.json and SHA256SUMS of the delta in `root`; returns the bundle.json text. */
async function writeMeta(root, target, name, delta) {
    const files = [];
    for (const path of await listFiles(root)) {
        if (path === 'meta/bundle.json' || path === 'SHA256SUMS')
            continue;
        files.push({
            path,
            sha256: await hashFile((0,external_node_path_namespaceObject.join)(root, path), 'sha256'),
            size: (await (0,promises_namespaceObject.stat)((0,external_node_path_namespaceObject.join)(root, path))).size
        });
    }
    const text = `${JSON.stringify({ ...target, name, files, delta }, null, 2)}\n`;
    await (0,promises_namespaceObject.writeFile)((0,external_node_path_namespaceObject.join)(root, 'meta', 'bundle.json'), text);
    const sums = [];
    for (const path of await listFiles(root)) {
        if (path !== 'SHA256SUMS')
            sums.push(`${await hashFile((0,external_node_path_namespaceObject.join)(root, path), 'sha256')}  ${path}`);
    }
    await (0,promises_namespaceObject.writeFile)((0,external_node_path_namespaceObject.join)(root, 'SHA256SUMS'), `${sums.join('\n')}\n`);
    return text;
}
async function buildDelta(options) {
    const base = await loadBase(options.base, options.baseSha256);
    await (0,promises_namespaceObject.mkdir)(options.outputDir, { recursive: true });
    const staging = await (0,promises_namespaceObject.mkdtemp)((0,external_node_path_namespaceObject.join)(options.outputDir, '.delta.staging-'));
    try {
        const from = await openBundle(options.bundle, staging);
        const targetText = await (0,promises_namespaceObject.readFile)((0,external_node_path_namespaceObject.join)(from, 'meta', 'bundle.json'), 'utf8');
        const target = parseBundleJson(targetText, `${options.bundle} (meta/bundle.json)`);
        checkPair(target, base);
        await verifySums(from);
        const name = deltaBundleName(target, base.json);
        const root = (0,external_node_path_namespaceObject.join)(staging, 'delta', name);
        await (0,promises_namespaceObject.mkdir)((0,external_node_path_namespaceObject.join)(root, 'meta'), { recursive: true });
        const omittedFiles = await placeFiles(from, root, target, base.json);
        const images = await deltaImages(from, root, target, base, options);
        const delta = {
            base: {
                name: base.json.name,
                sha256: base.sha256,
                bundleJsonSha256: base.jsonSha256,
                versions: base.json.versions
            },
            target: { name: target.name, bundleJsonSha256: sha256Text(targetText) },
            omittedFiles,
            omittedBlobs: images.omitted
        };
        const text = await writeMeta(root, target, name, delta);
        const problems = await verifyDelta(root);
        if (problems.length > 0) {
            throw new Error(`the delta ${name} is not complete; not writing it:\n  ${problems.join('\n  ')}`);
        }
        const bundle = (0,external_node_path_namespaceObject.join)(options.outputDir, `${name}.tar.gz`);
        const written = await writeTarGz(bundle, await walkTree(root, name));
        const manifest = (0,external_node_path_namespaceObject.join)(options.outputDir, `${name}.bundle.json`);
        const temp = temporaryPath(manifest);
        await (0,promises_namespaceObject.writeFile)(temp, text);
        await (0,promises_namespaceObject.rename)(temp, manifest);
        options.logger?.info(`delta ${bundle}: ${written.bytes} bytes, sha256 ${written.sha256}; base ${base.json.name} (${base.sha256})`);
        return {
            name,
            bundle,
            sha256: written.sha256,
            size: written.bytes,
            manifest,
            base: { name: base.json.name, sha256: base.sha256 },
            delta,
            imagesArchive: { full: images.full, delta: images.delta }
        };
    }
    finally {
        await (0,promises_namespaceObject.rm)(staging, { recursive: true, force: true });
    }
}
//# sourceMappingURL=build.js.map
;// CONCATENATED MODULE: ./packages/bundle/lib/delta/cli.js
/**
 * `kedge delta` (npm run delta, dist/delta/index.js): the delta bundle of a new full bundle
 * against a previous release's bundle.json.
 *   kedge delta --base URL|FILE [--base-sha256 HEX] --bundle NEW.tar.gz|DIR [--output-dir DIR]
 *               [--mirror registry=URL ...] [--insecure host:port ...] [--json]
 * Exit 0 with the delta written, 2 on bad usage, 1 when the delta cannot be built.
 */




const USAGE = 'usage: kedge delta --base URL|FILE [--base-sha256 HEX] --bundle NEW.tar.gz|DIR [--output-dir DIR] [--mirror registry=URL ...] [--insecure host:port ...] [--json]';
const mib = (n) => `${(n / 1048576).toFixed(1)} MiB`;
function summary(d, fullSize) {
    return [
        `${d.bundle}: ${mib(d.size)}, sha256 ${d.sha256}`,
        `  base ${d.base.name} (${d.base.sha256})`,
        `  left out: ${d.delta.omittedFiles.length} unchanged file(s), ${d.delta.omittedBlobs.length} image layer(s) the base carried`,
        `  images archive: ${mib(d.imagesArchive.delta)} of ${mib(d.imagesArchive.full)}${fullSize ? `; the delta is ${((100 * d.size) / fullSize).toFixed(1)} % of the full bundle` : ''}`
    ];
}
/** Runs the command; returns the exit code. */
async function deltaMain(argv, write = s => process.stdout.write(s), stat = p => (0,external_node_fs_namespaceObject.existsSync)(p) && (0,external_node_fs_namespaceObject.statSync)(p).isFile() ? (0,external_node_fs_namespaceObject.statSync)(p).size : undefined) {
    let v;
    try {
        v = (0,external_node_util_namespaceObject.parseArgs)({
            args: argv,
            options: {
                base: { type: 'string' },
                'base-sha256': { type: 'string' },
                bundle: { type: 'string' },
                'output-dir': { type: 'string' },
                mirror: { type: 'string', multiple: true },
                insecure: { type: 'string', multiple: true },
                json: { type: 'boolean' },
                help: { type: 'boolean' }
            }
        }).values;
    }
    catch (err) {
        process.stderr.write(`kedge delta: ${err.message}\n${USAGE}\n`);
        return 2;
    }
    if (v.help) {
        write(`${USAGE}\n`);
        return 0;
    }
    if (!v.base || !v.bundle) {
        process.stderr.write(`kedge delta: --base and --bundle are required\n${USAGE}\n`);
        return 2;
    }
    const logger = {
        debug: () => undefined,
        info: m => {
            if (!v.json)
                process.stderr.write(`${m}\n`);
        },
        warn: m => {
            process.stderr.write(`warning: ${m}\n`);
        }
    };
    try {
        const result = await buildDelta({
            base: v.base,
            ...(v['base-sha256'] ? { baseSha256: v['base-sha256'] } : {}),
            bundle: v.bundle,
            outputDir: v['output-dir'] ?? '.',
            client: { mirrors: parseMirrors(v.mirror ?? []), insecure: v.insecure ?? [] },
            logger
        });
        if (v.json)
            write(`${JSON.stringify(result)}\n`);
        else
            write(`${summary(result, stat(v.bundle)).join('\n')}\n`);
        return 0;
    }
    catch (err) {
        process.stderr.write(`kedge delta: ${err instanceof Error ? err.message : String(err)}\n`);
        return 1;
    }
}
//# sourceMappingURL=cli.js.map

/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId](module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/async module */
/******/ (() => {
/******/ 	var webpackQueues = typeof Symbol === "function" ? Symbol("webpack queues") : "__webpack_queues__";
/******/ 	var webpackExports = typeof Symbol === "function" ? Symbol("webpack exports") : "__webpack_exports__";
/******/ 	var webpackError = typeof Symbol === "function" ? Symbol("webpack error") : "__webpack_error__";
/******/ 	var resolveQueue = (queue) => {
/******/ 		if(queue && queue.d < 1) {
/******/ 			queue.d = 1;
/******/ 			queue.forEach((fn) => (fn.r--));
/******/ 			queue.forEach((fn) => (fn.r-- ? fn.r++ : fn()));
/******/ 		}
/******/ 	}
/******/ 	var wrapDeps = (deps) => (deps.map((dep) => {
/******/ 		if(dep !== null && typeof dep === "object") {
/******/ 			if(dep[webpackQueues]) return dep;
/******/ 			if(dep.then) {
/******/ 				var queue = [];
/******/ 				queue.d = 0;
/******/ 				dep.then((r) => {
/******/ 					obj[webpackExports] = r;
/******/ 					resolveQueue(queue);
/******/ 				}, (e) => {
/******/ 					obj[webpackError] = e;
/******/ 					resolveQueue(queue);
/******/ 				});
/******/ 				var obj = {};
/******/ 				obj[webpackQueues] = (fn) => (fn(queue));
/******/ 				return obj;
/******/ 			}
/******/ 		}
/******/ 		var ret = {};
/******/ 		ret[webpackQueues] = x => {};
/******/ 		ret[webpackExports] = dep;
/******/ 		return ret;
/******/ 	}));
/******/ 	__nccwpck_require__.a = (module, body, hasAwait) => {
/******/ 		var queue;
/******/ 		hasAwait && ((queue = []).d = -1);
/******/ 		var depQueues = new Set();
/******/ 		var exports = module.exports;
/******/ 		var currentDeps;
/******/ 		var outerResolve;
/******/ 		var reject;
/******/ 		var promise = new Promise((resolve, rej) => {
/******/ 			reject = rej;
/******/ 			outerResolve = resolve;
/******/ 		});
/******/ 		promise[webpackExports] = exports;
/******/ 		promise[webpackQueues] = (fn) => (queue && fn(queue), depQueues.forEach(fn), promise["catch"](x => {}));
/******/ 		module.exports = promise;
/******/ 		body((deps) => {
/******/ 			currentDeps = wrapDeps(deps);
/******/ 			var fn;
/******/ 			var getResult = () => (currentDeps.map((d) => {
/******/ 				if(d[webpackError]) throw d[webpackError];
/******/ 				return d[webpackExports];
/******/ 			}))
/******/ 			var promise = new Promise((resolve) => {
/******/ 				fn = () => (resolve(getResult));
/******/ 				fn.r = 0;
/******/ 				var fnQueue = (q) => (q !== queue && !depQueues.has(q) && (depQueues.add(q), q && !q.d && (fn.r++, q.push(fn))));
/******/ 				currentDeps.map((dep) => (dep[webpackQueues](fnQueue)));
/******/ 			});
/******/ 			return fn.r ? promise : getResult();
/******/ 		}, (err) => ((err ? reject(promise[webpackError] = err) : outerResolve(exports)), resolveQueue(queue)));
/******/ 		queue && queue.d < 0 && (queue.d = 0);
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/create fake namespace object */
/******/ (() => {
/******/ 	var getProto = Object.getPrototypeOf ? (obj) => (Object.getPrototypeOf(obj)) : (obj) => (obj.__proto__);
/******/ 	var leafPrototypes;
/******/ 	// create a fake namespace object
/******/ 	// mode & 1: value is a module id, require it
/******/ 	// mode & 2: merge all properties of value into the ns
/******/ 	// mode & 4: return value when already ns object
/******/ 	// mode & 16: return value when it's Promise-like
/******/ 	// mode & 8|1: behave like require
/******/ 	__nccwpck_require__.t = function(value, mode) {
/******/ 		if(mode & 1) value = this(value);
/******/ 		if(mode & 8) return value;
/******/ 		if(typeof value === 'object' && value) {
/******/ 			if((mode & 4) && value.__esModule) return value;
/******/ 			if((mode & 16) && typeof value.then === 'function') return value;
/******/ 		}
/******/ 		var ns = Object.create(null);
/******/ 		__nccwpck_require__.r(ns);
/******/ 		var def = {};
/******/ 		leafPrototypes = leafPrototypes || [null, getProto({}), getProto([]), getProto(getProto)];
/******/ 		for(var current = mode & 2 && value; typeof current == 'object' && !~leafPrototypes.indexOf(current); current = getProto(current)) {
/******/ 			Object.getOwnPropertyNames(current).forEach((key) => (def[key] = () => (value[key])));
/******/ 		}
/******/ 		def['default'] = () => (value);
/******/ 		__nccwpck_require__.d(ns, def);
/******/ 		return ns;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/******/ /* webpack/runtime/make namespace object */
/******/ (() => {
/******/ 	// define __esModule on exports
/******/ 	__nccwpck_require__.r = (exports) => {
/******/ 		if(typeof Symbol !== 'undefined' && Symbol.toStringTag) {
/******/ 			Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
/******/ 		}
/******/ 		Object.defineProperty(exports, '__esModule', { value: true });
/******/ 	};
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(363);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ 
