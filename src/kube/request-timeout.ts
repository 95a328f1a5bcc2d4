// A bound on one API call: client-node's generated API has no timeout of its own, so a request to an
// API server that stopped answering (a frozen process, a black-holed connection) would wait forever.
import { Observable, type ConfigurationOptions, type ObservableMiddleware } from '@kubernetes/client-node';

/** Options for an API call that abort it after `ms`, or when `stop` aborts (a caller shutting down). */
export function requestTimeout(
  ms: number,
  opts?: ConfigurationOptions<ObservableMiddleware>,
  stop?: AbortSignal,
): ConfigurationOptions<ObservableMiddleware> {
  const abortAfter: ObservableMiddleware = {
    pre: (ctx) => {
      ctx.setSignal(stop ? AbortSignal.any([AbortSignal.timeout(ms), stop]) : AbortSignal.timeout(ms));
      return new Observable(Promise.resolve(ctx));
    },
    post: (res) => new Observable(Promise.resolve(res)),
  };
  return { ...opts, middleware: [...(opts?.middleware ?? []), abortAfter], middlewareMergeStrategy: 'append' };
}
