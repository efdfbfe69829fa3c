import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { parseCommand, secondsOption, UsageError } from "../cli/args.js";
import { readNotebook } from "../notebook/nbformat.js";
import { buildSite, type Lesson } from "./site.js";


/** The lessons to publish: those named, else `notebooks/*.ipynb` here, else the package's own. */
function lessonsToRun(named: string[], packageRoot: string): string[] {
  if (named.length) return named;
  for (const dir of [resolve("notebooks"), join(packageRoot, "notebooks")]) {
    if (existsSync(dir)) {
      const found = readdirSync(dir).filter((f) => f.endsWith(".ipynb")).sort().map((f) => join(dir, f));
      if (found.length) return found;
    }
  }
  throw new UsageError("gradlab book: no lessons found (name notebooks, or run it where notebooks/*.ipynb are)");
}

/**
 * `gradlab book [NOTEBOOK…] [-o SITE] [--timeout S]`: runs every lesson top to bottom, each in a
 * fresh kernel of its own process (`gradlab run`), and writes the static course site. Assignments
 * are not published unless named: their sources hold the solutions. Exit 1 when a lesson had a
 * failing cell (the site is still written, showing the error where it happened).
 */
export async function bookCommand(args: string[], gradlab: string[], packageRoot: string, log: (s: string) => void): Promise<number> {
  const { values, positionals: named } = parseCommand("book", args, { output: { type: "string", short: "o" }, timeout: { type: "string" } });
  const out = values.output ?? "site";
  if (!out) throw new UsageError("gradlab book: -o needs a folder");
  const timeout = String(secondsOption("book", "timeout", values.timeout, 600));
  const sources = lessonsToRun(named, packageRoot);
  const work = mkdtempSync(join(tmpdir(), "gradlab-book-"));
  const lessons: Lesson[] = [];
  let failed = 0;
  try {
    for (const src of sources) {
      const executed = join(work, basename(src));
      const code = await new Promise<number>((done) => {
        const child = spawn(gradlab[0]!, [...gradlab.slice(1), "run", src, "-o", executed, "--timeout", timeout, "--continue-on-error"], { stdio: ["ignore", "inherit", "inherit"] });
        child.on("exit", (c) => done(c ?? 1));
      });
      if (code === 2 || !existsSync(executed)) throw new UsageError(`gradlab book: ${src} could not be run (see above)`);
      if (code !== 0) failed++;
      lessons.push({ file: basename(src), nb: readNotebook(executed) });
    }
    const r = buildSite(lessons, resolve(out));
    log(`gradlab book: ${r.pages} pages, ${r.figures} figures → ${join(resolve(out), "index.html")}${failed ? ` (${failed} lesson(s) with failing cells)` : ""}`);
    return failed ? 1 : 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
