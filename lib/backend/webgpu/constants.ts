/// <reference types="@webgpu/types" />
/**
 * WebGPU's flag values, spelled out: Node's `webgpu` package only defines the `GPUBufferUsage`
 * globals after `Object.assign(globalThis, globals)`, and gradlab does not touch globals.
 */
export const Usage = {
  MAP_READ: 0x0001,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
} as const;

export const MAP_READ_MODE = 0x0001;
export const SHADER_STAGE_COMPUTE = 0x4;

/** Every tensor buffer can be bound to a shader, filled by the queue and copied out for reading. */
export const TENSOR_USAGE = Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST;
export const READBACK_USAGE = Usage.MAP_READ | Usage.COPY_DST;
