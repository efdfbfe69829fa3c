import { describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gradlab, ROOT as root } from "./cli.js";

export const lessons = readdirSync(join(root, "notebooks")).filter((f) => f.endsWith(".ipynb")).sort();
export const assignments = readdirSync(join(root, "notebooks", "assignments")).filter((f) => f.endsWith(".ipynb")).sort();

/** Every lesson and assignment, executed top to bottom by `gradlab run` on one backend. */
export function describeLessons(backend: "cpu" | "webgpu"): void {
  const out = mkdtempSync(join(tmpdir(), `gradlab-lessons-${backend}-`));
  // Dawn's OpenGL ES backend needs a headless EGL platform on machines without a display. Mesa's
  // llvmpipe would run shaders on every core (lesson 08 keeps both busy for a minute and a half),
  // starving the browser tests beside it: one thread.
  const env = backend === "webgpu" ? { GRADLAB_BACKEND: "webgpu", EGL_PLATFORM: process.env["EGL_PLATFORM"] ?? "surfaceless", LP_NUM_THREADS: "1" } : {};
  describe(`every lesson runs top to bottom through \`gradlab run\` (${backend})`, () => {
    for (const nb of [...lessons, ...assignments.map((a) => `assignments/${a}`)]) {
      it(nb, () => {
        const target = join(out, nb.replace("/", "-"));
        const r = gradlab(["run", join("notebooks", nb), "-o", target], env);
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
}
