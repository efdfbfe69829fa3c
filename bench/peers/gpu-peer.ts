/**
 * One system in the WebGPU comparison (gradlab, TF.js WebGPU, jax-js WebGPU), each on its own
 * device from the same kind of adapter. Every case's `run` does its work and waits until the
 * result is back on the host, the same for every system, so driver time is counted for all.
 */
export interface GpuCase<T> {
  run(): Promise<void>;
  /** The result of the last `run`. */
  read(): T;
  dispose?(): void;
}

export interface GpuPeer {
  readonly name: string;
  /** Sets the library's global switches for this peer (a variant may differ only in them). */
  activate(): Promise<void>;
  /** An n×n matmul, read back whole. */
  matmul(n: number, a: Float32Array, b: Float32Array): GpuCase<Float32Array>;
  /** `ops` times x ← x + b on 2×2 tensors, starting from a, then x read back. */
  addChain(ops: number, a: Float32Array, b: Float32Array): GpuCase<Float32Array>;
  /** Milliseconds spent in queue.submit so far: a software adapter runs the work in there. */
  submitMs(): number;
}

/** Wraps a device's queue.submit to add up the time spent inside it. */
export function timeSubmits(device: GPUDevice): () => number {
  const queue = device.queue;
  const submit = queue.submit.bind(queue);
  let ms = 0;
  queue.submit = (buffers: Iterable<GPUCommandBuffer>) => {
    const t0 = performance.now();
    submit(buffers);
    ms += performance.now() - t0;
    return undefined;
  };
  return () => ms;
}
