// The host hook through which a notebook interrupt stops library work (train.fit) that the
// interrupted cell started; without a host nothing is ever interrupted.
import { afterEach, describe, expect, it } from "vitest";
import { data, manualSeed, nn, train } from "../../../lib/index.js";
import { INTERRUPT_HOST, watchInterrupts, type InterruptHost } from "../../../lib/host/interrupts.js";

class HostInterrupt extends Error {}

function installHost(interruptAfterChecks: number): { checks: () => number } {
  let checks = 0;
  const host: InterruptHost = {
    watch: () => () => {
      if (++checks > interruptAfterChecks) throw new HostInterrupt("interrupted by the host");
    },
  };
  (globalThis as Record<symbol, unknown>)[INTERRUPT_HOST] = host;
  return { checks: () => checks };
}

afterEach(() => {
  delete (globalThis as Record<symbol, unknown>)[INTERRUPT_HOST];
});

describe("watchInterrupts", () => {
  it("never throws without a host", () => {
    const check = watchInterrupts();
    for (let i = 0; i < 3; i++) expect(() => check()).not.toThrow();
  });

  it("throws the host's own error once the host says so", () => {
    installHost(2);
    const check = watchInterrupts();
    check();
    check();
    expect(() => check()).toThrow(HostInterrupt);
  });
});

describe("train.fit under an interrupt", () => {
  it("stops between batches with the host's error and leaves the model in evaluation mode", async () => {
    manualSeed(0);
    const host = installHost(5);
    const net = new nn.Sequential(new nn.Linear(2, 8, { activation: "relu" }), new nn.Dropout(0.5), new nn.Linear(8, 2));
    let batches = 0;
    const run = train.fit(net, data.xor(), { epochs: 1000, batchSize: 1, display: false, callbacks: { onBatchEnd: () => void batches++ } });
    await expect(run).rejects.toThrow(HostInterrupt);
    // Five checks passed, so exactly five steps ran; the sixth check stopped the run.
    expect(batches).toBe(5);
    expect(host.checks()).toBe(6);
    expect(net.training).toBe(false);
  });
});
