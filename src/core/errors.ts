// One catalogue of errors with stable codes: the webhook, the preview and the CLI render them their own way.
import { clip } from './clip.ts';
import { MAX_MESSAGE_CHARS } from './limits.ts';

export const ErrorCodes = {
  INVALID_SETTING: 'a setting (injector config, values or mesh config) is invalid',
  INVALID_ANNOTATION: 'a pod annotation has a value the injector rejects',
  DENIED_ANNOTATION: 'a pod sets an annotation the injector config (deniedAnnotations) does not allow',
  TEMPLATE_NOT_FOUND: 'a requested injection template does not exist',
  TEMPLATE_BROKEN: 'a requested injection template failed to compile or to render at load, so it is not served',
  TEMPLATE_RENDER: 'an injection template failed to render',
  TEMPLATE_NOT_POD: 'an injection template did not render to a pod',
  TEMPLATE_UNSAFE_VALUE: 'a Go injection template printed a value the pod sets where it would add or change YAML structure',
  INVALID_OBJECT: 'the object to inject is not a well-formed Kubernetes object',
  INVALID_WEBHOOK_CONFIG: "a MutatingWebhookConfiguration given to decide with (--webhook-config, the cluster's) is not well-formed",
  INVALID_PROMETHEUS: 'a prometheus annotation points at a port the injector cannot merge',
  LIMIT_EXCEEDED: 'an input is larger than a cap of the injector (src/core/limits.ts)',
  BUDGET_EXCEEDED: 'the request did not finish within its time budget',
  OUT_OF_MEMORY: 'the request needed more memory than the injector gives one admission',
  INJECTOR_BUSY: 'the injector was busy with other large admissions and could not take this one in time',
  INTERNAL: 'the injector failed unexpectedly (a bug): the request was refused rather than half-answered',
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export class InjectionError extends Error {
  readonly code: ErrorCode;
  /** What the error is about: an annotation name, a settings key, a template name. */
  readonly subject: string | undefined;
  constructor(code: ErrorCode, message: string, subject?: string) {
    // messages quote input values: never let one make a message (and the log line) huge
    super(clip(message, MAX_MESSAGE_CHARS));
    this.name = 'InjectionError';
    this.code = code;
    this.subject = subject === undefined ? undefined : clip(subject);
  }
}

export function isInjectionError(e: unknown): e is InjectionError {
  return e instanceof InjectionError;
}

// Over budget or busy is the injector's own limit, not the request's fault: 503; out of memory is the
// request being too large for it: 413; a bug: 500. Every other refusal is the request's: 400.
const STATUS_OF_CODE: Partial<Record<string, number>> = { BUDGET_EXCEEDED: 503, INJECTOR_BUSY: 503, OUT_OF_MEMORY: 413, INTERNAL: 500 };

/** The status an error code is answered with (an AdmissionReview's status.code, /preview's HTTP status). */
export function statusOfCode(code: string): number {
  return STATUS_OF_CODE[code] ?? 400;
}
