import { describe, expect, it } from "vitest";
import * as check from "../../../lib/check/index.js";
import { tensor } from "../../../lib/index.js";
import { capturePasses, failure } from "./helpers.js";

const printed = capturePasses();

describe("check.close", () => {
  it("passes within tolerance and prints one ✓ line naming the value", () => {
    check.close(tensor([[6, 18], [4, 23]]).mul(tensor([[2, 1], [1, 2]])), [[12, 18], [4, 46]], { name: "Hadamard product" });
    check.close(0.1 + 0.2, 0.3, { name: "sum" });
    expect(printed.lines).toEqual(["✓ Hadamard product: all 4 values match", "✓ sum = 0.3"]);
    check.close(1.00001, 1, { name: "loose" });
    expect(printed.lines[2]).toBe("✓ loose = 1.00001 (expected 1)");
  });

  it("reports the first differing element with both values, the counts and the full small values", () => {
    const msg = failure(() => check.close(tensor([[12, 18], [4, 23]]), [[12, 18], [4, 46]], { name: "Hadamard product" }));
    expect(msg).toContain("✗ 1 of 4 values of Hadamard product differ");
    expect(msg).toContain("first at [1, 1]: got 23, expected 46");
    expect(msg).toContain("got      [[12, 18], [4, 23]]");
    expect(printed.lines).toEqual([]);
  });

  it("respects tol and rtol", () => {
    check.close(1.0005, 1, { tol: 1e-3 });
    expect(failure(() => check.close(1.0005, 1, { tol: 1e-4, rtol: 0 }))).toContain("is 1.0005, but 1 was expected");
    check.close(1000.05, 1000, { tol: 0, rtol: 1e-4 });
  });

  it("explains shape mismatches: transposed, column vs flat, accidental broadcasting", () => {
    expect(failure(() => check.close(tensor([[1, 2, 3]]).T, [[1, 2, 3]]))).toMatch(/shape \[3, 1\], but \[1, 3\].*\n.*transposed/s);
    expect(failure(() => check.close(tensor([1, 2, 3]), [[1], [2], [3]]))).toContain("only axes of size 1 differ");
    const y = tensor([1, 2, 3]);
    const broadcast = y.sub(y.reshape(3, 1));
    expect(failure(() => check.close(broadcast, [0, 0, 0]))).toContain("grew to [3, 3] by broadcasting");
    expect(failure(() => check.close(y.sum(), [1, 2, 3]))).toContain("a single number where a tensor was expected");
  });

  it("guesses the cause of value mismatches", () => {
    expect(failure(() => check.close([1, -2, 3], [-1, 2, -3]))).toContain("wrong sign");
    expect(failure(() => check.close([2, 4, 6], [1, 2, 3]))).toContain("a factor of 2");
    expect(failure(() => check.close([0.25, 0.5], [1, 2]))).toContain("a factor of 4");
    expect(failure(() => check.close([1.5, 2.5, 3.5], [1, 2, 3]))).toContain("off by the same amount (0.5)");
    expect(failure(() => check.close([[1, 3], [2, 4]], [[1, 2], [3, 4]]))).toContain("transpose of the expected one");
    expect(failure(() => check.close([0, 0], [1, 2]))).toContain("all zeros");
    expect(failure(() => check.close([NaN, 1], [1, 1]))).toContain("NaN");
    expect(failure(() => check.close([Infinity, 1], [1, 1]))).toContain("Infinity");
  });

  it("a symmetric matrix is not reported as transposed", () => {
    const msg = failure(() => check.close([[1, 2], [2, 5]], [[1, 2], [2, 1]]));
    expect(msg).not.toContain("transpose");
  });

  it("adds the caller's hint", () => {
    expect(failure(() => check.close(1, 2, { hint: "re-read the formula for ReLU" }))).toContain("Hint: re-read the formula for ReLU");
  });

  it("NaN matches NaN and equal infinities match", () => {
    check.close([NaN, Infinity], [NaN, Infinity]);
  });

  it("names the mistakes that happen before there is a value", () => {
    expect(failure(() => check.close(undefined as never, 1, { name: "sigmoid(0)" }))).toMatch(/sigmoid\(0\) is undefined.*\n.*return/s);
    expect(failure(() => check.close(Promise.resolve(1) as never, 1))).toContain("add `await`");
    expect(failure(() => check.close((() => 1) as never, 1))).toContain("call it");
    expect(failure(() => check.close([[1, 2], [3]], [[1, 2], [3, 4]]))).toContain("ragged");
  });
});

describe("check.equal", () => {
  it("compares counts, strings and arrays exactly", () => {
    check.equal(9, 9, "parameters of a 2-2-1 network");
    check.equal("relu", "relu", "activation");
    check.equal(tensor([1, 2]).int(), [1, 2], "labels");
    expect(printed.lines[0]).toBe("✓ parameters of a 2-2-1 network = 9");
    expect(failure(() => check.equal(8, 9, "parameters"))).toContain("parameters is 8, but 9 was expected");
    expect(failure(() => check.equal("tanh", "relu"))).toContain('"tanh", but "relu"');
    expect(failure(() => check.equal(1.0000001, 1))).toContain("but 1 was expected");
  });
});

describe("check.ok", () => {
  it("passes on true, fails with the statement and hint on false, and rejects non-booleans", () => {
    check.ok(true, "the loss went down");
    expect(printed.lines).toEqual(["✓ the loss went down"]);
    const msg = failure(() => check.ok(false, "the loss went down", "try a smaller learning rate"));
    expect(msg).toContain("expected: the loss went down");
    expect(msg).toContain("Hint: try a smaller learning rate");
    expect(failure(() => check.ok(1 as never, "x"))).toContain("true/false");
  });
});

describe("check.shape", () => {
  it("accepts tensors, arrays and -1 wildcards", () => {
    check.shape(tensor([[1, 2, 3], [4, 5, 6]]), [2, 3], "X");
    check.shape([[1], [2]], [-1, 1], "column");
    expect(printed.lines).toEqual(["✓ X has shape [2, 3]", "✓ column has shape [2, 1]"]);
  });

  it("explains rank and transposition errors", () => {
    const msg = failure(() => check.shape(tensor([[1, 2, 3], [4, 5, 6]]), [3, 2], "W1"));
    expect(msg).toContain("W1 has shape [2, 3], but [3, 2] was expected");
    expect(msg).toContain("weight is [in, out]");
    expect(failure(() => check.shape(tensor([1, 2]), [2, 1], "b"))).toContain("it has 1 axis, 2 were expected");
    expect(failure(() => check.shape(tensor([1, 2]), [2.5] as never))).toContain("array of sizes");
  });
});

describe("tensors on a backend without synchronous readback", () => {
  /** A CPU tensor dressed as a WebGPU one: same values, but its backend says reads must be awaited. */
  function gpuLike(values: number[]) {
    const t = tensor(values);
    Object.defineProperty(t, "backend", { value: Object.create(t.backend, { name: { value: "webgpu" }, syncReadback: { value: false } }) });
    return t;
  }

  it("makes the check a promise that passes or rejects with the usual explanation", async () => {
    const pending = check.close(gpuLike([1, 2]), [1, 2], { name: "logits" });
    expect(pending).toBeInstanceOf(Promise);
    await pending;
    expect(printed.lines).toEqual(["✓ logits: all 2 values match"]);
    await expect(check.close(gpuLike([1, 3]), [1, 2], { name: "logits" })).rejects.toThrow(/first at \[1\]: got 3, expected 2/);
    await expect(check.equal(gpuLike([4]), [5], "count")).rejects.toBeInstanceOf(check.CheckError);
  });

  it("stays synchronous for everything else, so a failure throws where the check is called", () => {
    expect(check.close(tensor([1, 2]), [1, 2])).toBeUndefined();
    expect(() => check.close(tensor([1, 3]), [1, 2])).toThrow(check.CheckError);
  });

  it("still knows the shape without reading", () => {
    check.shape(gpuLike([1, 2]), [2], "its shape");
    expect(printed.lines).toEqual(["✓ its shape has shape [2]"]);
  });

  it("explains tensors nested in arrays, which cannot be awaited", () => {
    expect(failure(() => check.close([gpuLike([1])] as never, [1]))).toContain("await t.item()");
  });
});
