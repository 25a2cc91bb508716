import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (`getconf CLK_TCK`; 100 on Linux almost everywhere). */
export function clockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

/**
 * CPU time a process has used so far, all threads, user plus system, in ms (from `/proc/<pid>/stat`, fields 14
 * and 15). Undefined when the process is gone or /proc is not there.
 */
export function processCpuMs(pid: number, ticksPerSecond: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? ((utime + stime) * 1_000) / ticksPerSecond : undefined;
}

/** Pids of the processes whose command name is one of `names` (e.g. the database server's `mariadbd`). */
export function pidsNamed(names: readonly string[]): number[] {
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (names.includes(readFileSync(`/proc/${entry}/comm`, 'utf8').trim())) pids.push(Number(entry));
    } catch {
      /* gone meanwhile */
    }
  }
  return pids;
}

/**
 * The given processes and every process below them (a server run with WORKERS above 1 is a primary and its cluster
 * workers), read from the parent pids in /proc now: a worker started later is not included.
 */
export function withDescendants(pids: readonly number[]): number[] {
  const parentOf = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [...pids];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (ppid), counted after the parenthesised command name, which may hold spaces.
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* gone meanwhile */
    }
  }
  const found = new Set(pids);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, parent] of parentOf) {
      if (!found.has(pid) && found.has(parent)) {
        found.add(pid);
        grew = true;
      }
    }
  }
  return [...found];
}

/** The CPU time of named groups of processes, read together so every group's delta covers the same interval. */
export class ProcessGroupsCpu {
  private readonly ticksPerSecond = clockTicksPerSecond();

  constructor(private readonly groups: Readonly<Record<string, readonly number[] | undefined>>) {}

  /** ms of CPU per group so far (a group whose processes are all unreadable counts 0). */
  sample(): Record<string, number> {
    const sample: Record<string, number> = {};
    for (const [group, pids] of Object.entries(this.groups)) {
      if (pids === undefined) continue;
      sample[group] = pids.reduce((sum, pid) => sum + (processCpuMs(pid, this.ticksPerSecond) ?? 0), 0);
    }
    return sample;
  }

  static delta(before: Readonly<Record<string, number>>, after: Readonly<Record<string, number>>): Record<string, number> {
    return Object.fromEntries(Object.keys(after).map((group) => [group, after[group]! - (before[group] ?? 0)]));
  }
}
