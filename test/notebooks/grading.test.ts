import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gradlab } from "../helpers/cli.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "gradlab-grade-"));
const source = join(root, "notebooks", "assignments", "a1-activations.ipynb");

interface Report {
  score: number;
  max: number;
  tests: { name: string; passed: boolean; hidden: boolean; error?: string }[];
}

function grade(submission: string): Report {
  const r = gradlab(["grade", submission, "--source", source, "--json", "--timeout", "60"]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Report;
}

describe("assign and grade", () => {
  const student = join(dir, "student.ipynb");

  it("the instructor's solution gets full marks, hidden tests included", () => {
    const before = statSync(source).mtimeMs;
    const report = grade(source);
    expect(report.max).toBeGreaterThan(0);
    expect(report.score).toBe(report.max);
    expect(report.tests.some((t) => t.hidden)).toBe(true);
    expect(statSync(source).mtimeMs).toBe(before);
  }, 300_000);

  it("a blank student copy runs, scores 0, and says why", () => {
    const r = gradlab(["assign", source, "-o", student]);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(student, "utf8");
    expect(text).toContain("// YOUR CODE HERE");
    expect(text).not.toContain("// HIDDEN TESTS");
    const report = grade(student);
    expect(report.score).toBe(0);
    expect(report.tests.length).toBeGreaterThan(2);
    expect(report.tests[0]!.error).toMatch(/not implemented yet/);
  }, 300_000);

  it("a submission that crashes or loops cannot take the grader down", () => {
    const nb = JSON.parse(readFileSync(student, "utf8")) as { cells: { cell_type: string; source: string | string[] }[] };
    const firstCode = nb.cells.findIndex((c) => c.cell_type === "code");
    nb.cells[firstCode]!.source = "process.exit(3);";
    writeFileSync(join(dir, "crash.ipynb"), JSON.stringify(nb));
    const crashed = grade(join(dir, "crash.ipynb"));
    expect(crashed.score).toBe(0);
    // Exiting is refused inside the sandbox: the submission's own cells then fail on their stubs.
    expect(crashed.tests[0]!.error).toMatch(/not implemented yet|not run/);

    nb.cells[firstCode]!.source = "while (true) {}";
    writeFileSync(join(dir, "loop.ipynb"), JSON.stringify(nb));
    const r = gradlab(["grade", join(dir, "loop.ipynb"), "--source", source, "--json", "--timeout", "3"]);
    expect(r.code, r.stderr).toBe(0);
    const looped = JSON.parse(r.stdout) as Report;
    expect(looped.score).toBe(0);
  }, 300_000);
});

describe("CLI bad inputs give clear errors", () => {
  it("missing file, not a notebook, bad usage", () => {
    const missing = gradlab(["run", join(dir, "nope.ipynb")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/gradlab run: .*nope\.ipynb: no such file/);
    writeFileSync(join(dir, "text.ipynb"), "hello");
    const notNb = gradlab(["run", join(dir, "text.ipynb")]);
    expect(notNb.code).toBe(2);
    expect(notNb.stderr).toMatch(/not a notebook \(not valid JSON/);
    const usage = gradlab(["grade", source]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--source SOURCE/);
    expect(gradlab(["run", source, "--bogus"]).stderr).toMatch(/unknown option --bogus/);
  });

  it("--timeout interrupts a looping cell; later cells still run with the earlier state", () => {
    const nb = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: ["const before = 41;", "while (true) {}", "before + 1"].map((source) => ({ cell_type: "code", source, metadata: {}, outputs: [] })) };
    writeFileSync(join(dir, "loop-run.ipynb"), JSON.stringify(nb));
    const t0 = Date.now();
    const r = gradlab(["run", join(dir, "loop-run.ipynb"), "-o", join(dir, "loop-run.out.ipynb"), "--timeout", "2", "--continue-on-error"]);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cell 2: the cell ran longer than 2 s and was interrupted/);
    const executed = JSON.parse(readFileSync(join(dir, "loop-run.out.ipynb"), "utf8")) as { cells: { outputs: { data?: Record<string, string> }[] }[] };
    expect(executed.cells[2]!.outputs[0]!.data!["text/plain"]).toBe("42");
  });

  it("a failing cell makes `gradlab run` exit 1 and name the cell", () => {
    const nb = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: "code", source: "const a = tensor([1, 2]);", metadata: {}, outputs: [] }, { cell_type: "code", source: "a.add(tensor([1, 2, 3]))", metadata: {}, outputs: [] }] };
    writeFileSync(join(dir, "fails.ipynb"), JSON.stringify(nb));
    const r = gradlab(["run", join(dir, "fails.ipynb")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cell 2: ShapeError: add: cannot broadcast \[2\] with \[3\]/);
  });
});
