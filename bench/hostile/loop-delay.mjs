// Preload for `npm run bench:hostile` (node --import): the injector's own event-loop delay, measured
// inside its process, and what it wrote to stdout/stderr (its logs). On SIGUSR2 it writes the figures
// since the previous SIGUSR2 (or since start) to <tmpdir>/si-hostile-loop-<pid>.json and starts afresh.
// A blocked loop answers the signal only when it is free again, so the bench waits (bounded) for the
// file and says so when it does not come. Plain JavaScript: the production build runs without tsx.
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const histogram = monitorEventLoopDelay({ resolution: 10 });
histogram.enable();

// pino writes through sonic-boom, which calls fs.write/fs.writeSync on fd 1 at call time
let logBytes = 0;
let longestLogWrite = 0;
const count = (fd, data) => {
  if (fd !== 1 && fd !== 2) return;
  const n = typeof data === 'string' ? Buffer.byteLength(data) : (data?.byteLength ?? 0);
  logBytes += n;
  longestLogWrite = Math.max(longestLogWrite, n);
};
for (const name of ['write', 'writeSync']) {
  const original = fs[name];
  fs[name] = function (fd, data, ...rest) {
    count(fd, data);
    return original.call(this, fd, data, ...rest);
  };
}

const file = join(tmpdir(), `si-hostile-loop-${process.pid}.json`);
let seq = 0;
// The histogram takes a sample when its 10 ms timer runs: right after a block that timer is overdue and
// runs in the next loop turn, which can come after the signal's. Waiting 25 ms first puts a block that has
// just ended into these figures, not into the next ones.
process.on('SIGUSR2', () => setTimeout(dump, 25));

function dump() {
  const ms = (ns) => ns / 1e6;
  const figures = {
    seq: ++seq,
    maxMs: ms(histogram.max),
    p99Ms: ms(histogram.percentile(99)),
    meanMs: ms(histogram.mean),
    samples: histogram.count,
    logBytes,
    longestLogWrite,
  };
  histogram.reset();
  logBytes = 0;
  longestLogWrite = 0;
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(figures));
  fs.renameSync(`${file}.tmp`, file); // the bench never reads half a file
}
