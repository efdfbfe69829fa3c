/**
 * One system under comparison (gradlab, TF.js CPU, TF.js Wasm) running the workloads
 * on the same inputs. Each workload is prepared once (inputs moved in), then `run` is timed;
 * results are read back afterwards and checked against a float64 reference in JS.
 */
export interface Case {
  run(): void;
  /** Frees what `prepare` allocated (TF.js needs it; gradlab's memory is garbage-collected). */
  dispose?(): void;
}

export interface ValueCase<T> extends Case {
  /** The result of the last `run`, read back to plain JS. */
  read(): T;
}

/** Seeded inputs of the MLP step: weights, a batch, labels. */
export interface MlpInit {
  readonly w1: Float32Array; // [784, 128]
  readonly b1: Float32Array; // [128]
  readonly w2: Float32Array; // [128, 10]
  readonly b2: Float32Array; // [10]
  readonly x: Float32Array; // [64, 784]
  readonly labels: Int32Array; // [64]
  readonly lr: number;
}

export interface Peer {
  readonly name: string;
  /** A 2×2 add (gradlab with gradient tracking on; TF.js has no per-op tracking) → the sum. */
  add2x2(a: Float32Array, b: Float32Array): ValueCase<Float32Array>;
  /** 250 × y = y + tanh(y·w + b) from y = 0.3, then d/dw and d/db: 1000 ops fwd+bwd → [dw, db]. */
  scalarChain(w: number, b: number): ValueCase<[number, number]>;
  matmul(n: number, a: Float32Array, b: Float32Array): ValueCase<Float32Array>;
  relu(x: Float32Array): ValueCase<Float32Array>;
  /** One SGD step of 784-128-10 with softmax cross-entropy → the step's loss. */
  mlpStep(init: MlpInit): ValueCase<number>;
}
