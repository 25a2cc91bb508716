/**
 * Small-group suppression (docs/access-model.md, "Aggregates"), pure and independent of SQL.
 *
 * Primary suppression: a group of fewer than k records shows no figures. Complementary suppression: a suppressed
 * group could still be recomputed by subtraction, from the total of its "line" (the groups that differ from it in
 * one dimension only, whose sum is a group of the coarser grouping without that dimension, or the overall total)
 * minus the line's visible groups. So in every line the suppressed groups must be none, or at least two groups
 * holding at least k records together: then subtraction yields only a sum over k or more records, never one
 * group. Further groups of the line are suppressed, smallest first, until that holds (repeated over every
 * dimension until nothing changes, since suppressing a group in one line can leave another line short).
 *
 * For the branch dimension a line is the branches under one parent (a province's cities and the province's own
 * records), since the parent is itself a group of the grouping one level up the org tree.
 */

/** One group of the full grid: its value per dimension and how many records it holds. */
export interface SuppressionCell {
  readonly values: readonly string[];
  readonly count: number;
  suppressed: boolean;
}

/**
 * Marks `suppressed` on the cells. `lineKey(dimension, value)` names the line a value belongs to along its own
 * dimension (by default every value of a dimension shares one line; the branch dimension passes the parent).
 */
export function suppressSmallGroups(cells: readonly SuppressionCell[], minimumGroupSize: number, lineKey: (dimension: number, value: string) => string): void {
  for (const cell of cells) cell.suppressed = cell.count < minimumGroupSize;
  const dimensions = cells[0]?.values.length ?? 0;
  const lines: SuppressionCell[][] = [];
  const linesOf = new Map<SuppressionCell, SuppressionCell[][]>();
  for (let dimension = 0; dimension < dimensions; dimension++) {
    const byLine = new Map<string, SuppressionCell[]>();
    for (const cell of cells) {
      // The line: every other dimension's value, and this dimension's line key (parent branch, or one line).
      const key = JSON.stringify(cell.values.map((value, index) => (index === dimension ? lineKey(dimension, value) : value)));
      const line = byLine.get(key);
      if (line) line.push(cell);
      else byLine.set(key, [cell]);
    }
    lines.push(...byLine.values());
  }
  for (const line of lines) for (const cell of line) linesOf.set(cell, [...(linesOf.get(cell) ?? []), line]);
  // With no dimension, the one cell is the total: primary suppression is all there is.
  let changed = true;
  while (changed) {
    changed = false;
    for (const line of lines) {
      if (protectLine(line, minimumGroupSize, linesOf)) changed = true;
    }
  }
}

/**
 * Suppresses further cells of one line until its suppressed cells are none, or ≥ 2 holding ≥ k records. Of the
 * candidates, one whose other lines already hold a suppressed cell comes first (it opens no new line to protect),
 * then the smallest: fewer figures withheld for the same protection.
 */
function protectLine(line: SuppressionCell[], minimumGroupSize: number, linesOf: ReadonlyMap<SuppressionCell, SuppressionCell[][]>): boolean {
  const opensLines = (cell: SuppressionCell) => (linesOf.get(cell) ?? []).filter((other) => other !== line && !other.some((peer) => peer.suppressed)).length;
  let changed = false;
  for (;;) {
    const hidden = line.filter((cell) => cell.suppressed);
    const hiddenRecords = hidden.reduce((sum, cell) => sum + cell.count, 0);
    if (hidden.length === 0 || (hidden.length >= 2 && hiddenRecords >= minimumGroupSize)) return changed;
    const visible = line.filter((cell) => !cell.suppressed);
    // The whole line is suppressed: its sum is the coarser group, which is suppressed there if it is small.
    if (visible.length === 0) return changed;
    visible.sort((a, b) => opensLines(a) - opensLines(b) || a.count - b.count || compareValues(a.values, b.values));
    visible[0]!.suppressed = true;
    changed = true;
  }
}

function compareValues(a: readonly string[], b: readonly string[]): number {
  for (let index = 0; index < a.length; index++) {
    if (a[index]! !== b[index]!) return a[index]! < b[index]! ? -1 : 1;
  }
  return 0;
}
