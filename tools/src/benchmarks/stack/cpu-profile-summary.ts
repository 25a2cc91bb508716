/** The parts of V8's `.cpuprofile` (written by `node --cpu-prof`) the summary reads. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  /** Microseconds, on the monotonic clock `process.hrtime` reads. */
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileShare {
  name: string;
  /** Share of the busy samples (all but idle), 0..1. */
  share: number;
  ms: number;
}

export interface ProfileSummary {
  /** Busy time in the window: every sample but `(idle)`, in ms. */
  busyMs: number;
  /** Share of the window the main thread was busy. */
  busyShare: number;
  windowMs: number;
  /** True when the samples were cut to the requested window; false when the whole profile is summarised. */
  windowed: boolean;
  groups: ProfileShare[];
  /** The functions with the most self time, each named `function (group, file:line)`. */
  topFunctions: ProfileShare[];
}

/** The groups the profile's time is sorted into: the ones issue 12's analysis names, then any other package. */
export function groupOf(url: string, functionName: string): string {
  if (url === '') {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return 'idle';
    return 'V8 and native code (program)';
  }
  if (/^node:internal\/deps\/undici\//.test(url) || /^node:internal\/webstreams\//.test(url) || url === 'node:internal/abort_controller') {
    return "undici/fetch (Node's fetch, web streams, AbortSignal)";
  }
  if (/\/node_modules\/jose\//.test(url) || /^node:(internal\/)?crypto/.test(url)) return 'jose/crypto';
  const modulePath = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (modulePath) return modulePath[1]!;
  if (url.startsWith('node:')) return 'Node core (http, net, streams, timers, events)';
  if (/\/(gateway|shared|tools|subgraphs\/[^/]+)\/dist\//.test(url)) return 'project code (gateway, shared)';
  return 'other';
}

function shortFile(url: string): string {
  const withoutModules = url.replace(/^.*\/node_modules\//, '');
  const parts = withoutModules.replace(/^file:\/\//, '').split('/');
  return parts.slice(-2).join('/');
}

/**
 * Self time by group and by function. With a window (µs on the profile's clock), only the samples inside it
 * count, provided at least half the window is covered; otherwise the whole profile is summarised and
 * `windowed` says so.
 */
export function summariseCpuProfile(profile: CpuProfile, window?: { fromUs: number; toUs: number }, top = 15): ProfileSummary {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  let time = profile.startTime;
  const inWindow = (at: number) => window === undefined || (at >= window.fromUs && at <= window.toUs);
  let covered = 0;
  for (let index = 0; index < profile.samples.length; index++) {
    const delta = profile.timeDeltas[index] ?? 0;
    time += delta;
    if (window !== undefined && inWindow(time)) covered += delta;
  }
  const windowed = window !== undefined && covered >= 0.5 * (window.toUs - window.fromUs);
  time = profile.startTime;
  let totalUs = 0;
  for (let index = 0; index < profile.samples.length; index++) {
    const delta = profile.timeDeltas[index] ?? 0;
    time += delta;
    if (windowed && !inWindow(time)) continue;
    // A sample's time is the gap to the next one: V8 records the delta before each sample.
    const weight = profile.timeDeltas[index + 1] ?? delta;
    const id = profile.samples[index]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + weight);
    totalUs += weight;
  }
  const groups = new Map<string, number>();
  const functions = new Map<string, { us: number; group: string }>();
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const frame = nodes.get(id)?.callFrame;
    if (!frame) continue;
    const group = groupOf(frame.url, frame.functionName);
    if (group === 'idle') {
      idleUs += us;
      continue;
    }
    groups.set(group, (groups.get(group) ?? 0) + us);
    const name = frame.url === '' ? frame.functionName : `${frame.functionName || '(anonymous)'} (${group}, ${shortFile(frame.url)}:${frame.lineNumber + 1})`;
    const entry = functions.get(name) ?? { us: 0, group };
    entry.us += us;
    functions.set(name, entry);
  }
  const busyUs = totalUs - idleUs;
  const share = (us: number) => (busyUs > 0 ? us / busyUs : 0);
  const sorted = (entries: Iterable<[string, number]>) =>
    [...entries].map(([name, us]) => ({ name, share: share(us), ms: us / 1_000 })).sort((a, b) => b.ms - a.ms);
  return {
    busyMs: busyUs / 1_000,
    busyShare: totalUs > 0 ? busyUs / totalUs : 0,
    windowMs: totalUs / 1_000,
    windowed,
    groups: sorted(groups),
    topFunctions: sorted([...functions].map(([name, entry]) => [name, entry.us] as [string, number])).slice(0, top),
  };
}
