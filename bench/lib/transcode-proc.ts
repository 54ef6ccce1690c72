/**
 * Process-tree readings from /proc for the transcoding benchmark: the summed resident memory of a process and all
 * its descendants (a server and the ffmpeg it spawns), when each kind of child was seen, and CPU time used.
 */
import { readdirSync, readFileSync } from "node:fs";

/** USER_HZ: /proc reports CPU times in ticks of 1/100 s on Linux. */
const TICKS_PER_SECOND = 100;

/** One reading of the tree: total VmRSS of every process in it, and the root's own. */
export interface TreeSample {
  /** performance.now() of the reading. */
  readonly at: number;
  readonly treeRssBytes: number;
  readonly rootRssBytes: number;
}

/** A labelled child (e.g. "ladder" for the HLS ffmpeg), from the first to the last reading that saw it alive. */
export interface Sighting {
  readonly label: string;
  readonly pid: number;
  readonly firstSeen: number;
  lastSeen: number;
  peakRssBytes: number;
}

/** Names a child from its command line, or null for children not worth a row of their own. */
export type Classifier = (argv: readonly string[]) => string | null;

function readText(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null; // the process exited between listing /proc and reading it
  }
}

/** Fields of /proc/<pid>/stat after the command name, which may itself hold spaces and parentheses. */
function statFields(pid: number): string[] | null {
  const stat = readText(`/proc/${pid}/stat`);
  return stat === null ? null : stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

function vmRssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readText(`/proc/${pid}/status`) ?? "");
  return match ? Number(match[1]) * 1024 : 0; // no VmRSS: a zombie, which holds no memory
}

/** The root and every live descendant, from one scan of /proc (children lists need every process's parent). */
export function processTree(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const parent = Number(statFields(pid)?.[1]);
    if (!Number.isInteger(parent)) continue;
    const list = children.get(parent);
    if (list) list.push(pid);
    else children.set(parent, [pid]);
  }
  const tree = [rootPid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

/**
 * CPU seconds used by a process tree so far: the root's own time, the time of children it has already reaped
 * (cutime/cstime, which is how finished ffmpeg runs are counted) and the time of children still running.
 */
export function treeCpuSeconds(rootPid: number): number {
  let ticks = 0;
  for (const pid of processTree(rootPid)) {
    const f = statFields(pid);
    if (!f) continue;
    ticks += Number(f[11]) + Number(f[12]);
    if (pid === rootPid) ticks += Number(f[13]) + Number(f[14]);
  }
  return ticks / TICKS_PER_SECOND;
}

/** CPU seconds a process has used itself so far, its children not included. */
export function ownCpuSeconds(pid: number): number {
  const f = statFields(pid);
  return f ? (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND : 0;
}

/** CPU seconds the whole machine spent busy so far (all cores, idle and iowait excluded). */
export function machineBusySeconds(): number {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, n) => sum + n, 0);
  return (total - fields[3]! - (fields[4] ?? 0)) / TICKS_PER_SECOND;
}

/**
 * Reads the tree under `rootPid` every `intervalMs` until stopped. A reading is a fresh scan, so children that
 * start and end between two readings are missed: peaks can only be under-, never over-estimated, and the
 * first/last-seen times of a child are up to one interval late/early.
 */
export class ProcessTreeSampler {
  readonly samples: TreeSample[] = [];
  readonly sightings: Sighting[] = [];
  private readonly labels = new Map<number, string | null>();
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly rootPid: number,
    private readonly classify: Classifier = () => null,
    private readonly intervalMs = 100,
  ) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    return this;
  }

  /** Takes one last reading and stops. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
  }

  /** Takes a reading now; also called by the timer. */
  sample(): void {
    const at = performance.now();
    let treeRssBytes = 0;
    let rootRssBytes = 0;
    for (const pid of processTree(this.rootPid)) {
      const rss = vmRssBytes(pid);
      treeRssBytes += rss;
      if (pid === this.rootPid) rootRssBytes = rss;
      else this.sight(pid, at, rss);
    }
    this.samples.push({ at, treeRssBytes, rootRssBytes });
  }

  private sight(pid: number, at: number, rss: number): void {
    if (!this.labels.has(pid)) {
      const argv = (readText(`/proc/${pid}/cmdline`) ?? "").split("\0").filter(Boolean);
      this.labels.set(pid, argv.length ? this.classify(argv) : null);
    }
    const label = this.labels.get(pid);
    if (!label) return;
    const known = this.sightings.find((s) => s.pid === pid && s.label === label);
    if (known) {
      known.lastSeen = at;
      known.peakRssBytes = Math.max(known.peakRssBytes, rss);
    } else {
      this.sightings.push({ label, pid, firstSeen: at, lastSeen: at, peakRssBytes: rss });
    }
  }

  /** Highest tree and root RSS among readings taken in [from, to]. */
  peakBetween(from = -Infinity, to = Infinity): { treeRssBytes: number; rootRssBytes: number } {
    const inWindow = this.samples.filter((s) => s.at >= from && s.at <= to);
    return {
      treeRssBytes: Math.max(0, ...inWindow.map((s) => s.treeRssBytes)),
      rootRssBytes: Math.max(0, ...inWindow.map((s) => s.rootRssBytes)),
    };
  }

  /** The sighting of `label` (the first one, if it ran more than once). */
  find(label: string): Sighting | undefined {
    return this.sightings.find((s) => s.label === label);
  }
}

/**
 * Waits, up to `maxWaitMs`, for a one-second window in which the machine is less than `threshold` busy, so a case
 * does not start while other work (another benchmark, a test suite) holds the CPUs. Returns false if it never was.
 */
export async function waitForQuietMachine(threshold = 0.15, maxWaitMs = 60_000): Promise<boolean> {
  const deadline = performance.now() + maxWaitMs;
  const cores = navigator.hardwareConcurrency;
  do {
    const before = machineBusySeconds();
    const started = performance.now();
    await Bun.sleep(1000);
    const busy = (machineBusySeconds() - before) / (((performance.now() - started) / 1000) * cores);
    if (busy < threshold) return true;
  } while (performance.now() < deadline);
  return false;
}
