// Statement replay: when a render cannot be reused whole (a pod of another workload: its app label and
// container names differ), most of its top-level statements still read only what the last pods had
// (annotations absent, the same settings), and print what they printed. Now and then an execution is
// recorded: each top-level statement runs on a view of the data of its own, so the reads recorded for it
// (read-tracker.ts) are all it looked at, caches of the data view included; a statement reading a
// variable also depends on what the statements that set it read. Executions in between replay a
// statement's text, pod-value spans and costs when the data agrees on those reads, and run it otherwise.
// Results are those of running every statement (test/property/render-reuse.property.test.ts).
import type { StatementHooks, StatementInfo, StatementOutput } from '../gotemplate/exec/index.ts';
import type { GoValue } from '../gotemplate/value.ts';
import { answersFor, compileReads, type Read, type ReadShape, readChars, shapeOf, type Tracked, trackReads } from './read-tracker.ts';

/**
 * Recordings kept per template, and when one is made. A recorded execution costs ~5 plain ones (a data view
 * and read tracking per statement), so one in RECORD_EVERY; sooner after POOR_FIRST executions in a row in
 * which most statements asked could not be replayed (pods unlike those recorded), that wait doubling each
 * time until the next periodic one: traffic unlike any recording pays at most ~12% more, ~2% in the end.
 */
const RECORDINGS = 2;
const RECORD_EVERY = 256;
const POOR_FIRST = 4;
const MAX_STATEMENT_READS = 2000;
const MAX_RECORDED_READS = 8000;
const MAX_KEPT_TEXT = 64 * 1024;
/** Characters of recorded answers a recording may keep alive (a 5 MiB annotation is not kept). */
const MAX_KEPT_ANSWERS = 64 * 1024;

interface KeptStatement {
  /** The reads it depends on (indices into its recording's reads), and their answers then. */
  at: readonly number[];
  answers: readonly unknown[];
  out: StatementOutput;
}

interface Recording {
  shape: ReadShape;
  statements: ReadonlyArray<KeptStatement | undefined>;
}

export interface StatementSession extends StatementHooks {
  /** The execution succeeded: a recording is kept. */
  finish(): void;
}

/** One template's recordings (owned by the settings' RenderMemo, reuse.ts). */
export interface TemplateStatements {
  /** Hooks for one execution over `input`; `view` makes the template's data from a tracked copy of it. */
  session(input: object, infos: readonly StatementInfo[], view: (tracked: object) => GoValue): StatementSession;
}

export function templateStatements(): TemplateStatements {
  const recordings: Recording[] = [];
  let sessions = 0;
  let sinceRecorded = 0;
  let poorInARow = 0;
  let poorWait = POOR_FIRST;
  const keep = (r: Recording) => {
    recordings.unshift(r);
    if (recordings.length > RECORDINGS) recordings.pop();
  };
  const replayed = (asked: number, hits: number) => {
    poorInARow = hits * 2 < asked ? poorInARow + 1 : 0;
  };
  return {
    session(input, infos, view) {
      // the first ones are recorded (each may fail, and is then not kept: failing pods do not make every one recorded)
      const periodic = ++sessions <= RECORDINGS || ++sinceRecorded >= RECORD_EVERY;
      if (periodic || poorInARow >= poorWait) {
        poorWait = periodic ? POOR_FIRST : Math.min(poorWait * 2, RECORD_EVERY);
        sinceRecorded = 0;
        poorInARow = 0;
        return recorder(input, infos, view, keep);
      }
      return replayer(input, recordings, replayed);
    },
  };
}

function recorder(
  input: object,
  infos: readonly StatementInfo[],
  view: (tracked: object) => GoValue,
  keep: (r: Recording) => void,
): StatementSession {
  const trackers: Array<Tracked<object> | undefined> = [];
  const outs: Array<StatementOutput | undefined> = [];
  // past a statement that read too much (a huge pod), the rest run on the shared data and are not kept
  let over = false;
  let reads = 0;
  return {
    recording: true,
    dataFor(i) {
      if (over) return undefined;
      const tracked = trackReads(input, MAX_STATEMENT_READS);
      trackers[i] = tracked;
      return view(tracked.data);
    },
    ran(i, out) {
      outs[i] = out;
      reads += trackers[i]?.reads()?.length ?? MAX_RECORDED_READS;
      if (reads >= MAX_RECORDED_READS) over = true;
    },
    replay: () => undefined,
    finish() {
      const recording = recordingOf(infos, trackers, outs);
      if (recording !== undefined) keep(recording);
    },
  };
}

const readKey = (r: Read): string => JSON.stringify([r.kind, r.path, r.kind === 'has' ? r.key : '']);

/** The reads of every statement, each once, and for each replayable statement the ones it depends on. */
function recordingOf(
  infos: readonly StatementInfo[],
  trackers: ReadonlyArray<Tracked<object> | undefined>,
  outs: ReadonlyArray<StatementOutput | undefined>,
): Recording | undefined {
  const reads: Read[] = [];
  const index = new Map<string, number>();
  const idsOf = (rs: Read[]): number[] =>
    rs.map((r) => {
      const key = readKey(r);
      let at = index.get(key);
      if (at === undefined) {
        at = reads.length;
        reads.push(r);
        index.set(key, at);
      }
      return at;
    });
  // read only now: a variable's value may have been read further by later statements (lazy data)
  const recorded = infos.map((_, i) => trackers[i]?.reads());
  if (recorded.reduce((n, rs) => n + (rs?.length ?? 0), 0) > 2 * MAX_RECORDED_READS) return undefined;
  const own = recorded.map((rs) => (rs === undefined ? undefined : idsOf(rs)));
  // what each variable depends on: the reads of every statement that declared or assigned it (undefined: unknown)
  const behind = new Map<number, number[] | undefined>();
  infos.forEach((info, i) => {
    for (const slot of info.writes) {
      const before = behind.has(slot) ? behind.get(slot) : [];
      const mine = own[i];
      behind.set(slot, before === undefined || mine === undefined ? undefined : [...before, ...mine]);
    }
  });
  if (reads.length > MAX_RECORDED_READS || readChars(reads) > MAX_KEPT_ANSWERS) return undefined;
  const shape = shapeOf(reads);
  const answers = compileReads(reads, shape).answers;
  let room = MAX_KEPT_TEXT;
  const statements = infos.map((info, i): KeptStatement | undefined => {
    const out = outs[i];
    const mine = own[i];
    if (info.text || !info.replayable || out === undefined || mine === undefined || out.text.length > room) return undefined;
    const at = new Set(mine);
    for (const slot of info.reads) {
      const ids = behind.get(slot);
      if (ids === undefined) return undefined;
      for (const id of ids) at.add(id);
    }
    room -= out.text.length;
    const list = [...at];
    return { at: list, answers: list.map((id) => answers[id]), out };
  });
  return { shape, statements };
}

function agrees(kept: KeptStatement, now: readonly unknown[]): boolean {
  for (let k = 0; k < kept.at.length; k++) {
    const a = kept.answers[k];
    const b = now[kept.at[k] as number];
    if (a !== b && !(Number.isNaN(a) && Number.isNaN(b))) return false;
  }
  return true;
}

function replayer(input: object, recordings: readonly Recording[], replayed: (asked: number, hits: number) => void): StatementSession {
  // what `input` answers to each recording's reads, worked out when a statement first asks
  const answers: Array<unknown[] | undefined> = [];
  let asked = 0;
  let hits = 0;
  return {
    recording: false,
    dataFor: () => undefined,
    ran: () => undefined,
    finish: () => replayed(asked, hits),
    replay(i) {
      asked++;
      for (let r = 0; r < recordings.length; r++) {
        const recording = recordings[r] as Recording;
        const kept = recording.statements[i];
        if (kept === undefined) continue;
        const now = answers[r] ?? answersFor(recording.shape, input);
        answers[r] = now;
        if (agrees(kept, now)) {
          hits++;
          return kept.out;
        }
      }
      return undefined;
    },
  };
}
