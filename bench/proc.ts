// RSS and CPU of a server process from /proc (every second while it is measured), the machine's CPU used
// by everything else, and the injector's V8 heap from its /metrics.
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { Server } from './servers.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

export interface Sample {
  t: number;
  rssMB: number;
  /** The part of rssMB that is file-backed (RssFile: the executable's and libraries' pages). */
  fileMB: number;
  /** The part of rssMB in glibc's main heap (the [heap] mapping): native allocations under the mmap threshold. */
  brkMB: number;
  /** CPU used by the process since the previous sample, in % of one core. */
  cpuPct: number;
}

/** VmRSS of a process now, in MB. */
export function rssMB(pid: number): number {
  return readProc(pid)?.rssMB ?? NaN;
}

/** Resident kB of the [heap] mapping in /proc/PID/smaps (its Rss line follows the mapping's line). */
function brkKB(smaps: string): number {
  const at = smaps.indexOf(' [heap]\n');
  if (at < 0) return 0;
  return Number(/\nRss:\s+(\d+) kB/.exec(smaps.slice(at, at + 400))?.[1] ?? 0);
}

function readProc(pid: number): { rssMB: number; fileMB: number; brkMB: number; ticks: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+) kB/.exec(status);
    const file = /RssFile:\s+(\d+) kB/.exec(status);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
    const brkMB = brkKB(readFileSync(`/proc/${pid}/smaps`, 'utf8')) / 1024;
    return { rssMB: Number(rss?.[1] ?? 0) / 1024, fileMB: Number(file?.[1] ?? 0) / 1024, brkMB, ticks: Number(f[11]) + Number(f[12]) }; // utime + stime
  } catch {
    return undefined; // the process is gone
  }
}

export const CLK_TCK = 100; // Linux USER_HZ

export interface Usage {
  samples: Sample[];
  /** CPU over the whole sampling, in % of one core. */
  cpuPct: number;
  /** The same, in clock ticks. */
  ticks: number;
  /** The injector's V8 heap, every 5 s (from its /metrics). */
  heap: Heap[];
}

/** Samples a server's RSS and CPU every second (and once at start and stop), the injector's heap every 5 s. */
export function sampleProcess(server: Server): { stop(): Usage } {
  const pid = server.pid;
  const samples: Sample[] = [];
  const heap: Heap[] = [];
  const t0 = Date.now();
  const ticks0 = readProc(pid)?.ticks ?? 0;
  let last = { t: t0, ticks: ticks0 };
  const take = () => {
    const p = readProc(pid);
    if (!p) return;
    const now = Date.now();
    const cpuPct = now > last.t ? ((p.ticks - last.ticks) / CLK_TCK / ((now - last.t) / 1000)) * 100 : 0;
    samples.push({ t: (now - t0) / 1000, rssMB: p.rssMB, fileMB: p.fileMB, brkMB: p.brkMB, cpuPct });
    last = { t: now, ticks: p.ticks };
    if (samples.length % 5 === 1)
      void heapOf(server, (now - t0) / 1000).then((h) => {
        if (h) heap.push(h);
      }); // a /metrics read costs ~5 ms
  };
  take();
  const timer = setInterval(take, 1000);
  let usage: Usage | undefined;
  return {
    stop() {
      if (usage) return usage;
      clearInterval(timer);
      take();
      const secs = (last.t - t0) / 1000;
      usage = { samples, cpuPct: secs > 0 ? ((last.ticks - ticks0) / CLK_TCK / secs) * 100 : 0, ticks: last.ticks - ticks0, heap };
      return usage;
    },
  };
}

/** CPU time (ticks) used by everything on the machine since boot, from /proc/stat. */
export function machineBusyTicks(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = cpu as [number, number, number, number, number, number, number, number];
  return user + nice + system + irq + softirq + steal;
}

/** CPU used by other processes over `ms` (in % of one core), while the bench itself idles. */
export async function otherCpuPct(ms: number): Promise<number> {
  const before = { busy: machineBusyTicks(), self: process.cpuUsage() };
  await sleep(ms);
  const self = process.cpuUsage(before.self);
  const other = machineBusyTicks() - before.busy - ((self.user + self.system) / 1e6) * CLK_TCK;
  return Math.max(0, (other / CLK_TCK / (ms / 1000)) * 100);
}

export interface Heap {
  t: number;
  usedMB: number;
  totalMB: number;
  externalMB: number;
}

/** The injector's V8 heap, from its own /metrics (prom-client's process metrics). */
export async function heapOf(server: Server, t: number): Promise<Heap | undefined> {
  if (!server.opsUrl) return undefined;
  const { body } = await httpGet(`${server.opsUrl}/metrics`).catch(() => ({ body: '' }));
  const mb = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(body)?.[1] ?? NaN) / 2 ** 20;
  return {
    t,
    usedMB: mb('nodejs_heap_size_used_bytes'),
    totalMB: mb('nodejs_heap_size_total_bytes'),
    externalMB: mb('nodejs_external_memory_bytes'),
  };
}
