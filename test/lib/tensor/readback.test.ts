import { describe, expect, it } from "vitest";
import { arange, getBackend, backendInfo, memory, setBackend, tensor, zeros } from "../../../lib/index.js";
import { backends, onBackend } from "../../helpers/backends.js";

describe("readback", () => {
  it("async and sync forms agree on every dtype", async () => {
    const t = tensor([[1, 2], [3, 4]]);
    expect(Array.from(await t.data())).toEqual([1, 2, 3, 4]);
    expect(await t.array()).toEqual([[1, 2], [3, 4]]);
    expect(t.arraySync()).toEqual([[1, 2], [3, 4]]);
    expect(await tensor(5).item()).toBe(5);
    expect(tensor([true]).itemSync()).toBe(true);
    expect(Array.from(tensor([[1, 2], [3, 4]]).T.dataSync())).toEqual([1, 3, 2, 4]);
  });

  it("data() is a copy: changing it does not change the tensor", () => {
    const t = tensor([1, 2]);
    t.dataSync()[0] = 100;
    expect(t.arraySync()).toEqual([1, 2]);
  });

  it("item() of a multi-element tensor names its shape", async () => {
    await expect(tensor([1, 2]).item()).rejects.toThrow(/only a single-element tensor has one value; this one has shape \[2\]/);
    expect(() => tensor([1, 2]).itemSync()).toThrow(/shape \[2\]/);
  });

  it("a disposed tensor says so instead of returning stale values", () => {
    const t = zeros([1000]);
    t.dispose();
    expect(() => t.dataSync()).toThrow(/disposed/);
    expect(t.toString()).toMatch(/<disposed>/);
  });
});

describe.each(backends)("readback of views on %s", (name) => {
  onBackend(name);

  it("a slice of rows reads its own elements, in every dtype", async () => {
    const big = arange(1000).reshape([10, 100]);
    const rows = big.slice([3, 5]);
    expect(Array.from(await rows.data())).toEqual(Array.from({ length: 200 }, (_, i) => 300 + i));
    expect(Array.from(await big.int().slice([9, 10], [98, 100]).data())).toEqual([998, 999]);
    expect(await big.gt(500).slice([5, 6], [0, 3]).array()).toEqual([[false, true, true]]);
    expect(await big.slice([7, 8], [42, 43]).item()).toBe(742);
    // A view that needs gathering (strided columns) still reads right.
    expect(Array.from(await big.slice([0, 3], [0, 100, 50]).data())).toEqual([0, 50, 100, 150, 200, 250]);
    expect(Array.from(await big.slice([10, 10]).data())).toEqual([]);
  });
});

describe("backend selection and memory", () => {
  it("reports the CPU backend with its reason", () => {
    expect(getBackend()).toBe("cpu");
    expect(backendInfo().reason.length).toBeGreaterThan(5);
  });

  it("setBackend explains what is available", async () => {
    await expect(setBackend("tpu" as never)).rejects.toThrow(/unknown backend "tpu"/);
    expect(await setBackend("cpu")).toBe("cpu");
  });

  it("memory() counts live buffers and frees them when tensors are dropped", async () => {
    const before = memory();
    let t: unknown = zeros([1000, 10]);
    expect(memory().bytes - before.bytes).toBe(40_000);
    expect(memory().tensors - before.tensors).toBe(1);
    (t as { dispose(): void }).dispose();
    expect(memory().bytes).toBe(before.bytes);
    t = null;
  });
});
