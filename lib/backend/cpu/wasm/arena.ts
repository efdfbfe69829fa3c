import type { TypedArray } from "../../../tensor/dtype.js";
import type { View } from "../../backend.js";
import type { WasmHeap } from "./heap.js";

function viewLike(like: TypedArray, buffer: ArrayBufferLike, byteOffset: number, n: number): TypedArray {
  if (like instanceof Float32Array) return new Float32Array(buffer, byteOffset, n);
  if (like instanceof Float64Array) return new Float64Array(buffer, byteOffset, n);
  if (like instanceof Int32Array) return new Int32Array(buffer, byteOffset, n);
  return new Uint8Array(buffer, byteOffset, n);
}

/**
 * Scratch memory for one kernel call. Operands already in the heap are used in place; others
 * (tensors in plain JS arrays: small ones, or made while the resident budget was spent) are
 * copied in, and an output outside the heap is computed in scratch and copied out at `finish`.
 * Calls are synchronous and never nest, so one arena per backend is reused.
 */
export class Arena {
  private readonly held: number[] = [];
  private readonly outs: { ptr: number; out: TypedArray }[] = [];

  constructor(private readonly heap: WasmHeap) {}

  /** `bytes` of scratch until the call ends; 0 when the heap cannot provide them. */
  scratch(bytes: number): number {
    const p = this.heap.alloc(bytes, false);
    if (p !== 0) this.held.push(p);
    return p;
  }

  /** Address of a view's element at its offset; 0 when it cannot be staged (then use the reference). */
  input(v: View<TypedArray>): number {
    const buf = v.buf;
    const bpe = buf.BYTES_PER_ELEMENT;
    if (this.heap.owns(buf)) return buf.byteOffset + v.offset * bpe;
    let hi = v.offset;
    for (let d = 0; d < v.shape.length; d++) {
      if (v.strides[d]! < 0) return 0;
      hi += (v.shape[d]! - 1) * v.strides[d]!;
    }
    const n = Math.max(0, hi - v.offset + 1);
    const p = this.scratch(n * bpe);
    if (p !== 0) viewLike(buf, this.heap.bytes, p, n).set(buf.subarray(v.offset, v.offset + n));
    return p;
  }

  /** Where a kernel writes `out`: in place when it lives in the heap, else scratch copied back by `finish`. */
  output(out: TypedArray): number {
    if (this.heap.owns(out)) return out.byteOffset;
    const p = this.scratch(out.byteLength);
    if (p !== 0) this.outs.push({ ptr: p, out });
    return p;
  }

  /** Copies staged outputs back and frees the scratch. */
  finish(): void {
    for (const { ptr, out } of this.outs) out.set(viewLike(out, this.heap.bytes, ptr, out.length));
    this.release();
  }

  /** Frees the scratch without copying (a call that gave up). */
  release(): void {
    for (const p of this.held) this.heap.free(p);
    this.held.length = 0;
    this.outs.length = 0;
  }
}
