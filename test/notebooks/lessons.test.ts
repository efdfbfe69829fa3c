import { describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gradlab, ROOT as root } from "../helpers/cli.js";

const out = mkdtempSync(join(tmpdir(), "gradlab-lessons-"));

const lessons = readdirSync(join(root, "notebooks")).filter((f) => f.endsWith(".ipynb")).sort();
const assignments = readdirSync(join(root, "notebooks", "assignments")).filter((f) => f.endsWith(".ipynb")).sort();

describe("every lesson runs top to bottom through `gradlab run`", () => {
  it("there are ten lessons and three assignments", () => {
    expect(lessons).toHaveLength(10);
    expect(assignments.length).toBeGreaterThanOrEqual(3);
  });

  for (const nb of [...lessons, ...assignments.map((a) => `assignments/${a}`)]) {
    it(nb, () => {
      const target = join(out, nb.replace("/", "-"));
      const r = gradlab(["run", join("notebooks", nb), "-o", target]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/all ok/);
      const executed = JSON.parse(readFileSync(target, "utf8")) as { cells: { cell_type: string; outputs?: { output_type: string }[] }[] };
      const code = executed.cells.filter((c) => c.cell_type === "code");
      expect(code.every((c) => !(c.outputs ?? []).some((o) => o.output_type === "error"))).toBe(true);
      // Lessons show something: at least one rich output (a plot, table or tensor).
      expect(code.some((c) => (c.outputs ?? []).some((o) => o.output_type === "display_data" || o.output_type === "execute_result"))).toBe(true);
    }, 300_000);
  }
});
