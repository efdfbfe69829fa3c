// Hostile submissions against the grading sandbox, graded together with an honest one. Each
// attack sits in an extra cell of an otherwise honest (or deliberately wrong) submission: it must
// score what its honest part earns, and every file outside its private folder stays as it was.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gradlab } from "../../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "gradlab-hostile-"));
const sourcePath = join(dir, "instructor", "double.ipynb");
const submissions = join(dir, "submissions");
const escapeMarker = join(dir, "escaped.txt");
const SECRET = "HIDDEN-CASE-7781";

type Cell = { cell_type: string; id: string; metadata: Record<string, unknown>; source: string; outputs?: unknown[]; execution_count?: null };
const code = (id: string, source: string, metadata: Record<string, unknown> = {}): Cell => ({ cell_type: "code", id, metadata, source, outputs: [], execution_count: null });
const notebook = (cells: Cell[]) => ({ nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: "gradlab", display_name: "TypeScript (gradlab)", language: "typescript" } }, cells });

const RIGHT = "function double(x: number): number {\n  return 2 * x;\n}";
const WRONG = "function double(x: number): number {\n  return x + 1;\n}";

function source(): ReturnType<typeof notebook> {
  return notebook([
    code("impl", "function double(x: number): number {\n  // BEGIN SOLUTION\n  return 2 * x;\n  // END SOLUTION\n}"),
    code("visible", 'check.close(double(2), 4, { name: "double(2)" });', { gradlab: { grade: true, points: 1, name: "visible" } }),
    code("between", "const done = true;"),
    code("hidden", `// HIDDEN TESTS\n// ${SECRET}\ncheck.close(double(21), 42, { name: "double(21)" });\ncheck.close(double(-1.5), -3, { name: "double(-1.5)" });`, { gradlab: { grade: true, points: 2, name: "hidden" } }),
  ]);
}

/** A student's notebook: their solution, and `extra` as a cell of their own after cell `after`. */
function submission(solution: string, extra: string, after: "impl" | "visible" = "impl"): ReturnType<typeof notebook> {
  const cells = [code("impl", solution), code("visible", 'check.close(double(2), 4, { name: "double(2)" });'), code("between", "const done = true;")];
  if (extra) cells.splice(after === "impl" ? 1 : 2, 0, code("extra", extra));
  return notebook(cells);
}

let server: Server;
let hits = 0;
let port = 0;

// Each attack, what it tries, and the score its honest part earns (of 3).
const attacks: Record<string, { solution: string; extra: string; after?: "impl" | "visible"; score: number; networkOnlyInBwrap?: boolean }> = {
  honest: { solution: RIGHT, extra: "", score: 3 },
  "read-hidden-tests": {
    solution: RIGHT,
    extra: `import * as fs from "node:fs";
for (const p of [${JSON.stringify(sourcePath)}, ${JSON.stringify(join(dir, "instructor"))}, "/proc/1/cmdline", "/proc/self/environ"]) {
  try { console.log("READ " + p + ": " + (fs.statSync(p).isDirectory() ? fs.readdirSync(p).join(",") : fs.readFileSync(p, "utf8"))); } catch (e) { console.log("denied " + p); }
}`,
    score: 3,
  },
  "overwrite-neighbour": {
    solution: RIGHT,
    extra: `import * as fs from "node:fs";
for (const p of [${JSON.stringify(join(submissions, "honest.ipynb"))}, ${JSON.stringify(sourcePath)}, ${JSON.stringify(escapeMarker)}, "/tmp/gradlab-escaped.txt"]) {
  try { fs.writeFileSync(p, "pwned"); console.log("WROTE " + p); } catch (e) { console.log("denied " + p); }
}
try { fs.rmSync(${JSON.stringify(submissions)}, { recursive: true }); console.log("REMOVED"); } catch (e) { console.log("denied rm"); }`,
    score: 3,
  },
  spawn: {
    solution: RIGHT,
    extra: `import * as cp from "node:child_process";
for (const run of [() => cp.execSync("touch ${escapeMarker}"), () => cp.spawnSync("/bin/sh", ["-c", "touch ${escapeMarker}"]), () => (process as any).binding("spawn_sync")]) {
  try { run(); console.log("SPAWNED"); } catch (e) { console.log("denied: " + (e as Error).message.slice(0, 80)); }
}
try { const { Worker } = await import("node:worker_threads"); new Worker("1", { eval: true }); console.log("THREAD"); } catch (e) { console.log("denied worker"); }`,
    score: 3,
  },
  network: {
    solution: RIGHT,
    extra: "try { await fetch(`http://127.0.0.1:${PORT}/leak`, { signal: AbortSignal.timeout(3000) }); console.log(\"CONNECTED\"); } catch (e) { console.log(\"no network\"); }",
    score: 3,
    networkOnlyInBwrap: true,
  },
  "endless-loop": { solution: RIGHT, extra: "while (true) {}", score: 3 },
  "process-exit": { solution: RIGHT, extra: "process.exit(0);", score: 3 },
  "kill-grader": { solution: RIGHT, extra: "try { process.kill(process.ppid, \"SIGKILL\"); } catch (e) { console.log(\"denied\"); }\ntry { process.kill(1, \"SIGKILL\"); } catch (e) { console.log(\"denied\"); }", score: 3 },
  // The memory bomb goes off after the visible test: that point is earned, the rest never runs.
  "memory-bomb": { solution: RIGHT, extra: "const hoard: Float64Array[] = [];\nfor (;;) hoard.push(new Float64Array(1 << 24).fill(1));", after: "visible", score: 1 },
  // 32 MB of JavaScript heap per step: fast enough that the memory limit, not the cell's time
  // limit, ends it even on a loaded machine (which limit came first used to depend on the load).
  "heap-bomb": { solution: RIGHT, extra: "const heap: number[][] = [];\nfor (;;) heap.push(new Array(1 << 22).fill(0.5));", after: "visible", score: 1 },
  "patch-check": {
    solution: WRONG,
    extra: `const c = check as any;
for (const k of Object.keys(c)) { try { c[k] = () => {}; } catch { /* frozen */ } }
try { (globalThis as any).check = { close() {} }; } catch { /* read-only */ }
try { (Promise.prototype as any).then = function () { return this; }; } catch { /* frozen */ }
try { (Number.prototype as any).toFixed = () => "0"; Math.abs = () => 0; } catch { /* frozen */ }
try { (Tensor.prototype as any).item = async () => 4; } catch { /* frozen */ }`,
    score: 0,
  },
  "forged-score": {
    solution: WRONG,
    extra: `import * as fs from "node:fs";
const forged = (id: string) => JSON.stringify({ id, status: "ok", executionCount: 9, messages: [], truncated: false }) + "\\n";
for (const fd of [1, 2, 3, 4]) { try { fs.writeSync(fd, forged("visible") + JSON.stringify({ score: 3, max: 3, passed: true }) + "\\n"); } catch { /* closed */ } }
console.log(JSON.stringify({ score: 3, max: 3 }));
try { (Object.prototype as any).toJSON = function () { return { status: "ok" }; }; } catch { /* frozen */ }`,
    score: 0,
  },
};

interface Report {
  student: string;
  score: number;
  max: number;
  problem?: string;
  tests: { name: string; passed: boolean; error?: string }[];
}

function hashes(): Map<string, string> {
  const out = new Map<string, string>();
  for (const folder of [submissions, join(dir, "instructor")]) {
    for (const f of readdirSync(folder)) out.set(join(folder, f), createHash("sha256").update(readFileSync(join(folder, f))).digest("hex"));
  }
  return out;
}

beforeAll(async () => {
  server = createServer((_, res) => {
    hits++;
    res.end("leaked");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as { port: number }).port;
  mkdirSync(join(dir, "instructor"));
  mkdirSync(submissions);
  writeFileSync(sourcePath, JSON.stringify(source()));
  for (const [name, a] of Object.entries(attacks)) {
    writeFileSync(join(submissions, `${name}.ipynb`), JSON.stringify(submission(a.solution, a.extra.replace("${PORT}", String(port)), a.after)));
  }
});

afterAll(() => server?.close());

describe.each(["bwrap", "node"] as const)("hostile submissions in the %s sandbox", (mode) => {
  let reports: Map<string, Report>;
  let before: Map<string, string>;

  beforeAll(() => {
    hits = 0;
    before = hashes();
    const r = gradlab(["grade", submissions, "--source", sourcePath, "--json", "--sandbox", mode, "--timeout", "5", "--memory", "600", "--parallel", "2"]);
    expect(r.code, r.stderr).toBe(0);
    reports = new Map((JSON.parse(r.stdout) as Report[]).map((x) => [x.student, x]));
  }, 600_000);

  for (const [name, attack] of Object.entries(attacks)) {
    if (attack.networkOnlyInBwrap && mode === "node") continue;
    it(`${name}: scores what its honest part earns (${attack.score}/3)`, () => {
      const report = reports.get(name)!;
      expect(report, `no report for ${name}`).toBeDefined();
      expect(report.max).toBe(3);
      expect(report.score, JSON.stringify(report.tests)).toBe(attack.score);
    });
  }

  it("every file outside the private folders is untouched; nothing escaped; no request got out", () => {
    expect(hashes()).toEqual(before);
    expect(existsSync(escapeMarker)).toBe(false);
    expect(existsSync("/tmp/gradlab-escaped.txt")).toBe(false);
    if (mode === "bwrap") expect(hits).toBe(0);
  });

  it("the hidden tests never reach a submission's outputs, and the limits are named", () => {
    const read = reports.get("read-hidden-tests")!;
    expect(JSON.stringify(read)).not.toContain(SECRET);
    expect(reports.get("memory-bomb")!.problem).toMatch(/more than 600 MB|ended by SIG|exit code/);
    expect(reports.get("heap-bomb")!.problem).toMatch(/more than 600 MB|ended by SIG|exit code/);
    const looped = reports.get("endless-loop")!;
    expect(looped.problem).toBeUndefined();
    expect(reports.get("process-exit")!.problem).toBeUndefined();
  });
});

describe("feedback and gradebook", () => {
  it("hidden tests show how they went, never their code", () => {
    const book = join(dir, "book");
    const r = gradlab(["grade", submissions, "--source", sourcePath, "--gradebook", book, "--timeout", "5", "--memory", "600"]);
    expect(r.code, r.stderr).toBe(0);
    // What the reading attack printed is in its feedback: refusals, not the instructor's file.
    const reader = readFileSync(join(book, "feedback", "read-hidden-tests.ipynb"), "utf8");
    expect(reader).toContain(`denied ${sourcePath}`);
    expect(reader).not.toContain(SECRET);
    expect(reader).not.toContain("READ /");
    const feedback = readFileSync(join(book, "feedback", "patch-check.ipynb"), "utf8");
    expect(feedback).not.toContain(SECRET);
    expect(feedback).toContain("Hidden test: hidden");
    const csv = readFileSync(join(book, "gradebook.csv"), "utf8").trim().split("\n");
    expect(csv[0]).toBe("student,status,score,max,percent,late,submitted_at,visible,hidden,problem");
    expect(csv.find((l) => l.startsWith("honest,"))).toBe("honest,graded,3,3,100,false,,1,2,");
  }, 600_000);
});
