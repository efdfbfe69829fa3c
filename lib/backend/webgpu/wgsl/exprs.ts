import type { BinaryOp, UnaryOp } from "../../backend.js";
import type { WType } from "./prelude.js";

/**
 * Math helpers with the CPU backend's semantics where WGSL's builtins differ: NaN propagates
 * (WGSL leaves max/tanh/sign of NaN unspecified), pow of a negative base follows Math.pow,
 * small integer powers are exact, and round is Math.round (half up, not half to even).
 */
export const MATH_HELPERS = `
fn sig_(a: f32) -> f32 { if (a >= 0.0) { return 1.0 / (1.0 + exp(-a)); } let e = exp(a); return e / (1.0 + e); }
fn log1p_(a: f32) -> f32 { let u = 1.0 + a; if (u == 1.0) { return a; } let d = u - 1.0; if (d == a) { return log(u); } return log(u) * (a / d); }
fn expm1_(a: f32) -> f32 {
  if (abs(a) < 1e-5) { return a + 0.5 * a * a; }
  return exp(a) - 1.0;
}
fn round_(a: f32) -> f32 { let f = floor(a); return select(f, f + 1.0, a - f >= 0.5); }
fn powi_(a: f32, n: i32) -> f32 {
  var r = 1.0; var base = a; var e = abs(n);
  loop { if (e == 0) { break; } if ((e & 1) == 1) { r = r * base; } base = base * base; e = e >> 1u; }
  return select(r, 1.0 / r, n < 0);
}
fn pow_(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (isnan_(a) || isnan_(b)) { return nan_(); }
  let whole = floor(b) == b;
  if (whole && abs(b) <= 64.0) { return powi_(a, i32(b)); }
  if (a < 0.0 && !whole) { return nan_(); }
  let r = exp2(b * log2(abs(a)));
  let odd = whole && abs(b) < 16777216.0 && (i32(b) & 1) == 1;
  return select(r, -r, a < 0.0 && odd);
}
fn maxf_(a: f32, b: f32) -> f32 { return select(b, a, a > b || isnan_(a)); }
fn minf_(a: f32, b: f32) -> f32 { return select(b, a, a < b || isnan_(a)); }
`;

const UNARY_F32: Record<UnaryOp, string> = {
  neg: "-a",
  exp: "exp(a)",
  log: "log(a)",
  log1p: "log1p_(a)",
  expm1: "expm1_(a)",
  sqrt: "sqrt(a)",
  abs: "abs(a)",
  sin: "sin(a)",
  cos: "cos(a)",
  tanh: "select(tanh(a), a, isnan_(a))",
  sigmoid: "sig_(a)",
  relu: "select(0.0, a, a > 0.0 || isnan_(a))",
  sign: "select(sign(a), a, isnan_(a))",
  recip: "1.0 / a",
  floor: "floor(a)",
  ceil: "ceil(a)",
  round: "round_(a)",
  not: "select(0u, 1u, a == 0.0)",
  square: "a * a",
};

/** Integer ops that stay integer; the rest compute in f32 and convert back. */
const UNARY_I32: Partial<Record<UnaryOp, string>> = {
  neg: "-a",
  abs: "abs(a)",
  sign: "sign(a)",
  square: "a * a",
  relu: "max(a, 0)",
  floor: "a",
  ceil: "a",
  round: "a",
  not: "select(0u, 1u, a == 0)",
};

const UNARY_U32: Partial<Record<UnaryOp, string>> = {
  not: "select(0u, 1u, a == 0u)",
  abs: "a",
  relu: "a",
  sign: "a",
  square: "a",
  floor: "a",
  ceil: "a",
  round: "a",
};

export interface Expr {
  /** WGSL over `a` (and `b`) of the input type. */
  code: string;
  /** The WGSL type of the result. */
  type: WType;
}

export function unaryExpr(op: UnaryOp, t: WType): Expr {
  if (op === "not") {
    const code = t === "f32" ? UNARY_F32.not : t === "i32" ? UNARY_I32.not! : UNARY_U32.not!;
    return { code, type: "u32" };
  }
  if (t === "f32") return { code: UNARY_F32[op], type: "f32" };
  const native = (t === "i32" ? UNARY_I32 : UNARY_U32)[op];
  if (native) return { code: native, type: t };
  // Through f32 and back, as the CPU's typed-array stores do.
  return { code: `(${UNARY_F32[op].replace(/\ba\b/g, "f32(a)")})`, type: "f32" };
}

const BINARY_F32: Record<BinaryOp, string> = {
  add: "a + b",
  sub: "a - b",
  mul: "a * b",
  div: "a / b",
  pow: "pow_(a, b)",
  maximum: "maxf_(a, b)",
  minimum: "minf_(a, b)",
  lt: "select(0u, 1u, a < b)",
  gt: "select(0u, 1u, a > b)",
  le: "select(0u, 1u, a <= b)",
  ge: "select(0u, 1u, a >= b)",
  eq: "select(0u, 1u, a == b)",
  ne: "select(0u, 1u, a != b)",
  and: "select(0u, 1u, a != 0.0 && b != 0.0)",
  or: "select(0u, 1u, a != 0.0 || b != 0.0)",
};

const COMPARE = new Set<BinaryOp>(["lt", "gt", "le", "ge", "eq", "ne", "and", "or"]);

export function binaryExpr(op: BinaryOp, t: WType): Expr {
  if (t === "f32") return { code: BINARY_F32[op], type: COMPARE.has(op) ? "u32" : "f32" };
  const zero = t === "i32" ? "0" : "0u";
  if (op === "and") return { code: `select(0u, 1u, a != ${zero} && b != ${zero})`, type: "u32" };
  if (op === "or") return { code: `select(0u, 1u, a != ${zero} || b != ${zero})`, type: "u32" };
  if (COMPARE.has(op)) return { code: BINARY_F32[op], type: "u32" };
  switch (op) {
    case "maximum": return { code: "max(a, b)", type: t };
    case "minimum": return { code: "min(a, b)", type: t };
    case "add": case "sub": case "mul": return { code: BINARY_F32[op], type: t };
    // Integer pow goes through f32 like the CPU's Math.pow; exact for small integer powers.
    default: return { code: BINARY_F32[op].replace(/\ba\b/g, "f32(a)").replace(/\bb\b/g, "f32(b)"), type: "f32" };
  }
}
