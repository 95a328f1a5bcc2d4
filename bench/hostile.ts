// `npm run bench:hostile`: issue 12's attacks against the real injector (the production build in a child
// process, with the Deployment's NODE_OPTIONS and judged against its memory limit), one fresh process per
// attack. Writes bench/HOSTILE.md and prints the table. BENCH_HOSTILE_BASELINE=1 labels the run as the
// baseline (kept in the file by later runs); BENCH_HOSTILE_ONLY=id,id runs some rows only;
// BENCH_HOSTILE_NODE_OPTIONS replaces the Deployment's NODE_OPTIONS.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ANSWER_MS, attacks, type Attack } from './hostile/attacks.ts';
import { admission, smallPod } from './hostile/bodies.ts';
import { post, type Target } from './hostile/client.ts';
import { writeReport, type Row } from './hostile/report.ts';
import { machineMeter } from './load.ts';
import { loopDelay, pollHealthz, watchProc } from './hostile/watch.ts';
import { otherCpuPct } from './proc.ts';
import { freePort, killAll, ROOT, snapshotBuild, startInjector, type Server } from './servers.ts';
import { deployment } from './install.ts';
import { makeCerts, type BenchCerts } from './tls.ts';

const PRELOAD = pathToFileURL(join(ROOT, 'bench/hostile/loop-delay.mjs')).href;
interface Running {
  server: Server;
  inject: Target;
  preview: Target;
}

let previewFlag: boolean | undefined; // whether serve accepts --preview-port (found out on the first start)

/**
 * A fresh injector. /preview gets a listener of its own when serve accepts --preview-port (HTTPS or plain
 * HTTP, whichever it answers), else it is on the webhook port.
 */
async function start(build: string, certs: BenchCerts, nodeOptions: string): Promise<Running> {
  // freePort's port can be taken by another process before the injector binds it: try again, a few times
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(build, certs, nodeOptions);
    } catch (e) {
      if (attempt >= 3 || !String(e).includes('EADDRINUSE')) throw e;
    }
  }
}

async function startOnce(build: string, certs: BenchCerts, nodeOptions: string): Promise<Running> {
  const nodeArgs = ['--import', PRELOAD, ...nodeOptions.split(/\s+/).filter(Boolean)];
  const serveArgs = ['--log-level', 'info', '--no-cluster']; // info: the Deployment's level (log lines cost too)
  if (previewFlag !== false) {
    const previewPort = await freePort();
    try {
      const server = await startInjector(build, certs.dir, nodeArgs, [...serveArgs, '--preview-port', String(previewPort)]);
      previewFlag = true;
      const inject = { url: server.url, ca: certs.ca };
      for (const scheme of ['https', 'http']) {
        const preview = { url: `${scheme}://127.0.0.1:${previewPort}/preview`, ca: certs.ca };
        if ((await post(preview, '{}', 'application/json', 5000)).status !== undefined) return { server, inject, preview };
      }
      await server.stop(2000);
      throw new Error(`serve accepts --preview-port ${previewPort}, but nothing answers POST /preview there over HTTPS or HTTP`);
    } catch (e) {
      if (!String(e).includes("'--preview-port'")) throw e;
      previewFlag = false;
    }
  }
  const server = await startInjector(build, certs.dir, nodeArgs, serveArgs);
  return { server, inject: { url: server.url, ca: certs.ca }, preview: { url: server.url.replace(/\/inject$/, '/preview'), ca: certs.ca } };
}

/** The line that says why a process died (V8's "FATAL ERROR: … heap out of memory"), else its last line. */
function whyDied(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return (lines.find((l) => /FATAL|out of memory|Error:/.test(l)) ?? lines.at(-1) ?? 'no output').slice(0, 160);
}

async function measure(attack: Attack, build: string, certs: BenchCerts, nodeOptions: string): Promise<{ row: Row; preview: string }> {
  const { server, inject, preview } = await start(build, certs, nodeOptions);
  try {
    // a running injector is warm: one ordinary admission and preview first, so their first-call
    // compilation is not counted against the attack
    await post(inject, admission('warm-up'), 'application/json', 10_000);
    await post(preview, JSON.stringify(smallPod('warm-up')), 'application/json', 10_000);
    await attack.prepare?.({ inject, preview, pid: server.pid });
    await loopDelay(server.pid, 5000); // starts the loop figures afresh: start-up is not the attack's
    const proc = watchProc(server.pid);
    const ticks0 = proc.now().ticks;
    const meter = machineMeter(); // what the rest of the machine took meanwhile: a busy machine slows every figure
    const healthz = pollHealthz(server.opsUrl!);
    const outcome = await attack.run({ inject, preview, pid: server.pid });
    // a loop still blocked answers late: wait (bounded) so the block is measured whole, probes still running
    const loop = await loopDelay(server.pid, 15_000);
    const latencies = await healthz.stop(2000);
    const figures = proc.stop();
    const { otherCpuPct } = meter.stop({ ticks: figures.ticks - ticks0, samples: [], heap: [], cpuPct: NaN });
    if (!figures.alive) outcome.answer += ` — the injector died: ${whyDied(server.output?.() ?? '')}`;
    return { row: { title: attack.title, outcome, loop, healthz: latencies, proc: figures, otherCpuPct }, preview: preview.url };
  } finally {
    await server.stop(2000);
  }
}

function git(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, timeout: 5000 }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'templates'], { cwd: ROOT, timeout: 5000 }).toString().trim();
    return dirty ? `${head} + uncommitted changes in src/templates` : head;
  } catch {
    return 'unknown';
  }
}

/** Waits (at most maxSeconds) until other processes use under a quarter of a core; returns what they used. */
async function quieter(maxSeconds: number): Promise<number> {
  const deadline = Date.now() + maxSeconds * 1000;
  let other = await otherCpuPct(2000);
  if (other > 25) console.log(`other processes use ${other.toFixed(0)}% of a core; waiting up to ${maxSeconds} s for a quieter machine`);
  while (other > 25 && Date.now() < deadline) other = await otherCpuPct(3000);
  return other;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const loadBefore = loadavg()[0]!;
  const tmp = mkdtempSync(join(tmpdir(), 'si-hostile-'));
  try {
    const deployed = deployment();
    const { limitMB } = deployed;
    const nodeOptions = process.env.BENCH_HOSTILE_NODE_OPTIONS ?? deployed.nodeOptions; // e.g. the heap cap deployment.yaml suggests
    const build = snapshotBuild(tmp);
    const certs = await makeCerts();
    const otherCpu = await quieter(Number(process.env.BENCH_HOSTILE_QUIET_WAIT ?? 60));
    const only = process.env.BENCH_HOSTILE_ONLY?.split(',');
    const rows: Row[] = [];
    let previewUrl = '';
    for (const attack of attacks().filter((a) => !only || only.includes(a.id))) {
      console.log(`- ${attack.title}`);
      const { row, preview } = await measure(attack, build, certs, nodeOptions);
      previewUrl = preview;
      const block = row.loop ? `${row.loop.maxMs.toFixed(0)} ms (${row.loop.samples} samples)` : 'no report';
      console.log(
        `  ${row.outcome.answer.slice(0, 200)}\n  ${row.outcome.elapsedMs.toFixed(0)} ms; block ${block}; /healthz p99 ${row.healthz.p99.toFixed(0)} ms; peak RSS ${row.proc.peakMB.toFixed(0)} MB`,
      );
      rows.push(row);
    }
    const listener = previewFlag
      ? `its own listener (--preview-port, ${new URL(previewUrl).protocol.replace(':', '')})`
      : 'the webhook port (serve has no --preview-port)';
    const section = writeReport(
      rows,
      {
        git: git(),
        node: process.version,
        date: `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
        limitMB,
        nodeOptions,
        nodeOptionsFrom:
          process.env.BENCH_HOSTILE_NODE_OPTIONS === undefined ? ' (as deploy/base)' : ' (BENCH_HOSTILE_NODE_OPTIONS, not deploy/base)',
        previewListener: listener,
        totalSeconds: (Date.now() - t0) / 1000,
        loadBefore,
        otherCpu,
      },
      process.env.BENCH_HOSTILE_BASELINE === '1',
    );
    console.log(`\n${section}\n\nwrote bench/HOSTILE.md`);
  } finally {
    killAll();
    rmSync(tmp, { recursive: true, force: true });
  }
}

// every attack is bounded (ANSWER_MS, holds of 10 s, 15 s for a blocked loop): this only catches a bench bug
const guard = setTimeout(() => {
  console.error(`bench:hostile: still running after 15 minutes (answers are waited for ${ANSWER_MS / 1000} s each); giving up`);
  killAll();
  process.exit(2);
}, 15 * 60_000);
guard.unref();
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => {
    killAll();
    process.exit(130);
  });

main().catch((e: unknown) => {
  console.error(e);
  killAll();
  process.exitCode = 1;
});
