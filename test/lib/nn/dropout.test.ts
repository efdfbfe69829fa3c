import { describe, expect, it } from "vitest";
import { F, manualSeed, nn, ones } from "../../../lib/index.js";

describe("dropout", () => {
  it("drops about p of the units and scales survivors by 1/(1−p), keeping the mean", () => {
    manualSeed(5);
    const out = F.dropout(ones([100_000]), 0.5, true).dataSync();
    const zeros = out.filter((v) => v === 0).length / out.length;
    expect(zeros).toBeGreaterThan(0.49);
    expect(zeros).toBeLessThan(0.51);
    expect(new Set(out)).toEqual(new Set([0, 2]));
    const mean = out.reduce((a, b) => a + b, 0) / out.length;
    expect(Math.abs(mean - 1)).toBeLessThan(0.02);
  });

  it("passes inputs through unchanged when not training, and the Dropout layer obeys eval()", () => {
    const x = ones([1000]);
    expect(F.dropout(x, 0.5, false)).toBe(x);
    const layer = new nn.Dropout(0.3);
    expect(layer.forward(x).dataSync().some((v) => v === 0)).toBe(true);
    layer.eval();
    expect(layer.forward(x)).toBe(x);
  });

  it("rejects p outside [0, 1)", () => {
    expect(() => F.dropout(ones([2]), 1, true)).toThrow(/must be in \[0, 1\), got 1/);
    expect(() => new nn.Dropout(-0.1)).toThrow(/Dropout: p must be in \[0, 1\)/);
  });
});
