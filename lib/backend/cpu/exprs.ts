import type { BinaryOp, ReduceOp, UnaryOp } from "../backend.js";

/** JS expressions for each primitive, over `a` (and `b`). Typed-array stores do the casts. */
export const UNARY_EXPR: Record<UnaryOp, string> = {
  neg: "-a",
  exp: "Math.exp(a)",
  log: "Math.log(a)",
  log1p: "Math.log1p(a)",
  expm1: "Math.expm1(a)",
  sqrt: "Math.sqrt(a)",
  abs: "Math.abs(a)",
  sin: "Math.sin(a)",
  cos: "Math.cos(a)",
  tanh: "Math.tanh(a)",
  // Two branches so exp never overflows: 1/(1+e^-a) for a ≥ 0, e^a/(1+e^a) below.
  sigmoid: "(a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a)))",
  // Branch-free on finite input (a sign-dependent branch mispredicts half the time on real
  // activations, 3x slower); the rare -Infinity and NaN take the predictable branch.
  // `+ 0` turns the -0 of a negative times 0 into +0, as PyTorch returns (1/relu(-3) is +∞).
  relu: "(a > -Infinity ? a * (a > 0) + 0 : (a === a ? 0 : a))",
  sign: "Math.sign(a)",
  recip: "1 / a",
  floor: "Math.floor(a)",
  ceil: "Math.ceil(a)",
  round: "Math.round(a)",
  not: "(a ? 0 : 1)",
  square: "a * a",
};

export const BINARY_EXPR: Record<BinaryOp, string> = {
  add: "a + b",
  sub: "a - b",
  mul: "a * b",
  div: "a / b",
  pow: "Math.pow(a, b)",
  maximum: "(a > b || a !== a ? a : b)",
  minimum: "(a < b || a !== a ? a : b)",
  lt: "(a < b ? 1 : 0)",
  gt: "(a > b ? 1 : 0)",
  le: "(a <= b ? 1 : 0)",
  ge: "(a >= b ? 1 : 0)",
  eq: "(a === b ? 1 : 0)",
  ne: "(a !== b ? 1 : 0)",
  and: "(a && b ? 1 : 0)",
  or: "(a || b ? 1 : 0)",
};

export const REDUCE_INIT: Record<ReduceOp, number> = { sum: 0, prod: 1, max: -Infinity, min: Infinity };

// NaN wins in max/min, as in NumPy and PyTorch.
export const REDUCE_UPDATE: Record<ReduceOp, string> = {
  sum: "ACC += v;",
  prod: "ACC *= v;",
  max: "if (v > ACC || v !== v) ACC = v;",
  min: "if (v < ACC || v !== v) ACC = v;",
};

export const CAST_EXPR = { toBool: "(a !== 0 ? 1 : 0)", plain: "a" } as const;
