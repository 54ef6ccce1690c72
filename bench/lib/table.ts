/** Plain-text tables and the number formats every benchmark prints. */

/** Cells that read as figures ("6,845", "0.21×", "8.5", "< 300 ms") are right-aligned; words are left-aligned. */
const FIGURE = /^[<>≈~-]?\s*[\d.,]+\s*(×|%|ms|s|MiB|MB|B|req\/s)?(\s*[✓✗])?$/;

/** Prints rows under a header with columns padded to their widest cell. */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const right = header.map((_, column) => rows.length > 0 && rows.every((row) => FIGURE.test(row[column] ?? "") || row[column] === "—"));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (right[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join("  ")
      .trimEnd();
  console.log(line(header));
  console.log(widths.map((width) => "-".repeat(width)).join("  "));
  for (const row of rows) console.log(line(row));
}

/** 6844.8 -> "6,845" */
export const count = (n: number): string => Math.round(n).toLocaleString("en-US");

/** Milliseconds with one decimal under 100 and none above. */
export const ms = (n: number): string => (n < 100 ? n.toFixed(1) : Math.round(n).toString());

/** 0.2134 -> "0.21×" */
export const ratio = (n: number): string => `${n < 10 ? n.toFixed(2) : n.toFixed(1)}×`;

export const MIB = 1_048_576;

/** Bytes in MiB with one decimal. */
export const mib = (bytes: number): string => (bytes / MIB).toFixed(1);

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
