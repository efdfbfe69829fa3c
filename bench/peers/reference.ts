import type { MlpInit } from "./peer.js";

/** Seeded standard normals (mulberry32 + Box-Muller), the same for every system. */
export function normals(seed: number, n: number, scale = 1): Float32Array {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = scale * Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return out;
}

export function mlpInit(): MlpInit {
  const labels = new Int32Array(64);
  const u = normals(7, 64);
  for (let i = 0; i < 64; i++) labels[i] = Math.floor((Math.abs(u[i]!) * 7919) % 10);
  return {
    w1: normals(1, 784 * 128, 0.05), b1: new Float32Array(128),
    w2: normals(2, 128 * 10, 0.1), b2: new Float32Array(10),
    x: normals(3, 64 * 784), labels, lr: 0.1,
  };
}

/** Flops of one MLP step: forward, the weight gradients and the hidden-layer gradient (x needs none). */
export const MLP_FLOPS = 2 * 64 * (784 * 128 + 128 * 10) + 2 * 64 * (784 * 128 + 128 * 10) + 2 * 64 * 10 * 128;

/** Row i of a·b (n×n, row-major) in float64. */
export function matmulRow(a: Float32Array, b: Float32Array, n: number, i: number): Float64Array {
  const row = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    const av = a[i * n + p]!;
    for (let j = 0; j < n; j++) row[j]! += av * b[p * n + j]!;
  }
  return row;
}

/** d/dw and d/db of the scalar chain, by forward-mode differentiation in float64. */
export function chainGrads(w: number, b: number): [number, number] {
  let y = 0.3;
  let dw = 0;
  let db = 0;
  for (let i = 0; i < 250; i++) {
    const t = Math.tanh(y * w + b);
    const d = 1 - t * t;
    const nextDw = dw + d * (dw * w + y);
    const nextDb = db + d * (db * w + 1);
    y += t;
    dw = nextDw;
    db = nextDb;
  }
  return [dw, db];
}

/** The MLP's loss at the initial weights, in float64. */
export function mlpLoss(init: MlpInit): number {
  let total = 0;
  for (let r = 0; r < 64; r++) {
    const h = new Float64Array(128);
    for (let p = 0; p < 784; p++) {
      const xv = init.x[r * 784 + p]!;
      for (let j = 0; j < 128; j++) h[j]! += xv * init.w1[p * 128 + j]!;
    }
    const logits = new Float64Array(10);
    for (let j = 0; j < 128; j++) {
      const hv = Math.max(0, h[j]! + init.b1[j]!);
      for (let c = 0; c < 10; c++) logits[c]! += hv * init.w2[j * 10 + c]!;
    }
    let max = -Infinity;
    for (let c = 0; c < 10; c++) max = Math.max(max, (logits[c]! += init.b2[c]!));
    let sum = 0;
    for (let c = 0; c < 10; c++) sum += Math.exp(logits[c]! - max);
    total += -(logits[init.labels[r]!]! - max - Math.log(sum));
  }
  return total / 64;
}
