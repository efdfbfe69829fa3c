// Picking whole rows (a batch of examples) copies each row in one block: within Wasm memory
// with copyWithin, from elsewhere with set. Both must give exactly the rows asked for.
import { describe, expect, it, vi } from "vitest";
import { setBackend, tensor } from "../../../../lib/index.js";
import { takeRows } from "../../../../lib/data/dataset.js";

function rowsByHand(data: Float32Array, cols: number, picks: number[]): number[] {
  return picks.flatMap((r) => Array.from(data.subarray(r * cols, (r + 1) * cols)));
}

describe("whole-row gather on the CPU", () => {
  const rows = 300;
  const cols = 40;
  const data = Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i) * 100);
  const picks = [299, 0, 17, 17, 150, 3, 298, 64];

  it("copies rows out of a tensor in Wasm memory (copyWithin path)", async () => {
    await setBackend("cpu");
    // An op's output of this size lives in Wasm memory, like the batch it is gathered into.
    const x = tensor(data).reshape(rows, cols).add(0);
    const copies = vi.spyOn(Float32Array.prototype, "copyWithin");
    const batch = takeRows(x, picks);
    expect(copies).toHaveBeenCalledTimes(picks.length);
    copies.mockRestore();
    const src = x.storage.buf as Float32Array;
    const out = batch.storage.buf as Float32Array;
    expect(out.buffer).toBe(src.buffer);
    expect(batch.shape).toEqual([picks.length, cols]);
    expect(Array.from(batch.dataSync())).toEqual(rowsByHand(data, cols, picks));
  });

  it("copies rows between views made before and after the Wasm memory grew", async () => {
    await setBackend("cpu");
    const x = tensor(data).reshape(rows, cols).add(0);
    const src = x.storage.buf as Float32Array;
    // Blocks this size are carved from the end of the memory, growing it.
    const grown = [1, 2, 3].map((k) => tensor(new Float32Array(4_000_000).fill(k)).add(0));
    const copies = vi.spyOn(Float32Array.prototype, "copyWithin");
    const batch = takeRows(x, picks);
    expect(copies).toHaveBeenCalledTimes(picks.length);
    copies.mockRestore();
    const out = batch.storage.buf as Float32Array;
    expect(out.buffer).not.toBe(src.buffer);
    expect(out.buffer.byteLength).toBeGreaterThan(src.buffer.byteLength);
    expect(Array.from(batch.dataSync())).toEqual(rowsByHand(data, cols, picks));
    expect(grown.map((t) => t.dataSync()[3_999_999])).toEqual([1, 2, 3]);
  });

  it("copies rows out of a tensor in its own memory (set path)", async () => {
    await setBackend("cpu");
    const x = tensor(data).reshape(rows, cols);
    const batch = takeRows(x, picks);
    expect(Array.from(batch.dataSync())).toEqual(rowsByHand(data, cols, picks));
  });

  it("copies rows of a view that starts inside its buffer", async () => {
    await setBackend("cpu");
    const x = tensor(data).reshape(rows, cols).add(0).slice([100, 200]);
    const batch = takeRows(x, [0, 99, 5]);
    expect(Array.from(batch.dataSync())).toEqual(rowsByHand(data, cols, [100, 199, 105]));
  });

  it("names an index out of range", async () => {
    await setBackend("cpu");
    const x = tensor(data).reshape(rows, cols).add(0);
    expect(() => takeRows(x, [0, rows])).toThrow(`index ${rows} is out of range for axis 0 of size ${rows}`);
  });
});
