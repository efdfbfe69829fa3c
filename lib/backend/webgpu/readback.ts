/// <reference types="@webgpu/types" />
import { allocArray, type DType, type TypedArray } from "../../tensor/dtype.js";
import { GradlabError } from "../../tensor/errors.js";
import type { Batch } from "./batch.js";
import { MAP_READ_MODE } from "./constants.js";
import type { DeviceState } from "./device-state.js";
import type { GpuBuffer } from "./gpu-buffer.js";
import type { BufferPool } from "./pool.js";
import { FLAG_GATHER } from "./wgsl/indexing.js";

/**
 * Copies elements [start, start + count) of a buffer to a mappable staging buffer and maps it,
 * after everything recorded so far (a small view of a big tensor moves only its own bytes).
 * The index-error flags travel in the same copy, so a bad index found on the GPU surfaces with
 * the first read after it, as an error that names the op.
 */
export async function readBuffer(
  device: GPUDevice, batch: Batch, staging: BufferPool, state: DeviceState, buf: GpuBuffer, flags: GpuBuffer, dtype: DType, start: number, count: number,
): Promise<TypedArray> {
  if (start < 0 || count < 0 || start + count > buf.length) throw new GradlabError(`data: elements [${start}, ${start + count}) are outside a buffer of ${buf.length}`);
  const bytes = count * 4;
  const total = bytes + 16;
  const slab = staging.acquire(total);
  batch.flush();
  const enc = device.createCommandEncoder();
  if (bytes > 0) enc.copyBufferToBuffer(buf.slab.buffer, buf.offset + start * 4, slab.buffer, 0, bytes);
  enc.copyBufferToBuffer(flags.slab.buffer, flags.offset, slab.buffer, bytes, 16);
  device.queue.submit([enc.finish()]);
  let raw: ArrayBuffer;
  try {
    await slab.buffer.mapAsync(MAP_READ_MODE, 0, total);
    raw = slab.buffer.getMappedRange(0, total).slice(0);
    slab.buffer.unmap();
  } catch (e) {
    state.check("data");
    throw new GradlabError(`data: reading from the GPU failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  staging.release(slab);
  state.check("data");
  checkFlags(device, flags, new Uint32Array(raw, bytes, 4));
  return decode(raw, count, dtype);
}

function decode(raw: ArrayBuffer, length: number, dtype: DType): TypedArray {
  if (dtype === "bool") {
    const out = new Uint8Array(length);
    out.set(new Uint32Array(raw, 0, length));
    return out;
  }
  if (dtype === "int32") return new Int32Array(raw, 0, length);
  if (dtype === "float32") return new Float32Array(raw, 0, length);
  return allocArray(dtype, 0);
}

function checkFlags(device: GPUDevice, flags: GpuBuffer, raised: Uint32Array): void {
  if (raised[0] === 0) return;
  device.queue.writeBuffer(flags.slab.buffer, flags.offset, new Uint32Array(4));
  const op = raised[0] === FLAG_GATHER ? "gather" : "scatterAdd";
  throw new GradlabError(
    `${op}: index ${raised[1]! | 0} is out of range for an axis of size ${raised[2]} (found on the GPU when values were next read; results computed from it are wrong)`,
  );
}
