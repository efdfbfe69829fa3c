/** A growable byte buffer with the encodings the Wasm binary format uses (LEB128, IEEE floats). */
export class Bytes {
  private buf = new Uint8Array(256);
  length = 0;

  byte(b: number): this {
    if (this.length === this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = b;
    return this;
  }

  bytes(bs: ArrayLike<number>): this {
    for (let i = 0; i < bs.length; i++) this.byte(bs[i]!);
    return this;
  }

  /** Unsigned LEB128 (indices, counts, alignments, offsets). */
  u32(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`u32 out of range: ${v}`);
    do {
      let b = v & 0x7f;
      v = Math.floor(v / 128);
      if (v !== 0) b |= 0x80;
      this.byte(b);
    } while (v !== 0);
    return this;
  }

  /** Signed LEB128 of a 32-bit integer (i32.const). */
  s32(v: number): this {
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0xffffffff) throw new RangeError(`s32 out of range: ${v}`);
    v |= 0; // unsigned 32-bit inputs (e.g. 0xffffffff masks) wrap to their i32 bit pattern
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      const done = (v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0);
      this.byte(done ? b : b | 0x80);
      if (done) return this;
    }
  }

  f32(v: number): this {
    const a = new Uint8Array(new Float32Array([v]).buffer);
    return this.bytes(a);
  }

  f64(v: number): this {
    const a = new Uint8Array(new Float64Array([v]).buffer);
    return this.bytes(a);
  }

  /** A length-prefixed byte vector (names, section and function bodies). */
  vec(inner: Bytes): this {
    this.u32(inner.length);
    return this.bytes(inner.view());
  }

  name(s: string): this {
    const enc = new TextEncoder().encode(s);
    this.u32(enc.length);
    return this.bytes(enc);
  }

  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}
