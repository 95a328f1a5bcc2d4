// Watches a directory (and its templates/) for changes, debounced, with a slow poll as a safety net for events
// the kernel does not deliver (network file systems, some container runtimes). A Kubernetes ConfigMap or
// Secret volume updates by swapping a `..data` symlink; both paths see that.
import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';

export interface DirWatcher {
  close(): void;
}

export function watchDir(dir: string, onChange: () => void, opts: { debounceMs?: number; pollMs?: number } = {}): DirWatcher {
  const debounceMs = opts.debounceMs ?? 100;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const fire = () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (!closed) onChange();
    }, debounceMs);
    timer.unref();
  };
  // Not `recursive: true`: on Linux, Node implements it in JavaScript and throws an uncaught ENOTDIR from
  // its own event handler when a watched file is replaced by a directory, which would kill the server.
  // The directory and its `templates/` are watched one level each; deeper changes reach us by the poll.
  const watchers: FSWatcher[] = [];
  for (const d of [dir, join(dir, 'templates')]) {
    try {
      const w = watch(d, { persistent: false }, fire);
      w.on('error', () => {
        /* the poll below keeps going */
      });
      watchers.push(w);
    } catch {
      // absent (templates/ is optional) or not watchable: the poll covers it
    }
  }
  const poll = setInterval(() => {
    if (!closed) onChange();
  }, opts.pollMs ?? 10_000);
  poll.unref();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      clearInterval(poll);
      for (const w of watchers) w.close();
    },
  };
}
