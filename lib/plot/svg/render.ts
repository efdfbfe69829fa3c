import { escapeHtml } from "../../display/sink.js";
import { colorAt, colorScale, COLORWAY, hex, parseColor, type ColorScale } from "./colors.js";
import { base64, encodePng } from "./png.js";
import { linearScale, tickLabel, type Scale } from "./scale.js";

/**
 * A static SVG of a gradlab figure, drawn from its plotly spec without a browser: what a
 * notebook shows wherever scripts cannot run (GitHub, untrusted notebooks, nbconvert without
 * JavaScript, PDF). It renders the trace kinds gradlab's figures make: scatter lines and
 * markers, histograms, heatmaps and image grids, contour and surface plots (a 3-D surface as
 * filled contours seen from above, with any paths on it), and annotations, with the title, axes,
 * legend and colour bar. Rasters (heatmaps, contours) are one PNG pixel per cell.
 */

type Obj = Record<string, unknown>;
interface Spec {
  data: Obj[];
  layout: Obj;
}

const ID_PREFIX = Math.random().toString(36).slice(2, 7);
let renders = 0;

const FONT = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif";
const DEFAULT_WIDTH = 720;
/** Width of a character of the 12 px labels, on average (legend layout). */
const CHAR = 6.6;

const num = (v: unknown, d: number): number => (typeof v === "number" && Number.isFinite(v) ? v : d);
const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const text = (v: unknown): string => (typeof v === "string" ? v : typeof obj(v)["text"] === "string" ? (obj(v)["text"] as string) : "");
const f1 = (v: number): string => String(Math.round(v * 10) / 10);
/** Whole pixels: enough for the many short segments of contour lines. */
const f0 = (v: number): string => String(Math.round(v));

function numbers(v: unknown): (number | null)[] {
  if (!Array.isArray(v) && !ArrayBuffer.isView(v)) return [];
  return Array.from(v as ArrayLike<unknown>, (x) => (typeof x === "number" && Number.isFinite(x) ? x : null));
}

function grid(v: unknown): (number | null)[][] {
  return Array.isArray(v) ? v.map(numbers) : [];
}

const RASTER = new Set(["heatmap", "contour", "surface"]);
const is3d = (t: Obj) => t["type"] === "surface" || t["type"] === "scatter3d";

/** The extent one trace covers along x and y (for the axes' ranges). */
function extent(t: Obj): { x: [number, number]; y: [number, number]; pad: boolean } | null {
  const type = t["type"];
  const lim = (vs: (number | null)[]): [number, number] => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of vs) if (v !== null) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    return [lo, hi];
  };
  if (type === "scatter" || type === "scatter3d") return { x: lim(numbers(t["x"])), y: lim(numbers(t["y"])), pad: true };
  if (type === "histogram") {
    const bins = histogramBins(t);
    return bins.length ? { x: [bins[0]!.lo, bins.at(-1)!.hi], y: [0, 1.05 * Math.max(...bins.map((b) => b.count))], pad: false } : null;
  }
  if (RASTER.has(type as string)) {
    const z = grid(t["z"]);
    const ny = z.length;
    const nx = z[0]?.length ?? 0;
    const edges = (axis: unknown, n: number, centered: boolean): [number, number] => {
      const c = numbers(axis);
      if (c.length >= 2 && c[0] !== null && c.at(-1) !== null) {
        const half = centered ? (c.at(-1)! - c[0]!) / (c.length - 1) / 2 : 0;
        return [c[0]! - half, c.at(-1)! + half];
      }
      return centered ? [-0.5, n - 0.5] : [0, n - 1];
    };
    const centered = type === "heatmap";
    return { x: edges(t["x"], nx, centered), y: edges(t["y"], ny, centered), pad: false };
  }
  return null;
}

interface Bin {
  lo: number;
  hi: number;
  count: number;
}

function histogramBins(t: Obj): Bin[] {
  const xs = numbers(t["x"]).filter((v): v is number => v !== null);
  if (!xs.length) return [];
  let lo = Math.min(...xs);
  let hi = Math.max(...xs);
  if (hi === lo) [lo, hi] = [lo - 0.5, hi + 0.5];
  const n = Math.max(1, Math.round(num(t["nbinsx"], 20)));
  const w = (hi - lo) / n;
  const bins = Array.from({ length: n }, (_, i) => ({ lo: lo + i * w, hi: lo + (i + 1) * w, count: 0 }));
  for (const v of xs) bins[Math.min(n - 1, Math.floor((v - lo) / w))]!.count++;
  return bins;
}

/** One PNG pixel per cell of z (row 0 first), coloured by `scale` over [zmin, zmax]; null is transparent. */
function raster(z: (number | null)[][], scale: ColorScale, zmin: number, zmax: number, flipRows: boolean): string {
  const h = z.length;
  const w = z[0]?.length ?? 0;
  const px = new Uint8Array(w * h * 4);
  const span = zmax > zmin ? zmax - zmin : 1;
  for (let i = 0; i < h; i++) {
    const row = z[flipRows ? h - 1 - i : i]!;
    for (let j = 0; j < w; j++) {
      const v = row[j];
      if (v === null || v === undefined) continue;
      const [r, g, b] = colorAt(scale, (v - zmin) / span);
      px.set([Math.round(r), Math.round(g), Math.round(b), 255], (i * w + j) * 4);
    }
  }
  return `data:image/png;base64,${base64(encodePng(w, h, px))}`;
}

/** Contour lines at `levels` over a grid (marching squares), as one SVG path in pixel space. */
function contourPath(z: (number | null)[][], levels: number[], X: (j: number) => number, Y: (i: number) => number): string {
  const parts: string[] = [];
  const h = z.length;
  const w = z[0]?.length ?? 0;
  const first = levels[0] ?? 0;
  const step = levels.length > 1 ? levels[1]! - levels[0]! : 1;
  for (let i = 0; i + 1 < h; i++) {
    for (let j = 0; j + 1 < w; j++) {
      const a = z[i]![j];
      const b = z[i]![j + 1];
      const c = z[i + 1]![j + 1];
      const d = z[i + 1]![j];
      if (a == null || b == null || c == null || d == null) continue;
      // Only the levels between the cell's lowest and highest corner cross it (levels are evenly spaced).
      const lo = Math.max(0, Math.ceil((Math.min(a, b, c, d) - first) / step));
      const hi = Math.min(levels.length - 1, Math.floor((Math.max(a, b, c, d) - first) / step));
      for (let k = lo; k <= hi; k++) {
        const level = levels[k]!;
        const pts: [number, number][] = [];
        const edge = (v0: number, v1: number, p0: [number, number], p1: [number, number]) => {
          if ((v0 < level) !== (v1 < level)) {
            const f = (level - v0) / (v1 - v0);
            pts.push([p0[0] + (p1[0] - p0[0]) * f, p0[1] + (p1[1] - p0[1]) * f]);
          }
        };
        edge(a, b, [j, i], [j + 1, i]);
        edge(b, c, [j + 1, i], [j + 1, i + 1]);
        edge(c, d, [j + 1, i + 1], [j, i + 1]);
        edge(d, a, [j, i + 1], [j, i]);
        for (let q = 0; q + 1 < pts.length; q += 2) {
          parts.push(`M${f0(X(pts[q]![0]))} ${f0(Y(pts[q]![1]))}L${f0(X(pts[q + 1]![0]))} ${f0(Y(pts[q + 1]![1]))}`);
        }
      }
    }
  }
  return parts.join("");
}

function zRange(t: Obj, z: (number | null)[][]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of z) for (const v of row) if (v !== null) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  return [num(t["zmin"], lo), num(t["zmax"], hi)];
}

function traceColor(t: Obj, i: number): string {
  const line = obj(t["line"]);
  const marker = obj(t["marker"]);
  if (typeof line["color"] === "string") return line["color"];
  if (typeof marker["color"] === "string") return marker["color"];
  return COLORWAY[i % COLORWAY.length]!;
}

/** Renders a figure's plotly spec as a standalone SVG document. */
export function renderSvg(spec: Spec, note?: string): string {
  const layout = spec.layout;
  const W = num(layout["width"], DEFAULT_WIDTH);
  const H = num(layout["height"], 420);
  const margin = obj(layout["margin"]);
  const xaxis = obj(layout["xaxis"]);
  const yaxis = obj(layout["yaxis"]);
  const scene = obj(layout["scene"]);
  const title = text(layout["title"]);
  const traces = spec.data;
  const flat = traces.some(is3d);
  // A 3-D surface is drawn as filled contours seen from above: its axis titles are the scene's.
  const xTitle = text(xaxis["title"]) || (flat ? text(obj(scene["xaxis"])["title"]) : "");
  const yTitle = text(yaxis["title"]) || (flat ? text(obj(scene["yaxis"])["title"]) : "");
  const showX = xaxis["visible"] !== false;
  const showY = yaxis["visible"] !== false;

  const named = traces.map((t, i) => ({ t, i })).filter(({ t }) => !RASTER.has(t["type"] as string) && typeof t["name"] === "string");
  const showLegend = layout["showlegend"] === true && named.length > 0;
  // Beside the plot as plotly puts it, unless asked for below or the names are long: then below,
  // in as many rows as they need.
  const longest = Math.max(0, ...named.map(({ t }) => String(t["name"]).length));
  const horizontal = obj(layout["legend"])["orientation"] === "h" || longest > 24;
  const legendW = showLegend && !horizontal ? 40 + CHAR * longest : 0;
  const entryW = (name: string) => 40 + CHAR * name.length;
  const legendRows: { name: string; t: Obj; i: number; x: number }[][] = [];
  if (showLegend && horizontal) {
    const left = num(margin["l"], 60);
    const room = W - left - 10;
    let row: { name: string; t: Obj; i: number; x: number }[] = [];
    let x = 0;
    for (const { t, i } of named) {
      const name = String(t["name"]);
      if (row.length && x + entryW(name) > room) {
        legendRows.push(row);
        [row, x] = [[], 0];
      }
      row.push({ name, t, i, x: left + x });
      x += entryW(name);
    }
    if (row.length) legendRows.push(row);
  }
  const legendH = legendRows.length ? legendRows.length * 20 + 8 : 0;
  // A colour bar for the one raster trace there is, unless it asks for none (as plotly shows it).
  const rasters = traces.filter((t) => RASTER.has(t["type"] as string));
  const colorbar = rasters.length === 1 && rasters[0]!["showscale"] !== false ? rasters[0]! : null;
  const barW = colorbar ? 70 : 0;

  let x0 = num(margin["l"], 60) + (showY ? 0 : 0);
  let x1 = W - num(margin["r"], 20) - legendW - barW;
  let y0 = num(margin["t"], 50) + (title && num(margin["t"], 50) < 30 ? 20 : 0);
  let y1 = H - num(margin["b"], 50) - legendH;

  // Axis ranges from every trace, padded a little around points as plotly does.
  let xr: [number, number] = [Infinity, -Infinity];
  let yr: [number, number] = [Infinity, -Infinity];
  let pad = false;
  for (const t of traces) {
    const e = extent(t);
    if (!e || !Number.isFinite(e.x[0]) || !Number.isFinite(e.y[0])) continue;
    xr = [Math.min(xr[0], e.x[0]), Math.max(xr[1], e.x[1])];
    yr = [Math.min(yr[0], e.y[0]), Math.max(yr[1], e.y[1])];
    pad ||= e.pad && !traces.some((u) => RASTER.has(u["type"] as string));
  }
  if (!Number.isFinite(xr[0])) xr = [0, 1];
  if (!Number.isFinite(yr[0])) yr = [0, 1];
  if (pad) {
    const dx = (xr[1] - xr[0]) * 0.04 || 0.5;
    const dy = (yr[1] - yr[0]) * 0.06 || 0.5;
    xr = [xr[0] - dx, xr[1] + dx];
    yr = [yr[0] - dy, yr[1] + dy];
  }
  // Equal units on both axes (images, decision boundaries): shrink the longer side, centred.
  if (yaxis["scaleanchor"] === "x" || xaxis["scaleanchor"] === "y") {
    const unit = Math.min((x1 - x0) / (xr[1] - xr[0] || 1), (y1 - y0) / (yr[1] - yr[0] || 1));
    const w = (xr[1] - xr[0]) * unit;
    const h = (yr[1] - yr[0]) * unit;
    x0 += (x1 - x0 - w) / 2;
    x1 = x0 + w;
    y0 += (y1 - y0 - h) / 2;
    y1 = y0 + h;
  }
  const reversed = yaxis["autorange"] === "reversed";
  const X: Scale = linearScale(xr[0], xr[1], x0, x1, Math.max(2, Math.round((x1 - x0) / 90)));
  const Y: Scale = reversed ? linearScale(yr[0], yr[1], y0, y1, Math.max(2, Math.round((y1 - y0) / 60))) : linearScale(yr[0], yr[1], y1, y0, Math.max(2, Math.round((y1 - y0) / 60)));

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="${FONT}" font-size="12">`);
  out.push(`<title>${escapeHtml(title || note || "gradlab figure")}</title>`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  // Ids unique across figures: several SVGs can share one HTML page.
  const clip = `gradlab${ID_PREFIX}${++renders}`;
  out.push(`<defs><clipPath id="${clip}"><rect x="${f1(x0)}" y="${f1(y0)}" width="${f1(x1 - x0)}" height="${f1(y1 - y0)}"/></clipPath></defs>`);

  // Grid lines and the zero lines, under the data.
  const gridLines: string[] = [];
  if (showX) for (const v of X.ticks) gridLines.push(`M${f1(X(v))} ${f1(y0)}V${f1(y1)}`);
  if (showY) for (const v of Y.ticks) gridLines.push(`M${f1(x0)} ${f1(Y(v))}H${f1(x1)}`);
  if (gridLines.length) out.push(`<path d="${gridLines.join("")}" stroke="#e5e5e5" fill="none"/>`);
  const zero: string[] = [];
  if (showX && X.lo < 0 && X.hi > 0 && !traces.some((t) => RASTER.has(t["type"] as string))) zero.push(`M${f1(X(0))} ${f1(y0)}V${f1(y1)}`);
  if (showY && Y.lo < 0 && Y.hi > 0 && !traces.some((t) => RASTER.has(t["type"] as string))) zero.push(`M${f1(x0)} ${f1(Y(0))}H${f1(x1)}`);
  if (zero.length) out.push(`<path d="${zero.join("")}" stroke="#999" fill="none"/>`);

  // The traces, in order, clipped to the plot area.
  out.push(`<g clip-path="url(#${clip})">`);
  traces.forEach((t, i) => {
    const type = String(t["type"]);
    out.push(`<g class="trace ${escapeHtml(type)}">`);
    drawTrace(t, i, type);
    out.push(`</g>`);
  });
  function drawTrace(t: Obj, i: number, type: string): void {
    if (RASTER.has(type)) {
      const z = grid(t["z"]);
      if (!z.length || !z[0]!.length) return;
      const e = extent(t)!;
      const [zmin, zmax] = zRange(t, z);
      const scale = colorScale(t["colorscale"], t["reversescale"] === true);
      // PNG rows go top to bottom; the first row of z is at the top only on a reversed y axis.
      const href = raster(z, scale, zmin, zmax, !reversed);
      const left = X(e.x[0]);
      const top = Math.min(Y(e.y[0]), Y(e.y[1]));
      const opacity = num(t["opacity"], 1);
      const pixelated = type === "heatmap" ? ` style="image-rendering:pixelated"` : "";
      out.push(`<image x="${f1(left)}" y="${f1(top)}" width="${f1(X(e.x[1]) - left)}" height="${f1(Math.abs(Y(e.y[1]) - Y(e.y[0])))}" preserveAspectRatio="none"${opacity < 1 ? ` opacity="${opacity}"` : ""}${pixelated} href="${href}" xlink:href="${href}"/>`);
      if (type === "contour" || type === "surface") {
        const n = Math.max(2, Math.round(num(t["ncontours"], 15)));
        const levels = Array.from({ length: n - 1 }, (_, k) => zmin + ((zmax - zmin) * (k + 1)) / n);
        const xs = numbers(t["x"]);
        const ys = numbers(t["y"]);
        const at = (c: (number | null)[], k: number, lo: number, hi: number, n: number) => {
          const a = Math.floor(k);
          const f = k - a;
          const v0 = c[a] ?? lo + ((hi - lo) * a) / Math.max(1, n - 1);
          const v1 = c[Math.min(c.length - 1, a + 1)] ?? v0;
          return v0 + (v1 - v0) * f;
        };
        // Lines from a grid of at most ~60 cells a side: as smooth at this size, a quarter of the bytes.
        const every = Math.max(1, Math.floor(Math.max(z.length, z[0]!.length) / 60));
        const coarse = z.filter((_, i) => i % every === 0).map((row) => row.filter((_, j) => j % every === 0));
        const d = contourPath(coarse, levels, (j) => X(at(xs, j * every, e.x[0], e.x[1], z[0]!.length)), (k) => Y(at(ys, k * every, e.y[0], e.y[1], z.length)));
        if (d) out.push(`<path d="${d}" stroke="#fff" stroke-opacity="0.55" stroke-width="0.8" fill="none"/>`);
      }
      return;
    }
    if (type === "histogram") {
      const color = traceColor(t, i);
      const bars = histogramBins(t).map((b) => `<rect x="${f1(X(b.lo))}" y="${f1(Y(b.count))}" width="${f1(Math.max(0, X(b.hi) - X(b.lo)))}" height="${f1(Math.max(0, Y(0) - Y(b.count)))}"/>`);
      out.push(`<g fill="${escapeHtml(color)}" stroke="#fff" stroke-width="1">${bars.join("")}</g>`);
      return;
    }
    if (type !== "scatter" && type !== "scatter3d") return;
    const xs = numbers(t["x"]);
    const ys = numbers(t["y"]);
    const mode = String(t["mode"] ?? "lines+markers");
    const color = traceColor(t, i);
    const line = obj(t["line"]);
    if (mode.includes("lines")) {
      let d = "";
      let pen = false;
      for (let k = 0; k < Math.min(xs.length, ys.length); k++) {
        const x = xs[k];
        const y = ys[k];
        if (x === null || y === null || x === undefined || y === undefined) {
          pen = false;
          continue;
        }
        d += `${pen ? "L" : "M"}${f1(X(x))} ${f1(Y(y))}`;
        pen = true;
      }
      const dash = line["dash"] === "dash" ? ` stroke-dasharray="7 4"` : line["dash"] === "dot" ? ` stroke-dasharray="2 3"` : "";
      if (d) out.push(`<path d="${d}" fill="none" stroke="${escapeHtml(color)}" stroke-width="${num(line["width"], 2)}" stroke-linejoin="round"${dash}/>`);
    }
    if (mode.includes("markers")) {
      const marker = obj(t["marker"]);
      const r = num(marker["size"], 6) / 2;
      const edge = obj(marker["line"]);
      const stroke = typeof edge["color"] === "string" ? ` stroke="${escapeHtml(edge["color"])}" stroke-width="${num(edge["width"], 1)}"` : "";
      const dots: string[] = [];
      for (let k = 0; k < Math.min(xs.length, ys.length); k++) {
        if (xs[k] === null || ys[k] === null) continue;
        dots.push(`<circle cx="${f1(X(xs[k]!))}" cy="${f1(Y(ys[k]!))}" r="${r}"/>`);
      }
      out.push(`<g fill="${escapeHtml(typeof marker["color"] === "string" ? marker["color"] : color)}"${stroke}>${dots.join("")}</g>`);
    }
  }
  // Annotations (labels under images), in data coordinates.
  for (const a of Array.isArray(layout["annotations"]) ? (layout["annotations"] as Obj[]) : []) {
    const font = obj(a["font"]);
    const anchor = a["xanchor"] === "left" ? "start" : a["xanchor"] === "right" ? "end" : "middle";
    const baseline = a["yanchor"] === "top" ? "hanging" : a["yanchor"] === "bottom" ? "auto" : "middle";
    out.push(`<text x="${f1(X(num(a["x"], 0)))}" y="${f1(Y(num(a["y"], 0)))}" text-anchor="${anchor}" dominant-baseline="${baseline}" fill="${escapeHtml(String(font["color"] ?? "#333"))}" font-size="${num(font["size"], 12)}">${escapeHtml(String(a["text"] ?? ""))}</text>`);
  }
  out.push(`</g>`);

  // Axes: ticks and labels on the left and bottom edges, titles beside them.
  if (showX) {
    out.push(`<path d="M${f1(x0)} ${f1(y1)}H${f1(x1)}" stroke="#444"/>`);
    out.push(`<g text-anchor="middle" fill="#444">${X.ticks.map((v) => `<text x="${f1(X(v))}" y="${f1(y1 + 16)}">${tickLabel(v)}</text>`).join("")}</g>`);
    if (xTitle) out.push(`<text x="${f1((x0 + x1) / 2)}" y="${f1(y1 + 36)}" text-anchor="middle" font-size="13" fill="#222">${escapeHtml(xTitle)}</text>`);
  }
  if (showY) {
    out.push(`<path d="M${f1(x0)} ${f1(y0)}V${f1(y1)}" stroke="#444"/>`);
    out.push(`<g text-anchor="end" fill="#444">${Y.ticks.map((v) => `<text x="${f1(x0 - 6)}" y="${f1(Y(v) + 4)}">${tickLabel(v)}</text>`).join("")}</g>`);
    if (yTitle) out.push(`<text transform="translate(${f1(Math.max(12, x0 - 46))} ${f1((y0 + y1) / 2)}) rotate(-90)" text-anchor="middle" font-size="13" fill="#222">${escapeHtml(yTitle)}</text>`);
  }
  if (title) out.push(`<text x="${f1(W / 2)}" y="${f1(Math.max(18, num(margin["t"], 50) / 2 + 4))}" text-anchor="middle" font-size="16" fill="#222">${escapeHtml(title)}</text>`);

  // Colour bar of the (single) raster trace.
  if (colorbar) {
    const z = grid(colorbar["z"]);
    const [zmin, zmax] = zRange(colorbar, z);
    const scale = colorScale(colorbar["colorscale"], colorbar["reversescale"] === true);
    const bx = x1 + legendW + 16;
    const id = `${clip}bar`;
    const stops = Array.from({ length: 11 }, (_, k) => `<stop offset="${k / 10}" stop-color="${hex(colorAt(scale, 1 - k / 10))}"/>`).join("");
    out.push(`<defs><linearGradient id="${id}" x1="0" y1="0" x2="0" y2="1">${stops}</linearGradient></defs>`);
    out.push(`<rect x="${f1(bx)}" y="${f1(y0)}" width="14" height="${f1(y1 - y0)}" fill="url(#${id})" stroke="#ccc"/>`);
    const B = linearScale(zmin, zmax, y1, y0, 5);
    out.push(`<g fill="#444">${B.ticks.map((v) => `<text x="${f1(bx + 18)}" y="${f1(B(v) + 4)}">${tickLabel(v)}</text>`).join("")}</g>`);
  }

  // Legend: one entry per named line or marker trace.
  if (showLegend) {
    const entry = (t: Obj, i: number, sx: number, sy: number) => {
      const color = escapeHtml(traceColor(t, i));
      const mode = String(t["mode"] ?? "lines");
      const dash = obj(t["line"])["dash"] === "dash" ? ` stroke-dasharray="5 3"` : "";
      return (t["type"] === "histogram" ? `<rect x="${sx}" y="${sy - 5}" width="20" height="10" fill="${color}"/>` : "") +
        (mode.includes("lines") ? `<path d="M${sx} ${sy}h20" stroke="${color}" stroke-width="2"${dash}/>` : "") +
        (mode.includes("markers") ? `<circle cx="${sx + 10}" cy="${sy}" r="4" fill="${color}"/>` : "") +
        `<text x="${sx + 26}" y="${sy + 4}" fill="#333">${escapeHtml(String(t["name"]))}</text>`;
    };
    if (horizontal) {
      legendRows.forEach((row, r) => {
        const ly = H - legendH + 12 + r * 20;
        for (const e of row) out.push(entry(e.t, e.i, e.x, ly));
      });
    } else {
      named.forEach(({ t, i }, k) => out.push(entry(t, i, x1 + 12, y0 + 10 + k * 20)));
    }
  }
  if (note) out.push(`<text x="${W - 6}" y="${H - 6}" text-anchor="end" font-size="10" fill="#888">${escapeHtml(note)}</text>`);
  out.push(`</svg>`);
  return out.join("");
}

/** The SVG as a data URI for an <img> (percent-encoding only what a URI or an attribute needs). */
export function svgDataUri(svg: string): string {
  return "data:image/svg+xml," + svg.replace(/[%#<>"&\n\r]/g, (c) => encodeURIComponent(c));
}
