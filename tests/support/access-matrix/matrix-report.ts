/** Readable failures: one table per case, a row per coordinate and outcome (with how often and where first). */
import type { MatrixCase } from './matrix-run';

const MAX_ROWS_PER_CASE = 40;

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_cell, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Rows group values by what came back (nothing, null, text, something else), not by the value itself. */
function outcomeOf(actual: string): string {
  if (actual === 'null' || actual === 'absent') return actual;
  return actual.startsWith('"') ? 'text' : actual.split(' ')[0]!;
}

export function formatMismatches(callerLabel: string, cases: readonly MatrixCase[]): string {
  const sections: string[] = [];
  for (const matrixCase of cases) {
    if (matrixCase.mismatches.length === 0) continue;
    const groups = new Map<string, { coordinate: string; firstPath: string; count: number; expected: string; actual: string }>();
    for (const mismatch of matrixCase.mismatches) {
      const key = [mismatch.coordinate, mismatch.expected.split(' ')[0], outcomeOf(mismatch.actual)].join('\u0000');
      const group = groups.get(key);
      if (group) group.count++;
      else groups.set(key, { coordinate: mismatch.coordinate, firstPath: mismatch.path, count: 1, expected: mismatch.expected, actual: mismatch.actual });
    }
    const rows = [...groups.values()];
    const shown = rows.slice(0, MAX_ROWS_PER_CASE).map((row) => [row.coordinate, row.firstPath, `×${row.count}`, row.expected, row.actual]);
    const more = rows.length > MAX_ROWS_PER_CASE ? `\n… and ${rows.length - MAX_ROWS_PER_CASE} more` : '';
    sections.push(
      `${matrixCase.label} [records ${matrixCase.keys.join(', ')}]: ${matrixCase.mismatches.length} mismatches\n${table([['coordinate', 'first path', 'times', 'expected', 'actual'], ...shown])}${more}`,
    );
  }
  return sections.length === 0 ? '' : `${callerLabel}\n\n${sections.join('\n\n')}`;
}
