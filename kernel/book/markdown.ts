import katex from "katex";
import { marked } from "marked";

/**
 * A lesson's markdown as HTML with its equations typeset by KaTeX at build time, so a page shows
 * them without scripts or a network. `$…$` is inline math and `$$…$$` display math, as in
 * Jupyter; dollar signs inside code (a TypeScript template's `${x}`) are left alone.
 */
export function renderMarkdown(src: string): string {
  const math: string[] = [];
  const hold = (tex: string, display: boolean): string => {
    math.push(katex.renderToString(tex, { displayMode: display, throwOnError: false, output: "html" }));
    return `GRADLABMATH${math.length - 1}X`;
  };
  let out = "";
  let i = 0;
  while (i < src.length) {
    // Fenced code blocks and inline code pass through untouched.
    if (src.startsWith("```", i) && (i === 0 || src[i - 1] === "\n")) {
      const end = src.indexOf("\n```", i + 3);
      const stop = end < 0 ? src.length : src.indexOf("\n", end + 4) < 0 ? src.length : src.indexOf("\n", end + 4);
      out += src.slice(i, stop);
      i = stop;
      continue;
    }
    if (src[i] === "`") {
      let ticks = 0;
      while (src[i + ticks] === "`") ticks++;
      const fence = "`".repeat(ticks);
      const end = src.indexOf(fence, i + ticks);
      const stop = end < 0 ? i + ticks : end + ticks;
      out += src.slice(i, stop);
      i = stop;
      continue;
    }
    if (src[i] === "\\" && src[i + 1] === "$") {
      out += "\\$";
      i += 2;
      continue;
    }
    if (src.startsWith("$$", i)) {
      const end = src.indexOf("$$", i + 2);
      if (end > i) {
        out += `\n\n${hold(src.slice(i + 2, end).trim(), true)}\n\n`;
        i = end + 2;
        continue;
      }
    }
    if (src[i] === "$") {
      const end = src.indexOf("$", i + 1);
      const newline = src.indexOf("\n\n", i + 1);
      if (end > i + 1 && (newline < 0 || end < newline) && src[i + 1] !== " ") {
        out += hold(src.slice(i + 1, end), false);
        i = end + 1;
        continue;
      }
    }
    out += src[i];
    i++;
  }
  const html = marked.parse(out, { async: false, gfm: true }) as string;
  return html.replace(/GRADLABMATH(\d+)X/g, (_, k: string) => math[Number(k)]!);
}

/**
 * The first heading of a lesson (its title, plain text) and its first paragraph (its summary, as
 * HTML with its math typeset).
 */
export function titleAndSummary(markdown: string): { title: string; summaryHtml: string } {
  const lines = markdown.split("\n");
  const heading = lines.find((l) => /^#\s/.test(l));
  const title = heading ? heading.replace(/^#\s+/, "").trim() : "Untitled";
  const paragraph = markdown.split(/\n\s*\n/).map((p) => p.trim()).find((p) => p && !p.startsWith("#")) ?? "";
  return { title, summaryHtml: renderMarkdown(paragraph).trim().replace(/^<p>|<\/p>$/g, "") };
}
