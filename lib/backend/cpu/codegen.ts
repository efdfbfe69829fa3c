import type { TypedArray } from "../../tensor/dtype.js";

/**
 * Elementwise loops are generated once per op from an expression, so each op gets its own
 * monomorphic loop that V8 can optimise (a shared loop calling a per-op closure is several
 * times slower). Inputs are strided views; the output is a fresh contiguous array.
 */
export type UnaryLoop = (
  x: TypedArray, shape: readonly number[], strides: readonly number[], off: number, out: TypedArray,
) => void;

export type BinaryLoop = (
  a: TypedArray, as: readonly number[], ao: number,
  b: TypedArray, bs: readonly number[], bo: number,
  shape: readonly number[], out: TypedArray,
) => void;

export type TernaryLoop = (
  c: TypedArray, cs: readonly number[], co: number,
  a: TypedArray, as: readonly number[], ao: number,
  b: TypedArray, bs: readonly number[], bo: number,
  shape: readonly number[], out: TypedArray,
) => void;

// Walks every dimension but the last with an odometer; the last is the tight inner loop.
// The odometer's digits live in one shared scratch array (IDX, bound when a loop is made),
// so a strided op allocates nothing: loops never run re-entrantly.
const ODOMETER = (ptrs: string[], strideArrs: string[]) => `
  const nd = shape.length;
  const last = shape[nd - 1];
  const outer = n / last;
  const idx = nd <= IDX.length ? IDX : new Int32Array(nd);
  for (let d = 0; d < nd; d++) idx[d] = 0;
  ${strideArrs.map((s, i) => `const l${i} = ${s}[nd - 1];`).join("\n  ")}
  let o = 0;
  for (let r = 0; r < outer; r++) {
    ${ptrs.map((p, i) => `let q${i} = ${p};`).join(" ")}
    for (let j = 0; j < last; j++) {
      BODY
      ${ptrs.map((_, i) => `q${i} += l${i};`).join(" ")}
    }
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]++;
      ${ptrs.map((p, i) => `${p} += ${strideArrs[i]}[d];`).join(" ")}
      if (idx[d] < shape[d]) break;
      ${ptrs.map((p, i) => `${p} -= ${strideArrs[i]}[d] * shape[d];`).join(" ")}
      idx[d] = 0;
    }
  }`;

const IDX = new Int32Array(32);

/** Compiles a loop body into a function of `params` that sees the shared odometer scratch. */
function make(params: readonly string[], body: string): unknown {
  return new Function("IDX", `return function (${params.join(", ")}) {${body}\n};`)(IDX);
}

function sizeExpr(): string {
  return "let n = 1; for (let i = 0; i < shape.length; i++) n *= shape[i];";
}

function contiguousTest(strides: string): string {
  return `(function () { let s = 1; for (let i = shape.length - 1; i >= 0; i--) { if (shape[i] !== 1 && ${strides}[i] !== s) return false; s *= shape[i]; } return true; })()`;
}

export function unaryLoop(expr: string): UnaryLoop {
  const body = ODOMETER(["off"], ["strides"]).replace("BODY", `const a = x[q0]; out[o++] = ${expr};`);
  const src = `
    ${sizeExpr()}
    if (n === 0) return;
    if (shape.length === 0) { const a = x[off]; out[0] = ${expr}; return; }
    if (${contiguousTest("strides")}) {
      for (let i = 0; i < n; i++) { const a = x[off + i]; out[i] = ${expr}; }
      return;
    }
    ${body}`;
  return make(["x", "shape", "strides", "off", "out"], src) as UnaryLoop;
}

export function binaryLoop(expr: string): BinaryLoop {
  const body = ODOMETER(["ao", "bo"], ["as", "bs"]).replace(
    "BODY",
    `const a = A[q0]; const b = B[q1]; out[o++] = ${expr};`,
  );
  const src = `
    ${sizeExpr()}
    if (n === 0) return;
    if (shape.length === 0) { const a = A[ao]; const b = B[bo]; out[0] = ${expr}; return; }
    const ac = ${contiguousTest("as")};
    const bc = ${contiguousTest("bs")};
    if (ac && bc) {
      if (ao === 0 && bo === 0) { for (let i = 0; i < n; i++) { const a = A[i]; const b = B[i]; out[i] = ${expr}; } return; }
      for (let i = 0; i < n; i++) { const a = A[ao + i]; const b = B[bo + i]; out[i] = ${expr}; }
      return;
    }
    let bScalar = true; for (let i = 0; i < bs.length; i++) if (bs[i] !== 0 && shape[i] !== 1) bScalar = false;
    if (ac && bScalar) { const b = B[bo]; for (let i = 0; i < n; i++) { const a = A[ao + i]; out[i] = ${expr}; } return; }
    let aScalar = true; for (let i = 0; i < as.length; i++) if (as[i] !== 0 && shape[i] !== 1) aScalar = false;
    if (bc && aScalar) { const a = A[ao]; for (let i = 0; i < n; i++) { const b = B[bo + i]; out[i] = ${expr}; } return; }
    ${body}`;
  return make(["A", "as", "ao", "B", "bs", "bo", "shape", "out"], src) as BinaryLoop;
}

export function ternaryLoop(expr: string): TernaryLoop {
  const body = ODOMETER(["co", "ao", "bo"], ["cs", "as", "bs"]).replace(
    "BODY",
    `const c = C[q0]; const a = A[q1]; const b = B[q2]; out[o++] = ${expr};`,
  );
  const src = `
    ${sizeExpr()}
    if (n === 0) return;
    if (shape.length === 0) { const c = C[co]; const a = A[ao]; const b = B[bo]; out[0] = ${expr}; return; }
    ${body}`;
  return make(["C", "cs", "co", "A", "as", "ao", "B", "bs", "bo", "shape", "out"], src) as TernaryLoop;
}

/** Accumulating reduction: walks the input in memory order, out strides are 0 on reduced axes. */
export type ReduceLoop = (
  x: TypedArray, shape: readonly number[], xs: readonly number[], xo: number,
  accStrides: readonly number[], acc: Float64Array,
) => void;

export function reduceLoop(update: string): ReduceLoop {
  const body = ODOMETER(["xo", "ao"], ["xs", "accStrides"]).replace(
    "BODY",
    `const v = x[q0]; ${update.replace(/ACC/g, "acc[q1]")}`,
  );
  const src = `
    ${sizeExpr()}
    if (n === 0) return;
    let ao = 0;
    if (shape.length === 0) { const v = x[xo]; const q1 = 0; ${update.replace(/ACC/g, "acc[0]")} return; }
    ${body}`;
  return make(["x", "shape", "xs", "xo", "accStrides", "acc"], src) as ReduceLoop;
}
