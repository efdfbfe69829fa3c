import { describe, expect, it } from "vitest";
import { manualSeed, nn, randn, tensor, Tensor, zeros } from "../../../lib/index.js";
import { expectTensor } from "../../helpers/assert.js";

describe("nn modules", () => {
  it("a 2-2-1 network reports 9 parameters", () => {
    const net = new nn.Sequential(new nn.Linear(2, 2, { activation: "relu" }), new nn.Linear(2, 1, { activation: "sigmoid" }));
    expect(net.numParameters()).toBe(9);
    expect(net.parameters()).toHaveLength(4);
    expect(net.namedParameters().map(([k]) => k)).toEqual(["0.weight", "0.bias", "1.weight", "1.bias"]);
    const s = net.toString();
    expect(s).toContain("Linear(2 → 2, relu)");
    expect(s).toContain("weight [2, 2], bias [2]");
    expect(s).toContain("total: 9 parameters");
  });

  it("Linear computes x·W + b (the dense layer worked example)", () => {
    const layer = new nn.Linear(2, 2, { activation: "relu" });
    layer.weight._assign(tensor([[1, 0.5], [0.5, 1]]));
    layer.bias!._assign(tensor([-2, 0.5]));
    expectTensor(layer.forward(tensor([[1, 2], [-1, 2]])), [[0, 3], [0, 2]]);
    expect(nn.Dense).toBe(nn.Linear);
  });

  it("initialisations have the promised spread", () => {
    manualSeed(0);
    const he = new nn.Linear(1000, 500, { init: "he" }).weight.dataSync();
    const sd = Math.sqrt(he.reduce((a, v) => a + v * v, 0) / he.length);
    expect(sd).toBeCloseTo(Math.sqrt(2 / 1000), 3);
    const xav = new nn.Linear(300, 100).weight.dataSync();
    const a = Math.sqrt(6 / 400);
    expect(Math.max(...xav)).toBeLessThanOrEqual(a);
    expect(Math.min(...xav)).toBeGreaterThanOrEqual(-a);
    expect(Math.max(...xav)).toBeGreaterThan(0.95 * a);
  });

  it("custom modules find tensor and sub-module fields without registration", () => {
    class Net extends nn.Module {
      hidden = new nn.Linear(3, 4);
      out = new nn.Linear(4, 1);
      scale = tensor(1, { requiresGrad: true });
      notAParam = zeros([3]);
      forward(x: Tensor) {
        return this.out.forward(this.hidden.forward(x).tanh()).mul(this.scale);
      }
    }
    const net = new Net();
    expect(net.numParameters()).toBe(3 * 4 + 4 + 4 + 1 + 1);
    expect(net.call(randn([5, 3])).shape).toEqual([5, 1]);
    net.eval();
    expect(net.hidden.training).toBe(false);
    net.train();
    expect(net.out.training).toBe(true);
  });

  it("state and loadState copy weights out and back", () => {
    const l = new nn.Linear(2, 2);
    const saved = l.state();
    const before = l.weight.arraySync();
    l.weight._assign(zeros([2, 2]));
    l.loadState(saved);
    expect(l.weight.arraySync()).toEqual(before);
  });

  it("shape errors name the layer and the input", () => {
    const net = new nn.Sequential(new nn.Linear(2, 3), new nn.Linear(4, 1));
    expect(() => net.forward(zeros([5, 3]))).toThrow(/Sequential layer 0 \(Linear\(2 → 3\)\): Linear\(2 → 3\): input \[5,3\] must end in 2 features/);
    expect(() => net.forward(zeros([5, 2]))).toThrow(/Sequential layer 1 .*input \[5,3\] must end in 4 features/);
    expect(() => new nn.Linear(0, 2)).toThrow(/inFeatures must be a whole number ≥ 1/);
    expect(() => new nn.Sequential({} as never)).toThrow(/argument 0 is not a layer/);
  });

  it("activation modules and PReLU", () => {
    const x = tensor([-1, 2]);
    expectTensor(new nn.ReLU().forward(x), [0, 2]);
    expectTensor(new nn.LeakyReLU(0.2).forward(x), [-0.2, 2]);
    const p = new nn.PReLU();
    expect(p.numParameters()).toBe(1);
    expectTensor(p.forward(x), [-0.25, 2]);
    expect(new nn.Flatten().forward(zeros([2, 3, 4])).shape).toEqual([2, 12]);
  });

  it("models display as a layer table", () => {
    const bundle = new nn.Sequential(new nn.Linear(2, 2))[Symbol.for("Jupyter.display")]();
    expect(bundle["text/html"]).toContain("<table");
    expect(bundle["text/plain"]).toContain("total: 6 parameters");
  });
});
