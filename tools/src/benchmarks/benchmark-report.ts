import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

export const BENCHMARKS_PATH = join(__dirname, '..', '..', '..', 'BENCHMARKS.md');

/** One line naming the machine a figure was measured on. */
export function describeMachine(): string {
  const cores = cpus();
  return `${cores.length} × ${cores[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
}

/**
 * Replaces the section between `<!-- name:start -->` and `<!-- name:end -->` in BENCHMARKS.md
 * (appending it the first time), so each benchmark rewrites only its own figures.
 */
export function writeBenchmarkSection(name: string, markdown: string): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  let document: string;
  try {
    document = readFileSync(BENCHMARKS_PATH, 'utf8');
  } catch {
    document = '# Benchmarks\n\nFigures are written by the benchmark commands themselves; rerun them rather than editing by hand.\n';
  }
  const section = `${start}\n${markdown.trim()}\n${end}`;
  const from = document.indexOf(start);
  const to = document.indexOf(end);
  document = from >= 0 && to > from ? `${document.slice(0, from)}${section}${document.slice(to + end.length)}` : `${document.trimEnd()}\n\n${section}\n`;
  writeFileSync(BENCHMARKS_PATH, document);
}
