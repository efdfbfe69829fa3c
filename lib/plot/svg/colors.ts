/** Colours as plotly names them: its default trace colours, and the colour scales gradlab's figures use. */
export type RGB = readonly [number, number, number];

export const COLORWAY = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

const NAMED_SCALES: Record<string, [number, string][]> = {
  // plotly's Viridis (its ten stops).
  Viridis: [
    [0, "#440154"], [0.111, "#482878"], [0.222, "#3e4989"], [0.333, "#31688e"], [0.444, "#26828e"],
    [0.556, "#1f9e89"], [0.667, "#35b779"], [0.778, "#6ece58"], [0.889, "#b5de2b"], [1, "#fde725"],
  ],
  // plotly's Greys runs from black (low) to white (high); with reversescale false a digit's ink
  // (1) shows white on black, as plotly draws it.
  Greys: [[0, "#000000"], [1, "#ffffff"]],
};

export function parseColor(c: string): RGB {
  const hex = /^#([0-9a-f]{6})$/i.exec(c);
  if (hex) {
    const n = parseInt(hex[1]!, 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }
  const short = /^#([0-9a-f]{3})$/i.exec(c);
  if (short) return [0, 1, 2].map((i) => parseInt(short[1]![i]! + short[1]![i]!, 16)) as unknown as RGB;
  const rgb = /^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)/i.exec(c);
  if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
  return [128, 128, 128];
}

export type ColorScale = readonly (readonly [number, RGB])[];

/** A trace's `colorscale` (a name or [[t, colour], …]), reversed when asked. */
export function colorScale(spec: unknown, reverse = false): ColorScale {
  const stops = Array.isArray(spec) ? (spec as [number, string][]) : (NAMED_SCALES[String(spec ?? "Viridis")] ?? NAMED_SCALES["Viridis"]!);
  const scale = stops.map(([t, c]) => [Number(t), parseColor(c)] as const);
  return reverse ? scale.map(([t, c]) => [1 - t, c] as const).reverse() : scale;
}

/** The colour at t ∈ [0, 1]: linear between stops (a repeated stop gives a sharp step). */
export function colorAt(scale: ColorScale, t: number): RGB {
  if (!(t > scale[0]![0])) return scale[0]![1];
  for (let i = 1; i < scale.length; i++) {
    const [t1, c1] = scale[i]!;
    if (t <= t1) {
      const [t0, c0] = scale[i - 1]!;
      const f = t1 > t0 ? (t - t0) / (t1 - t0) : 1;
      return [c0[0] + (c1[0] - c0[0]) * f, c0[1] + (c1[1] - c0[1]) * f, c0[2] + (c1[2] - c0[2]) * f];
    }
  }
  return scale[scale.length - 1]![1];
}

export function hex([r, g, b]: RGB): string {
  return "#" + [r, g, b].map((v) => Math.round(Math.max(0, Math.min(255, v))).toString(16).padStart(2, "0")).join("");
}
