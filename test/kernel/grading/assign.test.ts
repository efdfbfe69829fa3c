import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assign, makeStudentCopy } from "../../../kernel/grading/assign.js";
import { stripSolutions } from "../../../kernel/grading/markers.js";
import { mergeForGrading } from "../../../kernel/grading/merge.js";
import { readNotebook, sourceOf, type Cell, type Notebook } from "../../../kernel/notebook/nbformat.js";

const code = (id: string, source: string, metadata: Record<string, unknown> = {}): Cell => ({ id, cell_type: "code", source, metadata, outputs: [{ output_type: "stream", name: "stdout", text: "old" }], execution_count: 3 });
const md = (id: string, source: string): Cell => ({ id, cell_type: "markdown", source, metadata: {} });
const graded = (name: string, points: number) => ({ gradlab: { grade: true, points, name } });

function instructor(): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      md("intro", "# A1"),
      code("impl", "function sigmoid(x: Tensor): Tensor {\n  // BEGIN SOLUTION\n  return x.neg().exp().add(1).reciprocal();\n  // END SOLUTION\n}"),
      code("visible", "check.close(sigmoid(tensor(0)), 0.5);", graded("sigmoid(0)", 1)),
      code("hidden", "// HIDDEN TESTS\ncheck.close(sigmoid(tensor(2)), 0.8808);", graded("sigmoid(2)", 2)),
    ],
  };
}

describe("assign: the student copy", () => {
  it("replaces solutions by a stub that throws, at the same indentation", () => {
    expect(stripSolutions("a\n  // BEGIN SOLUTION\n  secret()\n  // END SOLUTION\nb", "x")).toBe(
      'a\n  // YOUR CODE HERE\n  throw new Error("not implemented yet: replace the // YOUR CODE HERE stub with your solution");\nb',
    );
  });

  it("drops hidden tests and outputs, keeps visible tests and cell ids", () => {
    const s = makeStudentCopy(instructor(), "a1.ipynb");
    expect(s.cells.map((c) => c.id)).toEqual(["intro", "impl", "visible"]);
    const impl = sourceOf(s.cells[1]!);
    expect(impl).not.toContain("reciprocal");
    expect(impl).toContain("// YOUR CODE HERE");
    expect(s.cells[2]!.outputs).toEqual([]);
    expect(s.cells[2]!.execution_count).toBeNull();
    expect(JSON.stringify(s)).not.toContain("0.8808");
  });

  it("rejects unbalanced markers and notebooks without solutions", () => {
    expect(() => stripSolutions("// BEGIN SOLUTION\nx", "nb, cell 2")).toThrow(/nb, cell 2: \/\/ BEGIN SOLUTION is never closed/);
    expect(() => stripSolutions("// END SOLUTION", "nb")).toThrow(/line 1: \/\/ END SOLUTION without/);
    const nb = instructor();
    nb.cells = [md("a", "text")];
    expect(() => makeStudentCopy(nb, "a.ipynb")).toThrow(/no "\/\/ BEGIN SOLUTION" markers found/);
  });

  it("writes the student notebook atomically and leaves the source alone", () => {
    const dir = mkdtempSync(join(tmpdir(), "assign-"));
    const src = join(dir, "a1.ipynb");
    writeFileSync(src, JSON.stringify(instructor()));
    const before = readFileSync(src, "utf8");
    assign(src, join(dir, "student.ipynb"));
    expect(readFileSync(src, "utf8")).toBe(before);
    expect(readNotebook(join(dir, "student.ipynb")).cells).toHaveLength(3);
  });

  it("bad inputs: missing file, not JSON, not a notebook", () => {
    const dir = mkdtempSync(join(tmpdir(), "assign-"));
    expect(() => assign(join(dir, "nope.ipynb"), join(dir, "o.ipynb"))).toThrow(/nope.ipynb: no such file/);
    writeFileSync(join(dir, "bad.ipynb"), "{");
    expect(() => assign(join(dir, "bad.ipynb"), join(dir, "o.ipynb"))).toThrow(/not a notebook \(not valid JSON/);
    writeFileSync(join(dir, "obj.ipynb"), "{}");
    expect(() => assign(join(dir, "obj.ipynb"), join(dir, "o.ipynb"))).toThrow(/not a Jupyter notebook/);
  });
});

describe("merging a submission for grading", () => {
  it("takes the student's code, but every test (visible and hidden) from the source", () => {
    const student = makeStudentCopy(instructor(), "a1.ipynb");
    student.cells[1]!.source = "function sigmoid(x: Tensor): Tensor { return x.sigmoid(); }";
    // A student who weakens the visible test gains nothing.
    student.cells[2]!.source = "// tests removed";
    const { notebook, graded } = mergeForGrading(instructor(), student);
    expect(notebook.cells.map((c) => c.id)).toEqual(["intro", "impl", "visible", "hidden"]);
    expect(sourceOf(notebook.cells[1]!)).toContain("x.sigmoid()");
    expect(sourceOf(notebook.cells[2]!)).toContain("check.close(sigmoid(tensor(0)), 0.5)");
    expect(graded).toEqual([
      { index: 2, name: "sigmoid(0)", points: 1, hidden: false },
      { index: 3, name: "sigmoid(2)", points: 2, hidden: true },
    ]);
  });

  it("keeps cells the student added, where they added them", () => {
    const student = makeStudentCopy(instructor(), "a1.ipynb");
    student.cells.splice(2, 0, code("mine", "const helper = 1;"));
    const { notebook } = mergeForGrading(instructor(), student);
    expect(notebook.cells.map((c) => c.id)).toEqual(["intro", "impl", "mine", "visible", "hidden"]);
  });
});
