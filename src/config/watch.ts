// Watches a directory (recursively) for changes, debounced, with a slow poll as a safety net for events
// the kernel does not deliver (network file systems, some container runtimes). A Kubernetes ConfigMap or
// Secret volume updates by swapping a `..data` symlink; both paths see that.
import { watch, type FSWatcher } from 'node:fs';

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
    timer = setTimeout(() => { if (!closed) onChange(); }, debounceMs);
    timer.unref();
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, { recursive: true, persistent: false }, fire);
    watcher.on('error', () => { /* the poll below keeps going */ });
  } catch {
    watcher = undefined;
  }
  const poll = setInterval(() => { if (!closed) onChange(); }, opts.pollMs ?? 10_000);
  poll.unref();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      clearInterval(poll);
      watcher?.close();
    },
  };
}
