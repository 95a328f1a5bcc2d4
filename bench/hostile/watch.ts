// What `npm run bench:hostile` watches while an attack runs: the injector's event-loop delay (from its
// loop-delay.mjs preload), /healthz latency on the ops port seen from outside, and its memory and file
// descriptors from /proc.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface LoopDelay {
  maxMs: number;
  p99Ms: number;
  meanMs: number;
  samples: number;
  /** Bytes the process wrote to stdout/stderr (its logs), and the longest single write. */
  logBytes: number;
  longestLogWrite: number;
}

const loopFile = (pid: number) => join(tmpdir(), `si-hostile-loop-${pid}.json`);

/**
 * The loop delay since the previous call (SIGUSR2 to the preload, which writes and resets). Undefined
 * when no figures came within waitMs: the loop is still blocked, or the process is gone.
 */
export async function loopDelay(pid: number, waitMs: number): Promise<LoopDelay | undefined> {
  const file = loopFile(pid);
  rmSync(file, { force: true });
  try {
    process.kill(pid, 'SIGUSR2');
  } catch {
    return undefined; // gone
  }
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    if (existsSync(file)) {
      const figures = JSON.parse(readFileSync(file, 'utf8')) as LoopDelay;
      rmSync(file, { force: true });
      return figures;
    }
    await sleep(20);
  }
  return undefined;
}

export interface Latencies {
  probes: number;
  /** Probes without an answer when the attack ended (counted with the time they had waited by then). */
  unanswered: number;
  /** Probes refused, cut or answered other than 200 (not in the percentiles). */
  failed: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * GET /healthz every 20 ms, each on a fresh connection as a kubelet probe makes it, whether or not the
 * previous one answered (a blocked server is seen as growing latencies, not as fewer samples); at most
 * 50 in flight and 10,000 in all.
 */
export function pollHealthz(opsUrl: string): { stop(drainMs: number): Promise<Latencies> } {
  const done: number[] = [];
  const pending = new Set<number>();
  let failed = 0;
  let probes = 0;
  const probe = () => {
    if (pending.size >= 50 || probes >= 10_000) return;
    probes++;
    const t0 = performance.now();
    pending.add(t0);
    const finish = (ok: boolean) => {
      if (!pending.delete(t0)) return;
      if (ok) done.push(performance.now() - t0);
      else failed++; // refused or not 200: no latency to count, a failure
    };
    const req = request(`${opsUrl}/healthz`, { agent: false, timeout: 120_000 }, (res) => {
      res.resume();
      res.on('end', () => finish(res.statusCode === 200));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => finish(false));
    req.end();
  };
  const timer = setInterval(probe, 20);
  probe();
  return {
    /** Sends no more probes and lets those in flight answer for up to drainMs. */
    async stop(drainMs) {
      clearInterval(timer);
      const deadline = Date.now() + drainMs;
      while (pending.size > 0 && Date.now() < deadline) await sleep(20);
      const now = performance.now();
      const unanswered = [...pending].map((t0) => now - t0);
      pending.clear(); // late answers no longer count
      const all = [...done, ...unanswered].sort((a, b) => a - b);
      const at = (q: number) => all[Math.min(all.length - 1, Math.ceil(q * all.length) - 1)] ?? NaN;
      return { probes, unanswered: unanswered.length, failed, p50: at(0.5), p99: at(0.99), max: all.at(-1) ?? NaN };
    },
  };
}

export interface ProcFigures {
  alive: boolean;
  /** CPU clock ticks (utime + stime) the process has used in its life. */
  ticks: number;
  /** Peak resident set (VmHWM) of the process's whole life, in MB: the last one read while it lived. */
  peakMB: number;
}

function statusMB(pid: number, field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export function openFds(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return NaN;
  }
}

export function fdLimit(pid: number): number {
  try {
    return Number(/Max open files\s+(\d+)/.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'))?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
    return Number(f[11]) + Number(f[12]);
  } catch {
    return NaN;
  }
}

/** Reads VmHWM every 100 ms, so a process that dies (heap or cgroup OOM) still leaves its peak. */
export function watchProc(pid: number): { now(): ProcFigures; stop(): ProcFigures } {
  let peakMB = statusMB(pid, 'VmHWM') ?? NaN;
  let alive = true;
  let ticks = cpuTicks(pid);
  const read = () => {
    const t = cpuTicks(pid);
    if (Number.isFinite(t)) ticks = t;
    const hwm = statusMB(pid, 'VmHWM');
    if (hwm === undefined) alive = false;
    else peakMB = hwm;
  };
  const timer = setInterval(read, 100);
  const now = (): ProcFigures => {
    read();
    return { alive, ticks, peakMB };
  };
  return {
    now,
    stop() {
      clearInterval(timer);
      return now();
    },
  };
}
