import { renameSync, writeFileSync } from "node:fs";
import { figureHtml, standalonePage, type PlotlySpec } from "./html.js";
import { renderSvg } from "./svg/render.js";
import { newDisplayId } from "../display/sink.js";

export interface FigureOptions {
  title?: string;
  xlabel?: string;
  ylabel?: string;
  width?: number;
  height?: number;
  /** Show the legend (default: when there is more than one trace). */
  legend?: boolean;
}

export type SpecBuilder = () => Promise<{ data: Record<string, unknown>[]; layout?: Record<string, unknown>; summary: string }>;

const BASE_LAYOUT = {
  margin: { l: 60, r: 20, t: 50, b: 50 },
  font: { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: 13 },
  plot_bgcolor: "#fff",
  paper_bgcolor: "#fff",
  xaxis: { gridcolor: "#e5e5e5", zerolinecolor: "#999" },
  yaxis: { gridcolor: "#e5e5e5", zerolinecolor: "#999" },
  colorway: ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"],
};

function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = prev && v && typeof prev === "object" && typeof v === "object" && !Array.isArray(v) ? merge(prev as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

/**
 * A plotly figure that shows itself in a notebook. Its data is read when it is displayed, so
 * tensors on an async (GPU) backend work too.
 */
export class Figure {
  private built: Promise<{ spec: PlotlySpec; summary: string }> | null = null;

  constructor(readonly kind: string, private readonly builder: SpecBuilder, readonly options: FigureOptions = {}) {}

  /** The plotly spec: `{ data, layout, config }`. */
  async spec(): Promise<PlotlySpec> {
    return (await this.build()).spec;
  }

  private build(): Promise<{ spec: PlotlySpec; summary: string }> {
    this.built ??= this.builder().then(({ data, layout, summary }) => {
      const o = this.options;
      let l = merge(BASE_LAYOUT, layout ?? {});
      l = merge(l, {
        height: o.height ?? (layout?.["height"] as number | undefined) ?? 420,
        ...(o.width ? { width: o.width } : {}),
        showlegend: o.legend ?? data.length > 1,
        ...(o.title ? { title: { text: o.title } } : {}),
        ...(o.xlabel ? { xaxis: { title: { text: o.xlabel } } } : {}),
        ...(o.ylabel ? { yaxis: { title: { text: o.ylabel } } } : {}),
      });
      return { spec: { data, layout: l, config: { responsive: true, displaylogo: false } }, summary };
    });
    return this.built;
  }

  /** One line describing the figure (what a plain-text frontend shows). */
  async summary(): Promise<string> {
    const { summary } = await this.build();
    return `${this.options.title ? `${this.options.title}: ` : ""}${summary}`;
  }

  /**
   * A static SVG of the figure, drawn without a browser (see svg/render.ts). A 3-D surface is
   * drawn as filled contours seen from above.
   */
  async svg(): Promise<string> {
    const { spec } = await this.build();
    return renderSvg(spec, this.kind === "surface" ? "static view: the surface's height as colour" : undefined);
  }

  /**
   * The MIME bundle: plotly JSON for renderers that know it; HTML that draws it with plotly.js
   * and shows the static SVG until then (or for good where scripts do not run); the SVG itself
   * for frontends that show images but not HTML; and text.
   */
  async mimeBundle(id = newDisplayId("gradlab-plot")): Promise<Record<string, unknown>> {
    const { spec } = await this.build();
    const svg = await this.svg();
    const summary = `<Figure ${this.kind}: ${await this.summary()}>`;
    return {
      "application/vnd.plotly.v1+json": spec,
      "text/html": figureHtml(spec, id, "auto", { svg, alt: summary }),
      "image/svg+xml": svg,
      "text/plain": summary,
    };
  }

  [Symbol.for("Jupyter.display")](): Promise<Record<string, unknown>> {
    return this.mimeBundle();
  }

  /** A standalone HTML page (plotly.js inline, works offline); written atomically to `path` if given. */
  async toHTML(path?: string): Promise<string> {
    const html = standalonePage(await this.spec(), this.options.title ?? `gradlab ${this.kind}`, await this.svg());
    if (path) {
      writeFileSync(path + ".tmp", html);
      renameSync(path + ".tmp", path);
    }
    return html;
  }

  toString(): string {
    return `<Figure ${this.kind}>`;
  }
}
