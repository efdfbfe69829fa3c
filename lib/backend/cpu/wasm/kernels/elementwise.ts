import { f32, f32x4, i16x8, i32, i8x16, select, v128, type F32, type I32, type Local, type V128 } from "../emit/expr.js";
import type { Fn, ModuleBuilder } from "../emit/module.js";

/**
 * Float32 elementwise kernels over 2-D blocks: `rows` rows of `cols` elements, each input row
 * starting `rowStride` bytes after the previous (0 broadcasts a row), the output contiguous.
 * Every op has a SIMD body and a scalar one for row tails; both give exactly what the
 * TypeScript reference gives (float32 +,−,×,÷,√ round the same as double-then-round).
 */
interface UnaryDef {
  v: (x: V128) => V128;
  s: (x: F32) => F32;
}

const ZERO = () => v128.zero();
const ONE4 = () => f32x4.splat(f32.const(1));

export const WASM_UNARY = {
  neg: { v: (x) => f32x4.neg(x), s: (x) => f32.neg(x) },
  abs: { v: (x) => f32x4.abs(x), s: (x) => f32.abs(x) },
  sqrt: { v: (x) => f32x4.sqrt(x), s: (x) => f32.sqrt(x) },
  // pmax(x, 0) is `x < 0 ? 0 : x` (one maxps; NaN stays NaN); adding 0 turns -0 into +0,
  // which the reference returns for every x ≤ 0.
  relu: {
    v: (x) => f32x4.add(f32x4.pmax(x, ZERO()), ZERO()),
    s: (x) => f32.add(select(f32.const(0), x, f32.lt(x, f32.const(0))), f32.const(0)),
  },
  square: { v: (x) => f32x4.mul(x, x), s: (x) => f32.mul(x, x) },
  recip: { v: (x) => f32x4.div(ONE4(), x), s: (x) => f32.div(f32.const(1), x) },
  floor: { v: (x) => f32x4.floor(x), s: (x) => f32.floor(x) },
  ceil: { v: (x) => f32x4.ceil(x), s: (x) => f32.ceil(x) },
} satisfies Record<string, UnaryDef>;
export type WasmUnaryOp = keyof typeof WASM_UNARY;

interface BinaryDef {
  v: (a: V128, b: V128) => V128;
  s: (a: F32, b: F32) => F32;
}

export const WASM_BINARY = {
  add: { v: f32x4.add, s: f32.add },
  sub: { v: f32x4.sub, s: f32.sub },
  mul: { v: f32x4.mul, s: f32.mul },
  div: { v: f32x4.div, s: f32.div },
  // The reference picks a when a > b or a is NaN, else b (so ±0 ties take b); kept bit for bit.
  maximum: {
    v: (a, b) => v128.bitselect(a, b, v128.or(f32x4.gt(a, b), f32x4.ne(a, a))),
    s: (a, b) => select(a, b, i32.or(f32.gt(a, b), f32.ne(a, a))),
  },
  minimum: {
    v: (a, b) => v128.bitselect(a, b, v128.or(f32x4.lt(a, b), f32x4.ne(a, a))),
    s: (a, b) => select(a, b, i32.or(f32.lt(a, b), f32.ne(a, a))),
  },
} satisfies Record<string, BinaryDef>;
export type WasmBinaryOp = keyof typeof WASM_BINARY;

interface CompareDef {
  v: (a: V128, b: V128) => V128;
  s: (a: F32, b: F32) => I32;
}

export const WASM_COMPARE = {
  lt: { v: f32x4.lt, s: f32.lt },
  gt: { v: f32x4.gt, s: f32.gt },
  le: { v: f32x4.le, s: f32.le },
  ge: { v: f32x4.ge, s: f32.ge },
  eq: { v: f32x4.eq, s: f32.eq },
  ne: { v: f32x4.ne, s: f32.ne },
} satisfies Record<string, CompareDef>;
export type WasmCompareOp = keyof typeof WASM_COMPARE;

/** How an input's row is read: `v` contiguous vectors, `s` one value broadcast along the row. */
export type RowMode = "v" | "s";
export const BINARY_MODES = ["vv", "vs", "sv"] as const;
export type BinaryMode = (typeof BINARY_MODES)[number];

const tee = (f: Fn, l: Local<"v128">, e: V128): V128 => {
  f.set(l, e);
  return l.get();
};

/** Row loop shared by all kernels: for each row, a vector loop over `step` elements, then a scalar tail. */
function rowLoop(
  f: Fn, rows: Local<"i32">, cols: Local<"i32">, step: number,
  rowStart: (r: Local<"i32">) => void, vector: () => void, scalar: () => void,
): void {
  const r = f.local("i32");
  const j = f.local("i32");
  const vecEnd = f.local("i32");
  f.set(vecEnd, i32.and(cols.get(), i32.const(-step)));
  f.for(r, i32.const(0), rows.get(), 1, () => {
    rowStart(r);
    f.for(j, i32.const(0), vecEnd.get(), step, vector);
    f.for(j, vecEnd.get(), cols.get(), 1, scalar);
  });
}

export function emitElementwise(mod: ModuleBuilder): void {
  for (const [name, op] of Object.entries(WASM_UNARY) as [string, UnaryDef][]) {
    mod.func(`unary_${name}`, ["i32", "i32", "i32", "i32", "i32"], null, (f, x, xRow, out, rows, cols) => {
      const xp = f.local("i32");
      const v = f.local("v128");
      const s = f.local("f32");
      rowLoop(f, rows, cols, 4,
        (r) => f.set(xp, i32.add(x.get(), i32.mul(r.get(), xRow.get()))),
        () => {
          f.do(v128.store(out.get(), op.v(tee(f, v, v128.load(xp.get())))));
          f.inc(xp, 16);
          f.inc(out, 16);
        },
        () => {
          f.set(s, f32.load(xp.get()));
          f.do(f32.store(out.get(), op.s(s.get())));
          f.inc(xp, 4);
          f.inc(out, 4);
        });
    });
  }

  for (const mode of BINARY_MODES) {
    for (const [name, op] of Object.entries(WASM_BINARY) as [string, BinaryDef][]) {
      emitBinary(mod, `binary_${name}_${mode}`, mode, 4, (f, operands, out) => {
        const { a, b } = operands(0);
        f.do(v128.store(out.get(), op.v(a, b)));
        f.inc(out, 16);
      }, (f, a, b, out) => {
        f.do(f32.store(out.get(), op.s(a, b)));
        f.inc(out, 4);
      });
    }
    for (const [name, op] of Object.entries(WASM_COMPARE) as [string, CompareDef][]) {
      // 16 results per step: four lane masks (all ones or zero) narrow to 16 bytes, masked to 0/1.
      emitBinary(mod, `compare_${name}_${mode}`, mode, 16, (f, operands, out) => {
        const m = [0, 1, 2, 3].map((k) => {
          const { a, b } = operands(k);
          const l = f.local("v128");
          f.set(l, op.v(a, b));
          return l.get();
        });
        const bytes = i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(m[0]!, m[1]!), i16x8.narrow_i32x4_s(m[2]!, m[3]!));
        f.do(v128.store(out.get(), v128.and(bytes, i8x16.splat(i32.const(1)))));
        f.inc(out, 16);
      }, (f, a, b, out) => {
        f.do(i32.store8(out.get(), op.s(a, b)));
        f.inc(out, 1);
      });
    }
  }
}

/** Emits the loads of 4-lane group k of one step into locals and returns reads of them. */
type Operands = (k: number) => { a: V128; b: V128 };
type VecBody = (f: Fn, operands: Operands, out: Local<"i32">) => void;
type ScalarBody = (f: Fn, a: F32, b: F32, out: Local<"i32">) => void;

/**
 * binary(a, aRow, b, bRow, out, rows, cols): a `v` input is read as vectors along the row, an
 * `s` input is one value per row (its column stride is 0). `vec` handles `step` elements per
 * iteration; operands are loaded into locals first, so an op that reads one twice loads it once.
 */
function emitBinary(mod: ModuleBuilder, name: string, mode: BinaryMode, step: number, vec: VecBody, scalar: ScalarBody): void {
  mod.func(name, ["i32", "i32", "i32", "i32", "i32", "i32", "i32"], null, (f, a, aRow, b, bRow, out, rows, cols) => {
    const ap = f.local("i32");
    const bp = f.local("i32");
    const as = f.local("v128");
    const bs = f.local("v128");
    const av = f.local("v128");
    const bv = f.local("v128");
    const aMode = mode[0] as RowMode;
    const bMode = mode[1] as RowMode;
    const load = (m: RowMode, p: Local<"i32">, splat: Local<"v128">, into: Local<"v128">, k: number): V128 =>
      m === "s" ? splat.get() : tee(f, into, v128.load(p.get(), 16 * k));
    rowLoop(f, rows, cols, step,
      (r) => {
        f.set(ap, i32.add(a.get(), i32.mul(r.get(), aRow.get())));
        f.set(bp, i32.add(b.get(), i32.mul(r.get(), bRow.get())));
        if (aMode === "s") f.set(as, v128.load32_splat(ap.get()));
        if (bMode === "s") f.set(bs, v128.load32_splat(bp.get()));
      },
      () => {
        vec(f, (k) => ({ a: load(aMode, ap, as, av, k), b: load(bMode, bp, bs, bv, k) }), out);
        if (aMode === "v") f.inc(ap, step * 4);
        if (bMode === "v") f.inc(bp, step * 4);
      },
      () => {
        scalar(f, f32.load(ap.get()), f32.load(bp.get()), out);
        if (aMode === "v") f.inc(ap, 4);
        if (bMode === "v") f.inc(bp, 4);
      });
  });
}
