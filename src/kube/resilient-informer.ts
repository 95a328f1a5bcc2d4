// One cluster-scoped informer (client-node's makeInformer: list, then watch from the list's resourceVersion)
// kept alive for the life of the server:
// - client-node's informer stops for good on an error; here it is restarted after a jittered, capped backoff;
// - on 410 Gone it lists again by itself; each such relist is reported;
// - a watch that has been silent longer than stallAfterMs is presumed dead (a half-open connection, a frozen
//   API server) and restarted. The watch asks the server to end it every few minutes (timeoutSeconds), and
//   client-node reconnects, so a healthy watch is never silent that long, even with no changes.
// Each (re)start is a new informer instance, a "generation"; callbacks of older generations are ignored, so
// a late error or event of a stopped informer cannot disturb the current one.
import { makeInformer, type Informer, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';

export type InformerEventType = 'synced' | 'error' | 'restart' | 'relist' | 'stall';

export interface InformerEvent<N extends string = string> {
  informer: N;
  type: InformerEventType;
  detail: string;
}

/** Structurally a pino logger, or anything with these methods. */
export interface KubeLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface ResilientInformerOptions<T extends KubernetesObject, V, N extends string> {
  name: N;
  kubeConfig: KubeConfig;
  /** Collection path, e.g. /api/v1/namespaces, optionally with a query (?fieldSelector=...). */
  path: string;
  /** Lists the collection; `timeoutMs` bounds the call. */
  list: (timeoutMs: number) => Promise<KubernetesListObject<T>>;
  /** The part of each object the store keeps. */
  project: (obj: T) => V;
  backoff?: BackoffOptions;
  /** Watch silence after which the informer is restarted (default 5 min). */
  stallAfterMs?: number;
  /** Bound on one list call (default 60 s). */
  listTimeoutMs?: number;
  onEvent?: (e: InformerEvent<N>) => void;
  logger?: KubeLogger;
  /** The store's key of an object (default its name: cluster-scoped kinds); undefined leaves it out. */
  key?: (obj: T) => string | undefined;
  /** Called after every change to the store (a list, an add, update or delete). */
  onChange?: () => void;
}

const DEFAULT_STALL_MS = 5 * 60_000;
// This many watches in a row that end almost as soon as they start (no error) count as a failure.
const SHORT_WATCHES = 10;
// The backoff starts over only after an informer has run this long since its list: an informer that lists
// fine but cannot watch (RBAC without "watch") must not relist every second.
const STABLE_AFTER_MS = 30_000;

function describeError(err: unknown): string {
  if (err === undefined || err === null) return 'unknown error';
  const e = err as { statusCode?: number; code?: unknown; message?: string };
  const status = e.statusCode ?? (typeof e.code === 'number' ? e.code : undefined);
  const text = e.message || (typeof e.code === 'string' ? e.code : String(err));
  return status !== undefined ? `HTTP ${status}: ${text}` : text;
}

export class ResilientInformer<T extends KubernetesObject, V, N extends string> {
  private readonly store = new Map<string, V>();
  private readonly stallAfterMs: number;
  private readonly watchTimeoutSeconds: number;
  private generation = 0;
  private current: Informer<T> | undefined;
  private hasSynced = false;
  private failures = 0;
  private lastActivity = Date.now();
  private syncedAt: number | undefined;
  private lastConnect = 0;
  private shortWatches = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private stopped = true;

  constructor(private readonly opts: ResilientInformerOptions<T, V, N>) {
    this.stallAfterMs = opts.stallAfterMs ?? DEFAULT_STALL_MS;
    // The server ends each watch after 40–60% of the stall window, so reconnects prove the watch alive.
    this.watchTimeoutSeconds = Math.max(1, Math.floor((this.stallAfterMs / 1000) * (0.4 + 0.2 * Math.random())));
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.launch(undefined);
    const every = Math.max(50, Math.min(this.stallAfterMs / 4, 30_000));
    this.watchdog = setInterval(() => this.checkStall(), every);
    this.watchdog.unref();
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
    clearInterval(this.watchdog);
    clearTimeout(this.restartTimer);
    this.watchdog = this.restartTimer = undefined;
    this.retire(this.current);
    this.current = undefined;
  }

  /** True once a list has succeeded; the store then stays usable (if stale) through later outages. */
  synced(): boolean {
    return this.hasSynced;
  }

  get(name: string): V | undefined {
    return this.store.get(name);
  }

  entries(): Array<[string, V]> {
    return [...this.store.entries()];
  }

  /** The store itself, read-only: what it holds now, with no copy (read it synchronously). */
  view(): ReadonlyMap<string, V> {
    return this.store;
  }

  private emit(type: InformerEventType, detail: string): void {
    const log = type === 'error' || type === 'stall' ? this.opts.logger?.warn : this.opts.logger?.info;
    log?.call(this.opts.logger, { informer: this.opts.name, event: type, detail }, `${this.opts.name} informer: ${type}`);
    try {
      this.opts.onEvent?.({ informer: this.opts.name, type, detail });
    } catch {
      // an observer's failure must not stop the informer
    }
  }

  private retire(informer: Informer<T> | undefined): void {
    informer?.stop().catch(() => undefined);
  }

  /** The list call of one informer generation: the first list syncs the store, later ones are relists after 410 Gone. */
  private lister(gen: number, live: () => boolean): () => Promise<KubernetesListObject<T>> {
    let lists = 0;
    return async () => {
      const res = await this.opts.list(this.opts.listTimeoutMs ?? 60_000);
      // Throwing stops a retired informer here; returning would let it go on to open a watch.
      if (!live()) throw new Error(`${this.opts.name} informer generation ${gen} was retired`);
      lists++;
      this.store.clear();
      for (const item of res.items) this.put(item);
      this.opts.onChange?.();
      this.lastActivity = Date.now();
      if (lists === 1) {
        this.hasSynced = true;
        this.syncedAt = Date.now();
        this.emit('synced', `${res.items.length} ${this.opts.name} listed`);
      } else {
        this.emit('relist', 'resourceVersion too old (410 Gone): listed again');
      }
      return res;
    };
  }

  private launch(after: string | undefined): void {
    const gen = ++this.generation;
    const live = () => gen === this.generation && !this.stopped;
    this.lastActivity = Date.now();
    this.syncedAt = undefined;
    this.shortWatches = 0;
    this.lastConnect = 0;
    if (after !== undefined) this.emit('restart', after);

    const list = this.lister(gen, live);
    // Query parameters in the path reach the watch URL (client-node appends its own to it); the path may
    // have its own (a fieldSelector)
    const path = `${this.opts.path}${this.opts.path.includes('?') ? '&' : '?'}allowWatchBookmarks=true&timeoutSeconds=${this.watchTimeoutSeconds}`;
    const informer = makeInformer<T>(this.opts.kubeConfig, path, list);
    this.current = informer;

    const onObject = (apply: (obj: T) => void) => (obj: T) => {
      if (!live()) return this.retire(informer); // a watch that connected after it was retired
      this.lastActivity = Date.now();
      apply(obj);
    };
    const putOne = (o: T) => {
      this.put(o);
      this.opts.onChange?.();
    };
    informer.on('add', onObject(putOne));
    informer.on('update', onObject(putOne));
    informer.on(
      'delete',
      onObject((o) => {
        const key = this.keyOf(o);
        if (key && this.store.delete(key)) this.opts.onChange?.();
      }),
    );
    // Short: under half the requested watch timeout, at most 1 s.
    const shortMs = Math.min(1000, this.watchTimeoutSeconds * 500);
    informer.on('connect', () => {
      if (!live()) return;
      const now = Date.now();
      this.shortWatches = this.lastConnect && now - this.lastConnect < shortMs ? this.shortWatches + 1 : 0;
      this.lastConnect = this.lastActivity = now;
      if (this.shortWatches >= SHORT_WATCHES) this.fail('error', `the watch ended ${SHORT_WATCHES} times in a row within ${shortMs} ms of starting`);
    });
    informer.on('error', (err) => {
      if (live()) this.fail('error', describeError(err));
    });
    informer.start().catch((err) => {
      if (live()) this.fail('error', describeError(err));
    });
  }

  private keyOf(obj: T): string | undefined {
    return this.opts.key ? this.opts.key(obj) : obj.metadata?.name;
  }

  private put(obj: T): void {
    const key = this.keyOf(obj);
    if (key) this.store.set(key, this.opts.project(obj));
  }

  /** Reports the failure, retires the current informer and schedules a new one after the backoff. */
  private fail(type: 'error' | 'stall', detail: string): void {
    if (this.stopped || this.restartTimer !== undefined) return;
    this.emit(type, detail);
    this.generation++; // callbacks of the failed informer are ignored from here on
    this.retire(this.current);
    this.current = undefined;
    if (this.syncedAt !== undefined && Date.now() - this.syncedAt >= STABLE_AFTER_MS) this.failures = 0;
    const attempt = this.failures++;
    const delay = backoffDelay(attempt, this.opts.backoff ?? DEFAULT_BACKOFF);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.stopped) this.launch(`attempt ${attempt + 1} after ${delay} ms (${type}: ${detail})`);
    }, delay);
    this.restartTimer.unref();
  }

  private checkStall(): void {
    if (this.stopped || this.restartTimer !== undefined) return;
    const silent = Date.now() - this.lastActivity;
    if (silent > this.stallAfterMs) this.fail('stall', `no list or watch activity for ${Math.round(silent / 1000)} s`);
  }
}
