// Runs the official conformance suite (jupyter_kernel_test) against the gradlab kernel.
import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installTestKernelspec, REPO, SYSTEM_PYTHON, type TestJupyter } from "./support/kernelspec.js";

const SUITE_TESTS = [
  "test_kernel_info",
  "test_execute_stdout",
  "test_execute_stderr",
  "test_completion",
  "test_is_complete",
  "test_pager",
  "test_error",
  "test_execute_result",
  "test_display_data",
  "test_history",
  "test_inspect",
  "test_clear_output",
];

describe("jupyter_kernel_test conformance suite", () => {
  let jupyter: TestJupyter;
  beforeAll(() => {
    jupyter = installTestKernelspec();
  });
  afterAll(() => jupyter.cleanup());

  it("passes every test of the suite, none skipped", async () => {
    const script = path.join(REPO, "test", "kernel", "kernel_conformance.py");
    const { code, output } = await run(SYSTEM_PYTHON, [script], jupyter.env);
    expect(output, output).toMatch(/^OK$/m);
    expect(code, output).toBe(0);
    for (const name of SUITE_TESTS) expect(output).toMatch(new RegExp(`^${name} \\(.*\\) \\.\\.\\. ok$`, "m"));
    expect(output).not.toMatch(/skipped/);
    expect(output).toMatch(new RegExp(`Ran ${SUITE_TESTS.length} tests`));
  }, 180_000);
});

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("close", (code) => resolve({ code, output }));
  });
}
