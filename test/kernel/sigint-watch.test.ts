// The SIGINT watcher thread (kernel/exec/sigint-watch.ts): a signal stops a cell's synchronous
// loop, reaches the kernel when no cell runs, and never ends the process, also after a cell
// installs a SIGINT listener of its own.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "./support/kernelspec.js";

function runChild(): Map<string, unknown> {
  const out = execFileSync(process.execPath, [path.join(REPO, "test/kernel/fixtures/sigint-watch-child.mjs")], { encoding: "utf8", timeout: 60_000 });
  return new Map(out.trim().split("\n").map((line) => {
    const { check, value } = JSON.parse(line) as { check: string; value: unknown };
    return [check, value];
  }));
}

describe("SIGINT watcher", () => {
  it("takes the signal from the main thread and hands each SIGINT to the right place", () => {
    const results = runChild();
    expect(results.get("taken over")).toBe(true);
    const rounds = results.get("rounds") as { loop: string; idle: boolean }[];
    expect(rounds).toHaveLength(8);
    for (const round of rounds) expect(round).toEqual({ loop: "ERR_SCRIPT_EXECUTION_INTERRUPTED", idle: true });
    expect(results.get("loop with a listener of its own")).toBe("ERR_SCRIPT_EXECUTION_INTERRUPTED");
    expect(results.get("idle with a listener of its own")).toEqual({ kernel: true, own: true });
  });
});
