import { describe, expect, it } from "vitest";
import { data, manualSeed, tensor } from "../../../lib/index.js";

describe("toy data sets", () => {
  it("xor is the truth table", () => {
    const { x, y } = data.xor();
    expect(x.arraySync()).toEqual([[0, 0], [0, 1], [1, 0], [1, 1]]);
    expect(y.arraySync()).toEqual([0, 1, 1, 0]);
    expect(y.dtype).toBe("int32");
  });

  it("every set has float32 x [n, features] and int32 y [n], and a seed makes it repeatable", () => {
    for (const make of [data.moons, data.circles, data.spirals, data.blobs] as const) {
      const a = make({ n: 30, seed: 3 });
      const b = make({ n: 30, seed: 3 });
      expect(a.x.dtype).toBe("float32");
      expect(a.y.dtype).toBe("int32");
      expect(a.x.shape[0]).toBe(a.y.shape[0]);
      expect(a.x.shape[1]).toBe(2);
      expect(a.x.arraySync()).toEqual(b.x.arraySync());
      expect(make({ n: 30, seed: 4 }).x.arraySync()).not.toEqual(a.x.arraySync());
    }
  });

  it("manualSeed decides unseeded sets", () => {
    manualSeed(9);
    const a = data.moons({ n: 10 }).x.arraySync();
    manualSeed(9);
    expect(data.moons({ n: 10 }).x.arraySync()).toEqual(a);
  });

  it("circles lie on radii 1 and factor", () => {
    const { x, y } = data.circles({ n: 100, noise: 0, factor: 0.3, seed: 1 });
    const xs = x.arraySync() as number[][];
    const ys = y.arraySync() as number[];
    xs.forEach(([a, b], i) => expect(Math.hypot(a!, b!)).toBeCloseTo(ys[i] === 0 ? 1 : 0.3, 5));
  });

  it("spirals have n points per class", () => {
    const { y } = data.spirals({ n: 50, classes: 4 });
    expect(y.shape).toEqual([200]);
    expect(new Set(y.dataSync())).toEqual(new Set([0, 1, 2, 3]));
  });

  it("regression follows y = x·w + b", () => {
    const r = data.regression({ n: 50, w: [2, -1], b: 0.5, noise: 0, seed: 1 });
    const xs = r.x.arraySync() as number[][];
    const ys = r.y.arraySync() as number[][];
    xs.forEach(([a, b], i) => expect(ys[i]![0]).toBeCloseTo(2 * a! - b! + 0.5, 5));
  });
});

describe("real data sets shipped in npm packages (offline)", () => {
  it("iris: 150 flowers, 4 features, 3 species", async () => {
    const ds = await data.iris();
    expect(ds.x.shape).toEqual([150, 4]);
    expect(ds.classes).toHaveLength(3);
    expect(new Set(ds.y.dataSync())).toEqual(new Set([0, 1, 2]));
  });

  it("digits: 28×28 images in [0, 1] with labels 0–9", async () => {
    const ds = await data.digits({ perClass: 20 });
    expect(ds.x.shape).toEqual([200, 784]);
    expect(ds.x.max().itemSync()).toBeLessThanOrEqual(1);
    expect(ds.x.min().itemSync()).toBeGreaterThanOrEqual(0);
    expect(ds.x.mean().itemSync()).toBeGreaterThan(0.05);
    expect(ds.y.slice([0, 20]).arraySync()).toEqual(Array(20).fill(0));
    expect(ds.y.at(199).itemSync()).toBe(9);
  });
});

describe("splitting, batching and transforms", () => {
  const ds = { x: tensor([[0], [1], [2], [3], [4], [5], [6], [7], [8], [9]]), y: tensor(Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])) };

  it("trainTestSplit keeps x and y rows together and loses none", () => {
    manualSeed(1);
    const { train, test } = data.trainTestSplit(ds, { testSize: 0.3 });
    expect(train.x.shape).toEqual([7, 1]);
    expect(test.x.shape).toEqual([3, 1]);
    const rows = [...train.y.dataSync(), ...test.y.dataSync()].sort((a, b) => a - b);
    expect(rows).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect((train.x.arraySync() as number[][]).map((r) => r[0])).toEqual(Array.from(train.y.dataSync()));
  });

  it("batches cover every example once per pass", () => {
    const seen: number[] = [];
    for (const b of data.batches(ds, { batchSize: 4 })) {
      expect(b.x.shape[0]).toBeLessThanOrEqual(4);
      seen.push(...b.y.dataSync());
    }
    expect(seen.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...data.batches(ds, { batchSize: 4, shuffle: false })].map((b) => b.y.arraySync())).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  });

  it("oneHot and standardize", () => {
    expect(data.oneHot(tensor(Int32Array.from([2, 0])), 3).arraySync()).toEqual([[0, 0, 1], [1, 0, 0]]);
    expect(() => data.oneHot(tensor(Int32Array.from([3])), 3)).toThrow(/outside 0..2/);
    const s = data.standardize(tensor([[1, 10], [3, 10], [5, 10]]));
    expect(s.x.mean(0).arraySync()).toEqual([0, 0]);
    expect((s.x.square().mean(0).arraySync() as number[])[0]).toBeCloseTo(1, 5);
    expect((s.apply(tensor([[3, 10]])).arraySync() as number[][])[0]).toEqual([0, 0]);
  });

  it("mismatched x and y are rejected", () => {
    expect(() => data.trainTestSplit({ x: tensor([[1], [2]]), y: tensor([1]) })).toThrow(/x \[2,1\] and y \[1\] must have one row per example/);
  });
});
