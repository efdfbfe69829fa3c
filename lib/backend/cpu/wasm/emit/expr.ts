import type { Bytes } from "./bytes.js";

/**
 * Typed Wasm expressions. Kernels are written as expression trees whose value types the
 * TypeScript compiler checks (an f32x4 add only takes v128 operands, a store needs an i32
 * address), so a wrong kernel fails `tsc` instead of WebAssembly validation at load time.
 * Each node emits its operands, then its opcode: the natural stack-machine order.
 */
export type ValType = "i32" | "f32" | "f64" | "v128";
/** Statements (stores, calls without a result) have no value. */
export type Void = "none";

export interface Expr<T extends ValType | Void> {
  readonly type: T;
  emit(b: Bytes): void;
}

export type I32 = Expr<"i32">;
export type F32 = Expr<"f32">;
export type F64 = Expr<"f64">;
export type V128 = Expr<"v128">;
export type Stmt = Expr<Void>;

export const VALTYPE_CODE: Record<ValType, number> = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b };

function node<T extends ValType | Void>(type: T, args: readonly Expr<ValType>[], op: (b: Bytes) => void): Expr<T> {
  return {
    type,
    emit(b) {
      for (const a of args) a.emit(b);
      op(b);
    },
  };
}

const plain = (code: number) => (b: Bytes) => void b.byte(code);
const simd = (code: number) => (b: Bytes) => void b.byte(0xfd).u32(code);
// Alignment is only a hint in Wasm; we pass the natural one (log2 of the access size).
const mem = (code: number, align: number, offset: number) => (b: Bytes) => void b.byte(code).u32(align).u32(offset);
const simdMem = (code: number, align: number, offset: number) => (b: Bytes) => void b.byte(0xfd).u32(code).u32(align).u32(offset);

function un<T extends ValType, A extends ValType>(type: T, op: (b: Bytes) => void) {
  return (a: Expr<A>): Expr<T> => node(type, [a], op);
}
function bin<T extends ValType, A extends ValType>(type: T, op: (b: Bytes) => void) {
  return (a: Expr<A>, b: Expr<A>): Expr<T> => node(type, [a, b], op);
}

/** A named local (or parameter) slot of a function. */
export class Local<T extends ValType> {
  constructor(readonly index: number, readonly type: T) {}
  get(): Expr<T> {
    return node(this.type, [], (b) => void b.byte(0x20).u32(this.index));
  }
}

export const i32 = {
  const: (v: number): I32 => node("i32", [], (b) => void b.byte(0x41).s32(v)),
  eqz: (a: I32): I32 => node("i32", [a], plain(0x45)),
  eq: bin<"i32", "i32">("i32", plain(0x46)),
  ne: bin<"i32", "i32">("i32", plain(0x47)),
  lt_s: bin<"i32", "i32">("i32", plain(0x48)),
  lt_u: bin<"i32", "i32">("i32", plain(0x49)),
  gt_s: bin<"i32", "i32">("i32", plain(0x4a)),
  gt_u: bin<"i32", "i32">("i32", plain(0x4b)),
  le_s: bin<"i32", "i32">("i32", plain(0x4c)),
  le_u: bin<"i32", "i32">("i32", plain(0x4d)),
  ge_s: bin<"i32", "i32">("i32", plain(0x4e)),
  ge_u: bin<"i32", "i32">("i32", plain(0x4f)),
  add: bin<"i32", "i32">("i32", plain(0x6a)),
  sub: bin<"i32", "i32">("i32", plain(0x6b)),
  mul: bin<"i32", "i32">("i32", plain(0x6c)),
  div_u: bin<"i32", "i32">("i32", plain(0x6e)),
  rem_u: bin<"i32", "i32">("i32", plain(0x70)),
  and: bin<"i32", "i32">("i32", plain(0x71)),
  or: bin<"i32", "i32">("i32", plain(0x72)),
  shl: bin<"i32", "i32">("i32", plain(0x74)),
  shr_s: bin<"i32", "i32">("i32", plain(0x75)),
  shr_u: bin<"i32", "i32">("i32", plain(0x76)),
  load: (addr: I32, offset = 0): I32 => node("i32", [addr], mem(0x28, 2, offset)),
  load8_u: (addr: I32, offset = 0): I32 => node("i32", [addr], mem(0x2d, 0, offset)),
  store: (addr: I32, v: I32, offset = 0): Stmt => node("none", [addr, v], mem(0x36, 2, offset)),
  store8: (addr: I32, v: I32, offset = 0): Stmt => node("none", [addr, v], mem(0x3a, 0, offset)),
};

export const f32 = {
  const: (v: number): F32 => node("f32", [], (b) => void b.byte(0x43).f32(v)),
  load: (addr: I32, offset = 0): F32 => node("f32", [addr], mem(0x2a, 2, offset)),
  store: (addr: I32, v: F32, offset = 0): Stmt => node("none", [addr, v], mem(0x38, 2, offset)),
  eq: bin<"i32", "f32">("i32", plain(0x5b)),
  ne: bin<"i32", "f32">("i32", plain(0x5c)),
  lt: bin<"i32", "f32">("i32", plain(0x5d)),
  gt: bin<"i32", "f32">("i32", plain(0x5e)),
  le: bin<"i32", "f32">("i32", plain(0x5f)),
  ge: bin<"i32", "f32">("i32", plain(0x60)),
  abs: (a: F32): F32 => node("f32", [a], plain(0x8b)),
  neg: (a: F32): F32 => node("f32", [a], plain(0x8c)),
  ceil: (a: F32): F32 => node("f32", [a], plain(0x8d)),
  floor: (a: F32): F32 => node("f32", [a], plain(0x8e)),
  sqrt: (a: F32): F32 => node("f32", [a], plain(0x91)),
  add: bin<"f32", "f32">("f32", plain(0x92)),
  sub: bin<"f32", "f32">("f32", plain(0x93)),
  mul: bin<"f32", "f32">("f32", plain(0x94)),
  div: bin<"f32", "f32">("f32", plain(0x95)),
  demote: (a: F64): F32 => node("f32", [a], plain(0xb6)),
};

export const f64 = {
  const: (v: number): F64 => node("f64", [], (b) => void b.byte(0x44).f64(v)),
  load: (addr: I32, offset = 0): F64 => node("f64", [addr], mem(0x2b, 3, offset)),
  store: (addr: I32, v: F64, offset = 0): Stmt => node("none", [addr, v], mem(0x39, 3, offset)),
  add: bin<"f64", "f64">("f64", plain(0xa0)),
  promote: (a: F32): F64 => node("f64", [a], plain(0xbb)),
};

export const v128 = {
  load: (addr: I32, offset = 0): V128 => node("v128", [addr], simdMem(0x00, 4, offset)),
  load32_splat: (addr: I32, offset = 0): V128 => node("v128", [addr], simdMem(0x09, 2, offset)),
  load64_zero: (addr: I32, offset = 0): V128 => node("v128", [addr], simdMem(0x5d, 3, offset)),
  store: (addr: I32, v: V128, offset = 0): Stmt => node("none", [addr, v], simdMem(0x0b, 4, offset)),
  /** Stores the low 64 bits (two f32 lanes). */
  store64_lane0: (addr: I32, v: V128, offset = 0): Stmt =>
    node("none", [addr, v], (b) => void b.byte(0xfd).u32(0x5b).u32(3).u32(offset).byte(0)),
  const: (bytes: readonly number[]): V128 => node("v128", [], (b) => void b.byte(0xfd).u32(0x0c).bytes(bytes)),
  zero: (): V128 => v128.const(new Array<number>(16).fill(0)),
  not: (a: V128): V128 => node("v128", [a], simd(0x4d)),
  and: bin<"v128", "v128">("v128", simd(0x4e)),
  andnot: bin<"v128", "v128">("v128", simd(0x4f)),
  or: bin<"v128", "v128">("v128", simd(0x50)),
  xor: bin<"v128", "v128">("v128", simd(0x51)),
  /** Lanes of `a` where `mask` bits are set, else of `b`. */
  bitselect: (a: V128, b: V128, mask: V128): V128 => node("v128", [a, b, mask], simd(0x52)),
};

export const i8x16 = {
  splat: (a: I32): V128 => node("v128", [a], simd(0x0f)),
  shuffle: (a: V128, b: V128, lanes: readonly number[]): V128 =>
    node("v128", [a, b], (bb) => void bb.byte(0xfd).u32(0x0d).bytes(lanes)),
  narrow_i16x8_s: bin<"v128", "v128">("v128", simd(0x65)),
};

export const i16x8 = {
  narrow_i32x4_s: bin<"v128", "v128">("v128", simd(0x85)),
};

export const f32x4 = {
  splat: (a: F32): V128 => node("v128", [a], simd(0x13)),
  extract_lane: (a: V128, lane: number): F32 => node("f32", [a], (b) => void b.byte(0xfd).u32(0x1f).byte(lane)),
  eq: bin<"v128", "v128">("v128", simd(0x41)),
  ne: bin<"v128", "v128">("v128", simd(0x42)),
  lt: bin<"v128", "v128">("v128", simd(0x43)),
  gt: bin<"v128", "v128">("v128", simd(0x44)),
  le: bin<"v128", "v128">("v128", simd(0x45)),
  ge: bin<"v128", "v128">("v128", simd(0x46)),
  ceil: un<"v128", "v128">("v128", simd(0x67)),
  floor: un<"v128", "v128">("v128", simd(0x68)),
  abs: un<"v128", "v128">("v128", simd(0xe0)),
  neg: un<"v128", "v128">("v128", simd(0xe1)),
  sqrt: un<"v128", "v128">("v128", simd(0xe3)),
  add: bin<"v128", "v128">("v128", simd(0xe4)),
  sub: bin<"v128", "v128">("v128", simd(0xe5)),
  mul: bin<"v128", "v128">("v128", simd(0xe6)),
  div: bin<"v128", "v128">("v128", simd(0xe7)),
  /** b < a ? b : a — one x86 minps; the operand order decides NaN and ±0 results. */
  pmin: bin<"v128", "v128">("v128", simd(0xea)),
  /** a < b ? b : a — one x86 maxps. */
  pmax: bin<"v128", "v128">("v128", simd(0xeb)),
  /** a·b + c, fused where the CPU has FMA (relaxed SIMD: rounding may be once or twice). */
  relaxed_madd: (a: V128, b: V128, c: V128): V128 => node("v128", [a, b, c], simd(0x105)),
};

export const f64x2 = {
  splat: (a: F64): V128 => node("v128", [a], simd(0x14)),
  extract_lane: (a: V128, lane: number): F64 => node("f64", [a], (b) => void b.byte(0xfd).u32(0x21).byte(lane)),
  add: bin<"v128", "v128">("v128", simd(0xf0)),
  promote_low_f32x4: un<"v128", "v128">("v128", simd(0x5f)),
  /** Two f64 lanes rounded to f32 in lanes 0-1, zeros above. */
  demote_zero: un<"v128", "v128">("v128", simd(0x5e)),
};

/** `cond ? a : b` (both operands are evaluated). */
export function select<T extends ValType>(a: Expr<T>, b: Expr<T>, cond: I32): Expr<T> {
  return node(a.type, [a, b, cond], plain(0x1b));
}
