/// <reference types="@webgpu/types" />
import { GradlabError } from "../../tensor/errors.js";
import { mib } from "./pool.js";

/**
 * What can go wrong on a device after the fact: it can be lost (driver reset, destroyed, GPU
 * removed) or run out of memory, and both are reported asynchronously by WebGPU. They are kept
 * here and thrown, as errors that say what to do, by the next operation that touches the device.
 */
export class DeviceState {
  private lostReason: string | null = null;
  private pending: GradlabError | null = null;

  constructor(
    device: GPUDevice,
    private readonly liveBytes: () => number,
    /** Frees what can be freed (the pool's spare buffers) when memory runs out. */
    private readonly onOutOfMemory: () => void,
  ) {
    device.lost.then(
      (info) => {
        this.lostReason ??= info.message ? `${info.reason}: ${info.message}` : String(info.reason);
      },
      () => {},
    );
    device.onuncapturederror = (ev: GPUUncapturedErrorEvent) => {
      const msg = ev.error.message.split("\n")[0]!;
      if (ev.error.constructor?.name === "GPUOutOfMemoryError") this.outOfMemory(msg);
      else this.pending ??= new GradlabError(`webgpu: the GPU reported an error: ${msg}`);
    };
  }

  get lost(): boolean {
    return this.lostReason !== null;
  }

  markLost(reason: string): void {
    this.lostReason ??= reason;
  }

  /** Out-of-memory is reported asynchronously, after the allocation that failed. */
  outOfMemory(message: string): void {
    this.onOutOfMemory();
    this.pending ??= new GradlabError(
      `webgpu: the GPU ran out of memory (${mib(this.liveBytes())} held by live tensors). ` +
        `Drop references to tensors you no longer need (or call t.dispose()), use smaller batches, or setBackend('cpu'). [${message.split("\n")[0]}]`,
    );
  }

  /** Throws the device's pending problem, if any; a pending error is thrown once. */
  check(op: string): void {
    if (this.lostReason !== null) {
      throw new GradlabError(
        `${op}: the WebGPU device was lost (${this.lostReason}), and the tensors on it with it. ` +
          `Call \`await setBackend("webgpu")\` for a new device and recompute, or \`await setBackend("cpu")\``,
      );
    }
    const e = this.pending;
    if (e) {
      this.pending = null;
      throw e;
    }
  }
}
