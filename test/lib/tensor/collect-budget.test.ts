// The garbage budget's floor follows what collections cost relative to the work between them.
import { describe, expect, it } from "vitest";
import { CHEAP_SHARE, COLLECT_BUDGET, COSTLY_SHARE, nextFloor } from "../../../lib/tensor/collect-budget.js";

const MiB = 2 ** 20;

describe("collection budget floor", () => {
  const { min, max } = COLLECT_BUDGET.cpu;

  it("doubles while collecting takes more than a quarter of the time, up to the cap", () => {
    expect(COSTLY_SHARE).toBe(0.25);
    expect(nextFloor("cpu", min, 30, 100)).toBe(2 * min);
    let floor = min;
    for (let i = 0; i < 10; i++) floor = nextFloor("cpu", floor, 50, 10);
    expect(floor).toBe(max);
    expect(max).toBeLessThanOrEqual(64 * MiB);
  });

  it("halves back to the minimum when collections become cheap, and holds in between", () => {
    expect(CHEAP_SHARE).toBe(0.05);
    expect(nextFloor("cpu", max, 1, 100)).toBe(max / 2);
    let floor = max;
    for (let i = 0; i < 10; i++) floor = nextFloor("cpu", floor, 1, 1000);
    expect(floor).toBe(min);
    expect(nextFloor("cpu", 32 * MiB, 10, 100)).toBe(32 * MiB);
  });

  it("keeps GPU memory's floor fixed: scarce memory is worth more than collection time", () => {
    const gpu = COLLECT_BUDGET.webgpu;
    expect(nextFloor("webgpu", gpu.min, 100, 1)).toBe(gpu.min);
    expect(gpu.max).toBe(gpu.min);
  });
});
