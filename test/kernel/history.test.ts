// Execution history on disk: written in batches off the cell's path, never lost at exit, and
// read back by the next session.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { History } from "../../kernel/history.js";
import { REPO } from "./support/kernelspec.js";

let dir = "";
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const fresh = () => (dir = mkdtempSync(path.join(os.tmpdir(), "gradlab-history-")));
const lines = () => readFileSync(path.join(dir, "history.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { line: number; input: string });

describe("history", () => {
  it("writes a burst of cells as one batch soon after, in order, and not during the cell", async () => {
    fresh();
    const history = new History(dir);
    for (let i = 1; i <= 200; i++) history.add(i, `cell ${i}`, null);
    expect(existsSync(path.join(dir, "history.jsonl"))).toBe(false);
    const file = path.join(dir, "history.jsonl");
    for (let i = 0; i < 100 && !(existsSync(file) && readFileSync(file, "utf8").includes("cell 200\"")); i++) await new Promise((r) => setTimeout(r, 20));
    expect(lines().map((e) => e.input)).toEqual(Array.from({ length: 200 }, (_, i) => `cell ${i + 1}`));
  });

  it("writes what is pending when the process exits", () => {
    fresh();
    const module = path.join(REPO, "dist", "kernel", "history.js");
    const script = `const { History } = await import(${JSON.stringify(module)}); const h = new History(${JSON.stringify(dir)}); h.add(1, "first", "1"); h.add(2, "second", null); process.exit(0);`;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    expect(lines().map((e) => e.input)).toEqual(["first", "second"]);
  });

  it("gives the next session the earlier sessions' cells", async () => {
    fresh();
    const first = new History(dir);
    first.add(1, "a = 1", null);
    first.add(2, "a + 1", "2");
    // The file may exist before the batch is in it: wait for the content.
    const written = () => (existsSync(path.join(dir, "history.jsonl")) ? readFileSync(path.join(dir, "history.jsonl"), "utf8") : "");
    for (let i = 0; i < 100 && !written().includes("a + 1"); i++) await new Promise((r) => setTimeout(r, 20));
    const second = new History(dir);
    second.add(1, "b = 2", null);
    expect(second.session).toBe(first.session + 1);
    expect(second.query({ hist_access_type: "tail", n: 3, output: true })).toEqual([
      [first.session, 1, ["a = 1", null]],
      [first.session, 2, ["a + 1", "2"]],
      [second.session, 1, ["b = 2", null]],
    ]);
  });
});
