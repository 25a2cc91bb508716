/** The parts of V8's `.cpuprofile` (written by `node --cpu-prof`) the summary reads. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
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

const NODE_CORE = 'Node core (http, net, streams, timers, events)';
/** Node core time on behalf of a group is named `Node core, for <group>`. */
export const NODE_CORE_FOR = 'Node core, for ';

/** The groups the profile's time is sorted into: the ones issue 12's analysis names, then any other package. */
export function groupOf(url: string, functionName: string): string {
  if (url === '') {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return 'idle';
    return 'V8 and native code (program)';
  }
  // Node 20's fetch makes its web streams transferable (worker/js_transferable) for every body.
  if (
    /^node:internal\/deps\/undici\//.test(url) ||
    /^node:internal\/webstreams\//.test(url) ||
    url === 'node:internal/abort_controller' ||
    url === 'node:internal/worker/js_transferable'
  ) {
    return "undici/fetch (Node's fetch, web streams, AbortSignal)";
  }
  if (/\/node_modules\/jose\//.test(url) || /^node:(internal\/)?crypto/.test(url)) return 'jose/crypto';
  const modulePath = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (modulePath) return modulePath[1]!;
  if (url.startsWith('node:')) return NODE_CORE;
  if (/\/(gateway|shared|tools|subgraphs\/[^/]+)\/dist\//.test(url)) return 'project code (gateway, shared)';
  return 'other';
}

/** V8's pseudo-frames: states of the thread, not functions. */
const VM_STATES = new Set(['(garbage collector)', '(idle)', '(program)', '(root)']);

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
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  /** A native function (a binding such as `writev`, or a builtin such as `JSON.parse`) counts for the JavaScript that called it. */
  const callerOf = (id: number) => {
    for (let parent = parents.get(id); parent !== undefined; parent = parents.get(parent)) {
      const frame = nodes.get(parent)?.callFrame;
      if (frame && frame.url !== '') return frame;
    }
    return undefined;
  };
  /** Node core works for someone: the nearest caller outside it (fetch, the HTTP server…), or the event loop when none is on the stack. */
  const nodeCoreFor = (id: number) => {
    for (let parent = parents.get(id); parent !== undefined; parent = parents.get(parent)) {
      const frame = nodes.get(parent)?.callFrame;
      if (!frame || frame.url === '') continue;
      const owner = groupOf(frame.url, frame.functionName);
      if (owner !== NODE_CORE) return `${NODE_CORE_FOR}${owner}`;
    }
    return 'Node core, from the event loop (socket reads, timers)';
  };
  const groups = new Map<string, number>();
  const functions = new Map<string, { us: number; group: string }>();
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const frame = nodes.get(id)?.callFrame;
    if (!frame) continue;
    const caller = frame.url === '' && !VM_STATES.has(frame.functionName) ? callerOf(id) : undefined;
    const ownGroup = caller ? groupOf(caller.url, caller.functionName) : groupOf(frame.url, frame.functionName);
    const group = ownGroup === NODE_CORE ? nodeCoreFor(id) : ownGroup;
    if (group === 'idle') {
      idleUs += us;
      continue;
    }
    groups.set(group, (groups.get(group) ?? 0) + us);
    const name = caller
      ? `${frame.functionName} (native, called from ${caller.functionName || '(anonymous)'}: ${group}, ${shortFile(caller.url)}:${caller.lineNumber + 1})`
      : frame.url === ''
        ? frame.functionName
        : `${frame.functionName || '(anonymous)'} (${group}, ${shortFile(frame.url)}:${frame.lineNumber + 1})`;
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
