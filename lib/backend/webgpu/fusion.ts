import type { View } from "../backend.js";
import type { GpuBuffer } from "./gpu-buffer.js";
import type { Expr } from "./wgsl/exprs.js";
import { convert, wtype, type WType } from "./wgsl/prelude.js";

/** A materialized input of a fused expression, seen through strides over the output shape. */
export interface Leaf {
  buf: GpuBuffer;
  strides: readonly number[];
  offset: number;
  type: WType;
}

/**
 * A chain of elementwise ops not yet run: WGSL over the leaves' values v0, v1…, of type `type`,
 * stored as `out`. Running a chain as one kernel saves a dispatch and a round trip through
 * memory per op; on a software adapter each dispatch costs ~10 µs of driver time.
 */
export interface Fused {
  readonly shape: readonly number[];
  readonly leaves: readonly Leaf[];
  readonly code: string;
  readonly type: WType;
  readonly out: WType;
  readonly ops: number;
}

/**
 * Longer chains are split. One shader is compiled per distinct chain, so chains stay bounded; 32
 * ops per kernel measured 2.8 µs per op for a long chain of small adds on llvmpipe (driver time
 * included), against 4.2 µs at 12.
 */
export const MAX_FUSED_OPS = 32;
/** An input used twice is inlined twice, so code can double per op: this bounds the shader. */
const MAX_CODE = 4000;

function isContiguousOver(shape: readonly number[], strides: readonly number[], offset: number): boolean {
  if (offset !== 0) return false;
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && strides[d] !== s) return false;
    s *= shape[d]!;
  }
  return true;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * The fused expression of one more elementwise op over `views` (already broadcast to `shape`).
 * An input that is itself lazy and read in plain order is inlined; any other lazy input is run
 * first (`materialize`) and read as a leaf. `maxLeaves` keeps the kernel within the device's
 * storage-buffer limit.
 */
export function fuse(
  views: readonly View<GpuBuffer>[], names: readonly string[], shape: readonly number[], expr: Expr, out: WType,
  maxLeaves: number, materialize: (b: GpuBuffer) => void,
): Fused {
  // Runs once per op: written as plain loops, without closures, to keep per-op garbage low.
  const leaves: Leaf[] = [];
  const operands: string[] = [];
  let ops = 1;
  for (let i = 0; i < views.length; i++) {
    const v = views[i]!;
    const child = v.buf.lazy;
    if (child && sameShape(child.shape, shape) && isContiguousOver(shape, v.strides, v.offset)) {
      let fresh = 0;
      for (const l of child.leaves) if (find(leaves, l.buf, l.strides, l.offset, l.type) < 0) fresh++;
      const remaining = views.length - 1 - i;
      if (ops + child.ops <= MAX_FUSED_OPS && leaves.length + fresh + remaining <= maxLeaves && child.code.length <= MAX_CODE) {
        ops += child.ops;
        let renumbered = false;
        const map = new Array<number>(child.leaves.length);
        for (let k = 0; k < child.leaves.length; k++) {
          const l = child.leaves[k]!;
          map[k] = add(leaves, l.buf, l.strides, l.offset, l.type);
          if (map[k] !== k) renumbered = true;
        }
        // Usually the child's leaves come first and keep their numbers: no renaming needed.
        const code = renumbered ? child.code.replace(/\bv(\d+)\b/g, (_, k: string) => `v${map[Number(k)]}`) : child.code;
        operands.push(convert(`(${code})`, child.type, child.out));
        continue;
      }
    }
    if (child) materialize(v.buf);
    operands.push(`v${add(leaves, v.buf, v.strides, v.offset, wtype(v.dtype))}`);
  }
  const code = expr.code.replace(/\b[abc]\b/g, (n) => `(${operands[names.indexOf(n)] ?? n})`);
  return { shape, leaves, code, type: expr.type, out, ops };
}

function find(leaves: readonly Leaf[], buf: GpuBuffer, strides: readonly number[], offset: number, type: WType): number {
  for (let i = 0; i < leaves.length; i++) {
    const x = leaves[i]!;
    if (x.buf === buf && x.offset === offset && x.type === type && sameShape(x.strides, strides)) return i;
  }
  return -1;
}

function add(leaves: Leaf[], buf: GpuBuffer, strides: readonly number[], offset: number, type: WType): number {
  const at = find(leaves, buf, strides, offset, type);
  if (at >= 0) return at;
  leaves.push({ buf, strides, offset, type });
  return leaves.length - 1;
}
