// The worker side of worker-runner.ts: jobs arrive one at a time with the generation of the settings
// they need; a generation the worker has not seen comes with the settings (all but the compiled
// templates, which are compiled again here). The job's handler answers; anything it throws is turned
// into a reply by `onError`, so the runner always gets one answer per job.
import { parentPort } from 'node:worker_threads';
import { compileTemplates } from '../core/render/engine.ts';
import type { Settings } from '../core/settings/index.ts';
import { deepFreeze } from '../core/types.ts';

/** Settings as they cross to the worker: all but the compiled templates, which are compiled again there. */
export type PlainSettings = Omit<Settings, 'templates'>;

export interface HostedJob {
  settingsGeneration: number;
  /** Sent when the worker has not seen this generation yet. */
  settings?: PlainSettings;
}

export interface HostedReply<R> {
  reply: R;
  /** Buffers handed over to the main thread rather than copied (a large answer). */
  transfer?: ArrayBuffer[];
}

let current: { generation: number; settings: Settings } | undefined;

export function settingsFor(job: HostedJob): Settings {
  if (job.settings) {
    const s = job.settings;
    // frozen as buildSettings freezes them: render reuse recognises frozen values without a walk
    current = {
      generation: job.settingsGeneration,
      settings: { ...s, values: deepFreeze(s.values), mesh: deepFreeze(s.mesh), templates: compileTemplates(s.config.templates, { reuse: s.reuse }) },
    };
  }
  if (current?.generation !== job.settingsGeneration) throw new Error(`worker has settings ${current?.generation}, not ${job.settingsGeneration}`);
  return current.settings;
}

/** Serves the jobs posted to this worker thread (a no-op when imported on the main thread, as tests do). */
export function serveJobs<J extends HostedJob, R>(handle: (job: J, settings: Settings) => HostedReply<R>, onError: (message: string) => R): void {
  parentPort?.on('message', (job: J) => {
    let out: HostedReply<R>;
    try {
      out = handle(job, settingsFor(job));
    } catch (e) {
      out = { reply: onError(String((e as Error)?.message ?? e).slice(0, 500)) };
    }
    parentPort!.postMessage(out.reply, out.transfer ?? []);
  });
}

/** Bytes posted from a worker arrive as a Uint8Array: a Buffer over the same memory. */
export const asBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
