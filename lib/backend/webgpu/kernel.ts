/// <reference types="@webgpu/types" />
import { SHADER_STAGE_COMPUTE } from "./constants.js";

/**
 * A compiled compute shader and how to bind it: `reads` read-only storage buffers, then `writes`
 * read-write ones, then the per-dispatch parameters as a uniform block; all at dynamic offsets.
 */
export interface Kernel {
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
  readonly layoutKey: string;
  readonly metaBytes: number;
}

/** What a shader generator returns: its source and the shape of its bindings. */
export interface KernelSource {
  code: string;
  reads: number;
  writes: number;
  /** Words of per-dispatch parameters (u32), at most 4096. */
  metaWords: number;
}

/** Pipelines are compiled once per key (an op and its shape class), never per shape. */
export class KernelCache {
  private readonly kernels = new Map<string, Kernel>();
  private readonly layouts = new Map<string, GPUBindGroupLayout>();

  constructor(private readonly device: GPUDevice) {}

  get(key: string, make: () => KernelSource): Kernel {
    let k = this.kernels.get(key);
    if (!k) this.kernels.set(key, (k = this.compile(key, make())));
    return k;
  }

  get size(): number {
    return this.kernels.size;
  }

  private layout(reads: number, writes: number): { layout: GPUBindGroupLayout; key: string } {
    const key = `${reads}r${writes}w`;
    let layout = this.layouts.get(key);
    if (!layout) {
      const entries: GPUBindGroupLayoutEntry[] = [];
      for (let i = 0; i < reads + writes; i++) {
        entries.push({ binding: i, visibility: SHADER_STAGE_COMPUTE, buffer: { type: i < reads ? "read-only-storage" : "storage", hasDynamicOffset: true } });
      }
      entries.push({ binding: reads + writes, visibility: SHADER_STAGE_COMPUTE, buffer: { type: "uniform", hasDynamicOffset: true } });
      layout = this.device.createBindGroupLayout({ entries });
      this.layouts.set(key, layout);
    }
    return { layout, key };
  }

  private compile(key: string, src: KernelSource): Kernel {
    const { layout, key: layoutKey } = this.layout(src.reads, src.writes);
    const module = this.device.createShaderModule({ code: src.code, label: key });
    const pipeline = this.device.createComputePipeline({
      label: key,
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: "main" },
    });
    return { pipeline, layout, layoutKey, metaBytes: metaBytes(src.metaWords) };
  }
}

/** The uniform block is an array of vec4<u32>, so its size is a multiple of 16 bytes. */
export function metaBytes(words: number): number {
  return Math.max(16, Math.ceil(words / 4) * 16);
}
