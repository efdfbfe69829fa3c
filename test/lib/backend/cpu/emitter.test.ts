import { describe, expect, it } from "vitest";
import { Bytes } from "../../../../lib/backend/cpu/wasm/emit/bytes.js";
import { f32, f32x4, i32, v128 } from "../../../../lib/backend/cpu/wasm/emit/expr.js";
import { call, ModuleBuilder } from "../../../../lib/backend/cpu/wasm/emit/module.js";
import { moduleBytes } from "../../../../lib/backend/cpu/wasm/runtime.js";

const enc = (f: (b: Bytes) => void) => {
  const b = new Bytes();
  f(b);
  return [...b.view()];
};

describe("Wasm bytecode emitter", () => {
  it("encodes LEB128 like the spec's examples", () => {
    expect(enc((b) => b.u32(624485))).toEqual([0xe5, 0x8e, 0x26]);
    expect(enc((b) => b.u32(0))).toEqual([0]);
    expect(enc((b) => b.s32(-123456))).toEqual([0xc0, 0xbb, 0x78]);
    expect(enc((b) => b.s32(-1))).toEqual([0x7f]);
    expect(enc((b) => b.s32(0xffffffff))).toEqual([0x7f]); // an unsigned mask is its i32 bit pattern
    expect(enc((b) => b.s32(63))).toEqual([0x3f]);
    expect(enc((b) => b.s32(64))).toEqual([0xc0, 0x00]);
    expect(() => enc((b) => b.u32(-1))).toThrow(RangeError);
  });

  it("builds a module with loops, calls and SIMD that validates and computes", () => {
    const mod = new ModuleBuilder({ min: 1, max: 16, shared: false });
    const square = mod.func(null, ["i32"], "i32", (f, x) => f.ret(i32.mul(x.get(), x.get())));
    // Σ_{i<n} i², via a helper call in a counted loop.
    mod.func("sumSquares", ["i32"], "i32", (f, n) => {
      const i = f.local("i32");
      const s = f.local("i32");
      f.set(s, i32.const(0));
      f.for(i, i32.const(0), n.get(), 1, () => f.set(s, i32.add(s.get(), call(square, i.get()))));
      f.ret(s.get());
    });
    // out[0..4] = a[0..4] * b[0..4] + 1 on f32x4 lanes.
    mod.func("madd4", ["i32", "i32", "i32"], null, (f, a, b, out) => {
      f.do(v128.store(out.get(), f32x4.add(f32x4.mul(v128.load(a.get()), v128.load(b.get())), f32x4.splat(f32.const(1)))));
    });
    const bytes = mod.toBytes();
    expect(WebAssembly.validate(bytes)).toBe(true);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 16 });
    const ex = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as Record<string, (...a: number[]) => number>;
    expect(ex["sumSquares"]!(10)).toBe(285);
    expect(ex["sumSquares"]!(0)).toBe(0);
    const f = new Float32Array(memory.buffer);
    f.set([1, 2, 3, 4, 5, 6, 7, 8]);
    ex["madd4"]!(0, 16, 32);
    expect([...f.subarray(8, 12)]).toEqual([6, 13, 22, 33]);
  });

  it("generates the kernel module deterministically, and it validates", () => {
    const a = moduleBytes(true);
    expect(WebAssembly.validate(a)).toBe(true);
    expect([...moduleBytes(true)]).toEqual([...a]);
    expect(WebAssembly.validate(moduleBytes(false))).toBe(true);
  });
});
