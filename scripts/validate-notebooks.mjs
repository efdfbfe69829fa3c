#!/usr/bin/env node
/**
 * Offline validator for the course notebooks, usable before (and besides) the gradlab kernel.
 *
 *   node scripts/validate-notebooks.mjs [NOTEBOOK…] [--build] [--no-typecheck] [--no-run]
 *                                       [--no-student] [--verbose] [--timeout=SECONDS] [--backend=NAME]
 *
 * For every notebook (default: notebooks/*.ipynb and notebooks/assignments/*.ipynb):
 *  1. format: nbformat 4.5, the gradlab kernelspec, cell ids, no saved outputs, balanced
 *     solution markers and grade metadata on hidden-test cells;
 *  2. types: all code cells, in order, type-checked as one strict TypeScript module against the
 *     built library (dist/lib/index.d.ts), with every export in scope as the kernel preloads it;
 *  3. run: the cells transpiled together into one async ES module, executed by Node with every
 *     export of dist/lib/index.js as a global and `display`/`clearOutput`/`input` shims. A cell's
 *     last expression is displayed as Jupyter would, so every figure's and tensor's
 *     [Symbol.for("Jupyter.display")]() runs and its MIME bundle is checked;
 *  4. student version (assignments): solutions replaced by a throwing stub, every graded test
 *     cell (visible and hidden) must fail — a test that passes without a solution grades nothing.
 * Build the library first (`npx tsc -p tsconfig.json`, or pass --build). --backend=webgpu runs the
 * notebooks on that backend (as the kernel does when it finds a GPU); the default is the CPU.
 */
import { spawnSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequire } from "node:module";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const DIST = join(ROOT, "dist", "lib", "index.js");
const CHECK = join(ROOT, "dist", "lib", "check", "index.js");
const require = createRequire(import.meta.url);

// ───────────────────────────── command line ─────────────────────────────

async function main(argv) {
  const flags = new Set(argv.filter((a) => a.startsWith("--") && !a.includes("=")));
  const timeout = Number(argv.find((a) => a.startsWith("--timeout="))?.split("=")[1] ?? 300);
  const backend = argv.find((a) => a.startsWith("--backend="))?.split("=")[1] ?? "cpu";
  if (!["cpu", "webgpu"].includes(backend)) return usage(`--backend must be cpu or webgpu, not ${backend}`);
  // The child processes read it from the environment, like the kernel reads GRADLAB_BACKEND.
  process.env.GRADLAB_VALIDATE_BACKEND = backend;
  const known = ["--build", "--no-typecheck", "--no-run", "--no-student", "--verbose"];
  for (const f of flags) if (!known.includes(f)) return usage(`unknown option ${f}`);
  const files = argv.filter((a) => !a.startsWith("--")).map((f) => resolve(f));
  const notebooks = files.length ? files : defaultNotebooks();
  if (notebooks.length === 0) return usage("no notebooks found");

  if (flags.has("--build")) {
    console.log("building the library (tsc) …");
    // Other parts of the tree may be mid-edit: emit anyway and let the run show what matters.
    spawnSync("npx", ["tsc", "-p", "tsconfig.json", "--noEmitOnError", "false"], { cwd: ROOT, stdio: "inherit" });
  }
  if (!existsSync(DIST)) return usage(`${relative(ROOT, DIST)} is missing: build with \`npx tsc -p tsconfig.json\` (or pass --build)`);
  const ts = require(join(ROOT, "node_modules", "typescript"));
  const exportsOfLib = Object.keys(await import(pathToFileURL(DIST).href));
  if (!exportsOfLib.includes("check") && existsSync(CHECK)) {
    // Until lib/index.ts exports `check`, take it from its own module so lessons can use it.
    console.warn("warning: lib/index.ts does not export `check` yet; it is taken from dist/lib/check/index.js for this run");
    process.env.GRADLAB_VALIDATE_CHECK = "1";
  }

  const parsed = notebooks.map((file) => ({ file, name: relative(ROOT, file), ...readNotebook(file) }));
  const results = new Map(parsed.map((nb) => [nb.file, { problems: [...nb.problems], seconds: null }]));

  if (!flags.has("--no-typecheck")) {
    const diags = typecheck(ts, parsed.filter((nb) => nb.cells), exportsOfLib, !!process.env.GRADLAB_VALIDATE_CHECK);
    for (const [file, list] of diags) results.get(file).problems.push(...list);
  }
  if (!flags.has("--no-run")) {
    for (const nb of parsed) {
      if (!nb.cells) continue;
      const r = results.get(nb.file);
      process.stdout.write(`running ${nb.name} … `);
      const run = await execute(ts, nb, { timeout, verbose: flags.has("--verbose"), student: false });
      r.seconds = run.seconds;
      r.problems.push(...run.problems);
      console.log(run.problems.length ? "FAILED" : `ok (${run.seconds.toFixed(1)} s)`);
      if (nb.isAssignment && !flags.has("--no-student")) {
        process.stdout.write(`  student version of ${nb.name} … `);
        const st = await execute(ts, nb, { timeout, verbose: flags.has("--verbose"), student: true });
        r.problems.push(...st.problems);
        console.log(st.problems.length ? "FAILED" : "ok (every graded test fails without a solution)");
      }
    }
  }

  console.log("\n── summary ──");
  let failed = 0;
  for (const nb of parsed) {
    const r = results.get(nb.file);
    const time = r.seconds === null ? "" : ` (${r.seconds.toFixed(1)} s)`;
    if (r.problems.length === 0) {
      console.log(`✓ ${nb.name}${time}`);
      continue;
    }
    failed++;
    console.log(`✗ ${nb.name}${time}`);
    for (const p of r.problems) console.log(indent(p, "    "));
  }
  console.log(`\n${parsed.length - failed} of ${parsed.length} notebooks valid.`);
  return failed ? 1 : 0;
}

function usage(problem) {
  console.error(`validate-notebooks: ${problem}`);
  console.error("usage: node scripts/validate-notebooks.mjs [NOTEBOOK…] [--build] [--no-typecheck] [--no-run] [--no-student] [--verbose] [--timeout=SECONDS] [--backend=cpu|webgpu]");
  return 2;
}

function defaultNotebooks() {
  const list = (dir) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".ipynb")).sort().map((f) => join(dir, f)) : []);
  return [...list(join(ROOT, "notebooks")), ...list(join(ROOT, "notebooks", "assignments"))];
}

function indent(text, pad) {
  return text.split("\n").map((l) => pad + l).join("\n");
}

// ───────────────────────────── format ─────────────────────────────

const KERNELSPEC = { name: "gradlab", display_name: "TypeScript (gradlab)", language: "typescript" };
const HIDDEN = /^\s*\/\/ HIDDEN TESTS/;

function source(cell) {
  return Array.isArray(cell.source) ? cell.source.join("") : String(cell.source ?? "");
}

/** Reads a notebook and lists what is wrong with its format; `cells` are its code cells. */
function readNotebook(file) {
  const problems = [];
  let nb;
  try {
    nb = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    return { problems: [`not a readable JSON notebook: ${e.message}`], cells: null };
  }
  if (nb.nbformat !== 4 || nb.nbformat_minor !== 5) problems.push(`nbformat is ${nb.nbformat}.${nb.nbformat_minor}, expected 4.5`);
  const ks = nb.metadata?.kernelspec ?? {};
  for (const [k, v] of Object.entries(KERNELSPEC)) if (ks[k] !== v) problems.push(`metadata.kernelspec.${k} is ${JSON.stringify(ks[k])}, expected ${JSON.stringify(v)}`);
  if (nb.metadata?.language_info?.name !== "typescript") problems.push('metadata.language_info.name must be "typescript"');
  if (!Array.isArray(nb.cells)) return { problems: [...problems, "no cells array"], cells: null };

  const isAssignment = file.includes(`${join("notebooks", "assignments")}`);
  const ids = new Set();
  const cells = [];
  nb.cells.forEach((cell, i) => {
    const where = `cell ${i + 1} (${cell.cell_type})`;
    if (typeof cell.id !== "string" || !/^[a-zA-Z0-9-_]{1,64}$/.test(cell.id)) problems.push(`${where}: nbformat 4.5 needs an id of 1–64 letters, digits, - or _`);
    else if (ids.has(cell.id)) problems.push(`${where}: duplicate id ${cell.id}`);
    ids.add(cell.id);
    if (cell.cell_type !== "code") return;
    if ((cell.outputs ?? []).length || cell.execution_count != null) problems.push(`${where}: saved with outputs; notebooks are stored without them`);
    const src = source(cell);
    const grade = cell.metadata?.gradlab;
    // As `gradlab assign` reads them: a marker is a line of its own.
    const markers = src.split("\n").map((l) => l.trim()).filter((l) => /^\/\/ (BEGIN|END) SOLUTION$/.test(l)).map((l) => l.split(" ")[1]);
    if ((src.match(/\/\/ (BEGIN|END) SOLUTION/g) ?? []).length !== markers.length) problems.push(`${where}: a solution marker must be alone on its line`);
    if (markers.some((m, k) => m !== (k % 2 === 0 ? "BEGIN" : "END")) || markers.length % 2) problems.push(`${where}: unbalanced // BEGIN SOLUTION … // END SOLUTION markers`);
    if (HIDDEN.test(src) && !grade?.grade) problems.push(`${where}: a hidden-test cell needs metadata {"gradlab": {"grade": true, "points": N, "name": …}}`);
    if (grade?.grade && !(Number.isFinite(grade.points) && grade.points > 0 && typeof grade.name === "string" && grade.name)) {
      problems.push(`${where}: graded cell metadata needs points > 0 and a name`);
    }
    if (grade?.grade && markers.length) problems.push(`${where}: a graded test cell must not contain a solution`);
    cells.push({ index: i, source: src, graded: !!grade?.grade, hidden: HIDDEN.test(src), solution: markers.length > 0, name: grade?.name });
  });
  if (isAssignment) {
    if (!cells.some((c) => c.solution)) problems.push("an assignment needs // BEGIN SOLUTION … // END SOLUTION regions");
    if (!cells.some((c) => c.graded && !c.hidden)) problems.push("an assignment needs visible graded test cells");
    if (!cells.some((c) => c.hidden)) problems.push("an assignment needs // HIDDEN TESTS cells");
  }
  return { problems, cells, isAssignment };
}

// ───────────────────────────── type check ─────────────────────────────

/**
 * All notebooks in one TypeScript program: each becomes a virtual module that imports the
 * library's exports by name (so namespaces like nn and types like Tensor work as the kernel's
 * preload makes them) and declares the kernel's display functions.
 */
function typecheck(ts, notebooks, exportsOfLib, bridgeCheck) {
  const names = declaredExports(ts) ?? exportsOfLib;
  const header = [
    `import { ${names.join(", ")} } from "../dist/lib/index.js";`,
    bridgeCheck ? `import * as check from "../dist/lib/check/index.js";` : "",
    "declare function display(value: unknown, options?: { id?: string }): unknown;",
    "declare function clearOutput(options?: { wait?: boolean }): void;",
    "declare function input(prompt?: string): Promise<string>;",
    "",
  ].join("\n");
  const headerLines = header.split("\n").length - 1;
  const virtual = new Map();
  const layout = new Map();
  notebooks.forEach((nb, k) => {
    const path = join(ROOT, "__notebooks__", `nb${k}.mts`);
    const starts = [];
    let line = headerLines;
    const parts = nb.cells.map((c) => {
      starts.push(line);
      line += c.source.split("\n").length;
      return c.source;
    });
    virtual.set(path, header + parts.join("\n") + "\nexport {};\n");
    layout.set(path, { nb, starts });
  });
  const options = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ["lib.es2022.d.ts"],
    types: ["node"],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    esModuleInterop: true,
    // Notebooks are exploratory: a value computed to be looked at is not an error.
    noUnusedLocals: false,
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (f) => virtual.get(resolve(f)) ?? readFile(f);
  host.fileExists = (f) => virtual.has(resolve(f)) || fileExists(f);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (f, lang, ...rest) => {
    const text = virtual.get(resolve(f));
    return text !== undefined ? ts.createSourceFile(f, text, lang, true) : getSourceFile(f, lang, ...rest);
  };
  const program = ts.createProgram([...virtual.keys()], options, host);
  const out = new Map();
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const file = d.file && resolve(d.file.fileName);
    const msg = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    if (!file || !layout.has(file)) {
      // A problem in the library's declarations themselves: report it once, against everything.
      const where = d.file ? `${relative(ROOT, d.file.fileName)}` : "TypeScript";
      for (const nb of notebooks) (out.get(nb.file) ?? out.set(nb.file, []).get(nb.file)).push(`type error in ${where}: ${msg}`);
      continue;
    }
    const { nb, starts } = layout.get(file);
    const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
    let k = starts.length - 1;
    while (k > 0 && starts[k] > line) k--;
    const cell = nb.cells[k];
    const text = cell ? cell.source.split("\n")[line - starts[k]] ?? "" : "";
    const where = line < headerLines ? "preamble" : `cell ${cell.index + 1} (code cell ${k + 1}), line ${line - starts[k] + 1}`;
    (out.get(nb.file) ?? out.set(nb.file, []).get(nb.file)).push(`type error, ${where}: ${msg}\n    > ${text.trim()}`);
  }
  return out;
}

/** Every export of the library's declarations, types included (the kernel's prelude imports them all). */
function declaredExports(ts) {
  const dts = join(ROOT, "dist", "lib", "index.d.ts");
  if (!existsSync(dts)) return null;
  const program = ts.createProgram([dts], { noEmit: true, skipLibCheck: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext });
  const checker = program.getTypeChecker();
  const symbol = checker.getSymbolAtLocation(program.getSourceFile(dts));
  return symbol ? checker.getExportsOfModule(symbol).map((s) => s.name).filter((n) => n !== "default") : null;
}

// ───────────────────────────── run ─────────────────────────────

/** Replaces solution regions as `gradlab assign` does: a comment and a throwing stub. */
function stubSolutions(src) {
  return src.replace(/^([ \t]*)\/\/ BEGIN SOLUTION\n[\s\S]*?^[ \t]*\/\/ END SOLUTION$/gm, (_, pad) =>
    `${pad}// YOUR CODE HERE\n${pad}throw new Error("not implemented yet: replace the // YOUR CODE HERE stub with your solution");`);
}

/** Whether a cell declares names at top level (then it cannot run inside a try block). */
function declares(ts, sf) {
  const kinds = [ts.SyntaxKind.VariableStatement, ts.SyntaxKind.FunctionDeclaration, ts.SyntaxKind.ClassDeclaration, ts.SyntaxKind.ImportDeclaration,
    ts.SyntaxKind.InterfaceDeclaration, ts.SyntaxKind.TypeAliasDeclaration, ts.SyntaxKind.EnumDeclaration];
  return sf.statements.some((st) => kinds.includes(st.kind));
}

/**
 * One cell's code, rewritten so a trailing expression is displayed (as Jupyter shows a cell's
 * value). In the student check, graded cells and cells that declare nothing run inside
 * try/catch, so every test is judged even when an earlier cell calls an unimplemented stub.
 */
function cellCode(ts, cell, k, student) {
  let src = student ? stubSolutions(cell.source) : cell.source;
  const sf = ts.createSourceFile(`cell${k}.ts`, src, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  cell.declares = declares(ts, sf);
  const last = sf.statements.at(-1);
  if (last && ts.isExpressionStatement(last)) {
    const expr = src.slice(last.expression.getStart(sf), last.expression.end);
    src = `${src.slice(0, last.getStart(sf))}await __show((${expr}));${src.slice(last.end)}`;
  }
  // Kept on the cell's first line, so line numbers still match the notebook.
  if (student && (cell.graded || !cell.declares)) return `__cell(${k}); try { ${src}\n__cellPassed(${k}); } catch (__e) { __cellFailed(${k}, __e); }`;
  return `__cell(${k}); ${src}`;
}

async function execute(ts, nb, { timeout, verbose, student }) {
  const dir = mkdtempSync(join(tmpdir(), "gradlab-nb-"));
  try {
    const code = nb.cells.map((c, k) => cellCode(ts, c, k, student)).join("\n");
    const fileName = `${nb.name.replace(/[^\w.-]+/g, "_")}.ts`;
    const js = ts.transpileModule(code, {
      fileName,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, inlineSourceMap: true, inlineSources: true },
    }).outputText;
    const modPath = join(dir, fileName.replace(/\.ts$/, ".mjs"));
    const resultPath = join(dir, "result.json");
    writeFileSync(modPath, js);
    const started = performance.now();
    const { status, signal, output } = await runChild(modPath, resultPath, timeout, { verbose, student });
    const seconds = (performance.now() - started) / 1000;
    const problems = [];
    const result = existsSync(resultPath) ? JSON.parse(readFileSync(resultPath, "utf8")) : null;
    const cellName = (k) => (k === null || k === undefined || k < 0 ? "before the first cell" : `cell ${nb.cells[k].index + 1} (code cell ${k + 1})`);
    if (!result) {
      const why = signal === "SIGKILL" ? `timed out after ${timeout} s` : `exited with ${signal ?? status} without a result`;
      problems.push(`the run ${why}\n${output.slice(-2000)}`);
    } else if (!student) {
      if (result.error) problems.push(`${cellName(result.error.cell)} failed: ${result.error.text}${sourceLine(nb, result.error)}`);
    } else {
      if (result.error) problems.push(`student version: ${cellName(result.error.cell)} fails, and it declares names later cells need, so a student cannot run past it: ${result.error.text}`);
      nb.cells.forEach((c, k) => {
        const outcome = result.cells[k];
        if (c.graded) {
          if (c.declares) problems.push(`${cellName(k)}: a graded test cell should not declare top-level names (tests must not leak into later cells)`);
          if (outcome === "passed") problems.push(`student version: graded ${c.hidden ? "hidden " : ""}test ${cellName(k)} ("${c.name}") passes without any solution; it cannot fail, so it grades nothing`);
          else if (outcome === undefined && !result.error) problems.push(`student version: graded test ${cellName(k)} never ran`);
        } else if (outcome?.startsWith("failed") && !/not implemented yet/.test(outcome)) {
          problems.push(`student version: ${cellName(k)} ${outcome}`);
        }
      });
    }
    if (verbose && result && !student) {
      const slow = result.timings.map((t, k) => [t, k]).sort((a, b) => b[0] - a[0]).slice(0, 3);
      console.log(`\n  slowest cells: ${slow.map(([t, k]) => `${cellName(k)} ${(t / 1000).toFixed(2)} s`).join(", ")}; ${result.displays} outputs displayed`);
    }
    return { seconds, problems };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function sourceLine(nb, error) {
  if (error.line == null || error.cell == null || error.cell < 0) return "";
  const starts = [];
  let line = 1;
  for (const c of nb.cells) {
    starts.push(line);
    line += c.source.split("\n").length;
  }
  const k = error.cell;
  const text = nb.cells[k].source.split("\n")[error.line - starts[k]];
  return text === undefined ? "" : `\n    at line ${error.line - starts[k] + 1} of the cell: ${text.trim()}`;
}

function runChild(modPath, resultPath, timeout, { verbose, student }) {
  return new Promise((done) => {
    const proc = spawn(process.execPath, ["--enable-source-maps", fileURLToPath(import.meta.url), "--child", modPath, resultPath], {
      cwd: ROOT,
      env: { ...process.env, GRADLAB_VALIDATE_STUDENT: student ? "1" : "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const collect = (chunk) => {
      output += chunk;
      if (output.length > 200_000) output = output.slice(-100_000);
      if (verbose) process.stdout.write(indent(String(chunk).trimEnd(), "  | ") + "\n");
    };
    proc.stdout.on("data", collect);
    proc.stderr.on("data", collect);
    const timer = setTimeout(() => proc.kill("SIGKILL"), timeout * 1000);
    proc.on("close", (status, signal) => {
      clearTimeout(timer);
      done({ status, signal, output });
    });
  });
}

// ───────────────────────────── child: the kernel stand-in ─────────────────────────────

/**
 * Runs one transpiled notebook with the kernel's globals. Results go to a JSON file rather than
 * stdout, which belongs to the notebook's own prints.
 */
async function child(modPath, resultPath) {
  const state = { cell: -1, started: performance.now(), timings: [], displays: 0, cells: {}, error: null };
  const lib = await import(pathToFileURL(DIST).href);
  Object.assign(globalThis, lib);
  const backend = process.env.GRADLAB_VALIDATE_BACKEND || "cpu";
  if (backend !== "cpu") {
    // Dawn's OpenGL ES path needs a headless EGL platform on machines without a display.
    process.env.EGL_PLATFORM ??= "surfaceless";
    await lib.setBackend(backend);
  }
  if (process.env.GRADLAB_VALIDATE_CHECK) globalThis.check = await import(pathToFileURL(CHECK).href);

  const checkBundle = (bundle, what) => {
    if (!bundle || typeof bundle !== "object" || Array.isArray(bundle)) throw new Error(`${what}: [Symbol.for("Jupyter.display")]() must return a MIME bundle object, got ${typeof bundle}`);
    const keys = Object.keys(bundle);
    if (keys.length === 0) throw new Error(`${what}: the MIME bundle is empty`);
    for (const k of keys) if (!/^[a-z]+\/[\w.+-]+$/.test(k)) throw new Error(`${what}: ${JSON.stringify(k)} is not a MIME type`);
    const text = bundle["text/plain"];
    if (text !== undefined && typeof text !== "string") throw new Error(`${what}: text/plain must be a string`);
    if (typeof text === "string" && text.includes("\u001b[")) throw new Error(`${what}: text/plain contains terminal colour codes`);
    if (bundle["text/html"] !== undefined && typeof bundle["text/html"] !== "string") throw new Error(`${what}: text/html must be a string`);
    const plotly = bundle["application/vnd.plotly.v1+json"];
    if (plotly !== undefined && !Array.isArray(plotly?.data)) throw new Error(`${what}: the plotly bundle needs a data array`);
    state.displays++;
  };
  const show = async (value, what) => {
    const render = value?.[Symbol.for("Jupyter.display")];
    if (typeof render === "function") checkBundle(await render.call(value), what);
    else state.displays++; // plain values are shown by inspection, as the kernel does
  };
  // The library's own live outputs (train.fit's progress, plot.live) go through this sink.
  globalThis[Symbol.for("gradlab.displaySink")] = {
    display: (bundle) => checkBundle(bundle, "a live display"),
    update: (_id, bundle) => checkBundle(bundle, "a live display update"),
  };
  globalThis.display = (value) => show(value, "display()");
  globalThis.clearOutput = () => {};
  globalThis.input = async () => {
    throw new Error("input(): a notebook run without a person cannot ask for input");
  };
  globalThis.__show = (value) => (value === undefined ? undefined : show(value, "the cell's value"));
  globalThis.__cell = (k) => {
    const now = performance.now();
    if (state.cell >= 0) state.timings[state.cell] = now - state.started;
    state.cell = k;
    state.started = now;
  };
  globalThis.__cellPassed = (k) => (state.cells[k] = "passed");
  globalThis.__cellFailed = (k, e) => (state.cells[k] = `failed: ${e?.message ?? e}`);

  const describe = (e) => {
    const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    const frame = (e?.stack ?? "").split("\n").find((l) => l.includes(".ts:") && !l.includes("node_modules") && !l.includes("/dist/"));
    const line = frame?.match(/\.ts:(\d+):\d+/);
    return { cell: state.cell, text, line: line ? Number(line[1]) : null };
  };
  process.on("unhandledRejection", (e) => {
    state.error ??= { ...describe(e), text: `unhandled promise rejection (a missing await?): ${describe(e).text}` };
  });
  try {
    await import(pathToFileURL(modPath).href);
    globalThis.__cell(-1);
  } catch (e) {
    state.error = describe(e);
  }
  // Let stray promises settle so their failures are reported too.
  await new Promise((r) => setTimeout(r, 50));
  writeFileSync(resultPath, JSON.stringify({ error: state.error, timings: state.timings, displays: state.displays, cells: state.cells }));
  process.exit(0);
}

// ───────────────────────────── entry ─────────────────────────────
// Last, so every constant above is initialised before anything runs.
if (process.argv[2] === "--child") {
  await child(process.argv[3], process.argv[4]);
} else {
  process.exitCode = await main(process.argv.slice(2));
}
