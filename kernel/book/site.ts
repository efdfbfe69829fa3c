import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import { escapeHtml } from "../../lib/display/sink.js";
import type { Notebook } from "../notebook/nbformat.js";
import { renderMarkdown, titleAndSummary } from "./markdown.js";
import { renderOutput, type Output } from "./outputs.js";

const require = createRequire(import.meta.url);

export interface Lesson {
  /** The notebook's file name, e.g. "03-activations.ipynb". */
  file: string;
  nb: Notebook;
}

const CSS = `
:root { --fg: #1d1d1f; --muted: #666; --line: #e3e3e3; --code: #f6f7f9; --accent: #1f77b4; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); font: 16px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header, main, footer { max-width: 960px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 18px; display: flex; gap: 16px; align-items: baseline; border-bottom: 1px solid var(--line); }
header a { color: var(--accent); text-decoration: none; }
header .course { font-weight: 600; margin-right: auto; }
nav.pager { display: flex; justify-content: space-between; margin: 32px 0; }
nav.pager a { color: var(--accent); text-decoration: none; }
h1 { font-size: 2em; line-height: 1.25; }
pre, code { font: 13.5px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
code { background: var(--code); padding: 1px 4px; border-radius: 3px; }
.cell.code pre.source { background: var(--code); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; overflow-x: auto; margin: 14px 0 6px; }
.outputs { margin: 0 0 14px; }
.outputs pre { margin: 4px 0; padding: 2px 12px; overflow-x: auto; white-space: pre-wrap; }
.outputs pre.error, .outputs pre.stderr { background: #fdf0f0; color: #8a1f11; }
.figure { width: 100%; margin: 8px 0; }
.figure img.gradlab-static, img.svg-output { display: block; width: 100%; height: 100%; object-fit: contain; }
.html-output { overflow-x: auto; }
.html-output table { border-collapse: collapse; }
.katex-display { overflow-x: auto; overflow-y: hidden; }
ol.lessons { padding: 0; list-style: none; }
ol.lessons li { margin: 18px 0; }
ol.lessons a { font-size: 1.15em; color: var(--accent); text-decoration: none; font-weight: 600; }
ol.lessons p { margin: 4px 0 0; color: var(--muted); }
footer { color: var(--muted); font-size: 0.9em; border-top: 1px solid var(--line); margin-top: 40px; padding: 14px 20px 30px; }
`;

// Draws each figure with plotly.js once it is loaded (one file for the whole site), replacing its
// static image; without scripts, or if plotly.js fails to load, the image stays.
const SITE_JS = `(function () {
  function draw() {
    if (!window.Plotly) return;
    document.querySelectorAll("script.figure-spec").forEach(function (s) {
      var el = document.getElementById(s.getAttribute("data-for"));
      if (!el) return;
      var spec = JSON.parse(s.textContent);
      el.innerHTML = "";
      window.Plotly.newPlot(el, spec.data, spec.layout, Object.assign({}, spec.config, { responsive: true }));
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();`;

function page(opts: { title: string; body: string; depth: number; course: string; scripts: boolean }): string {
  const up = opts.depth ? "../" : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(opts.title)}</title>
<link rel="stylesheet" href="${up}assets/katex/katex.min.css"><link rel="stylesheet" href="${up}assets/site.css">
</head><body>
<header><a class="course" href="${up}index.html">${escapeHtml(opts.course)}</a><a href="${up}index.html">Lessons</a></header>
<main>${opts.body}</main>
<footer>Made with gradlab: the lessons were run with the gradlab kernel when this site was built. Open any lesson in JupyterLab with <code>npm start</code> to run and change it yourself.</footer>
${opts.scripts ? `<script src="${up}assets/plotly.min.js"></script><script src="${up}assets/site.js"></script>` : ""}
</body></html>
`;
}

function lessonBody(l: Lesson, prev: Lesson | null, next: Lesson | null): { html: string; figures: number } {
  let figures = 0;
  const parts: string[] = [];
  for (const cell of l.nb.cells) {
    const source = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
    if (cell.cell_type === "markdown") parts.push(`<section class="cell markdown">${renderMarkdown(source)}</section>`);
    else if (cell.cell_type === "code") {
      const outputs = ((cell as { outputs?: Output[] }).outputs ?? []).map((o) => renderOutput(o, () => ++figures)).join("");
      parts.push(`<section class="cell code"><pre class="source"><code>${escapeHtml(source)}</code></pre>${outputs ? `<div class="outputs">${outputs}</div>` : ""}</section>`);
    }
  }
  const link = (lesson: Lesson | null, label: string) => (lesson ? `<a href="${pageName(lesson)}">${label}</a>` : "<span></span>");
  const pager = `<nav class="pager">${link(prev, `← ${escapeHtml(titleOf(prev))}`)}${link(next, `${escapeHtml(titleOf(next))} →`)}</nav>`;
  return { html: parts.join("\n") + pager, figures };
}

function firstMarkdown(l: Lesson): string {
  const cell = l.nb.cells.find((c) => c.cell_type === "markdown");
  return cell ? (Array.isArray(cell.source) ? cell.source.join("") : cell.source) : "";
}

function titleOf(l: Lesson | null): string {
  return l ? titleAndSummary(firstMarkdown(l)).title : "";
}

export function pageName(l: Lesson): string {
  return basename(l.file).replace(/\.ipynb$/, ".html");
}

function writeAtomically(path: string, text: string | Uint8Array): void {
  writeFileSync(path + ".tmp", text);
  renameSync(path + ".tmp", path);
}

/**
 * Writes the course site for executed lessons into `outDir`: an index, a page per lesson, and
 * the assets (plotly.js once for the whole site, KaTeX's stylesheet and fonts, the site's CSS and
 * script). Built in a sibling folder and swapped in at the end, so a failed build leaves the
 * previous site whole. Every link is relative: the site opens from the file system, offline.
 */
export function buildSite(lessons: Lesson[], outDir: string, course = "gradlab · deep learning in TypeScript"): { pages: number; figures: number } {
  const staging = `${outDir}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(join(staging, "lessons"), { recursive: true });
  mkdirSync(join(staging, "assets", "katex", "fonts"), { recursive: true });
  let figures = 0;
  try {
    lessons.forEach((l, k) => {
      const body = lessonBody(l, lessons[k - 1] ?? null, lessons[k + 1] ?? null);
      figures += body.figures;
      writeAtomically(join(staging, "lessons", pageName(l)), page({ title: `${titleOf(l)} · ${course}`, body: body.html, depth: 1, course, scripts: body.figures > 0 }));
    });
    const items = lessons.map((l) => {
      const { title, summaryHtml } = titleAndSummary(firstMarkdown(l));
      return `<li><a href="lessons/${pageName(l)}">${escapeHtml(title)}</a><p>${summaryHtml}</p></li>`;
    });
    const index = `<h1>${escapeHtml(course)}</h1><p>${lessons.length} lessons, from tensors to training a network. Each page shows a lesson as it ran, with its outputs and interactive plots; the plots are pictures where scripts are off.</p><ol class="lessons">${items.join("")}</ol>`;
    writeAtomically(join(staging, "index.html"), page({ title: course, body: index, depth: 0, course, scripts: false }));
    copyFileSync(require.resolve("plotly.js-dist-min"), join(staging, "assets", "plotly.min.js"));
    const katexDist = dirname(require.resolve("katex/dist/katex.min.css"));
    copyFileSync(join(katexDist, "katex.min.css"), join(staging, "assets", "katex", "katex.min.css"));
    for (const f of readdirSync(join(katexDist, "fonts"))) if (f.endsWith(".woff2")) copyFileSync(join(katexDist, "fonts", f), join(staging, "assets", "katex", "fonts", f));
    writeAtomically(join(staging, "assets", "site.css"), CSS);
    writeAtomically(join(staging, "assets", "site.js"), SITE_JS);
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  const old = `${outDir}.old-${process.pid}`;
  if (existsSync(outDir)) renameSync(outDir, old);
  renameSync(staging, outDir);
  rmSync(old, { recursive: true, force: true });
  return { pages: lessons.length + 1, figures };
}
