// Jupyter counts cursor positions in Unicode code points (protocol 5.2+), JavaScript strings
// in UTF-16 units; they differ as soon as a cell contains an emoji or other astral character.

export function codePointsToUtf16(text: string, codePoints: number): number {
  let units = 0;
  for (let cp = 0; cp < codePoints && units < text.length; cp++) {
    units += (text.codePointAt(units) ?? 0) > 0xffff ? 2 : 1;
  }
  return units;
}

export function utf16ToCodePoints(text: string, units: number): number {
  let cps = 0;
  for (let i = 0; i < units && i < text.length; cps++) {
    i += (text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
  }
  return cps;
}
