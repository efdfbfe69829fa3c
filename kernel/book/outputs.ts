import { escapeHtml } from "../../lib/display/sink.js";
import { svgDataUri } from "../../lib/plot/svg/render.js";

/** One output of a code cell, as nbformat stores it. */
export interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

const join = (v: unknown): string => (Array.isArray(v) ? v.join("") : typeof v === "string" ? v : "");
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/**
 * An output on a course page. A figure becomes its static SVG plus its plotly spec, which the
 * site's script draws once plotly.js (loaded once for the whole site) is there; the outputs'
 * own HTML is not used for figures, since the first one of a session carries all of plotly.js.
 */
export function renderOutput(o: Output, figure: () => number): string {
  if (o.output_type === "stream") return `<pre class="stream ${o.name === "stderr" ? "stderr" : ""}">${escapeHtml(join(o.text))}</pre>`;
  if (o.output_type === "error") {
    const tb = (o.traceback ?? []).join("\n").replace(ANSI, "");
    return `<pre class="error">${escapeHtml(tb || `${o.ename}: ${o.evalue}`)}</pre>`;
  }
  const data = o.data ?? {};
  const spec = data["application/vnd.plotly.v1+json"];
  if (spec) {
    const svg = join(data["image/svg+xml"]);
    const id = figure();
    const layout = (spec as { layout?: { height?: number } }).layout;
    const img = svg ? `<img class="gradlab-static" alt="${escapeHtml(join(data["text/plain"]))}" src="${svgDataUri(svg)}">` : `<pre>${escapeHtml(join(data["text/plain"]))}</pre>`;
    return `<div class="figure" id="figure-${id}" style="height:${Number(layout?.height ?? 420)}px">${img}</div>` +
      `<script type="application/json" class="figure-spec" data-for="figure-${id}">${JSON.stringify(spec).replace(/</g, "\\u003c")}</script>`;
  }
  const html = join(data["text/html"]);
  if (html) return `<div class="html-output">${html}</div>`;
  const svg = join(data["image/svg+xml"]);
  if (svg) return `<img class="svg-output" alt="" src="${svgDataUri(svg)}">`;
  const png = join(data["image/png"]);
  if (png) return `<img alt="" src="data:image/png;base64,${png.replace(/\s/g, "")}">`;
  const text = join(data["text/plain"]);
  return text ? `<pre class="result">${escapeHtml(text)}</pre>` : "";
}
