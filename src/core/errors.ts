// One catalogue of errors with stable codes: the webhook, the preview and the CLI render them their own way.
export const ErrorCodes = {
  INVALID_SETTING: 'a setting (injector config, values or mesh config) is invalid',
  INVALID_ANNOTATION: 'a pod annotation has a value the injector rejects',
  DENIED_ANNOTATION: 'a pod sets an annotation the injector config (deniedAnnotations) does not allow',
  TEMPLATE_NOT_FOUND: 'a requested injection template does not exist',
  TEMPLATE_RENDER: 'an injection template failed to render',
  TEMPLATE_NOT_POD: 'an injection template did not render to a pod',
  INVALID_OBJECT: 'the object to inject is not a well-formed Kubernetes object',
  INVALID_PROMETHEUS: 'a prometheus annotation points at a port the injector cannot merge',
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export class InjectionError extends Error {
  readonly code: ErrorCode;
  /** What the error is about: an annotation name, a settings key, a template name. */
  readonly subject: string | undefined;
  constructor(code: ErrorCode, message: string, subject?: string) {
    super(message);
    this.name = 'InjectionError';
    this.code = code;
    this.subject = subject;
  }
}

export function isInjectionError(e: unknown): e is InjectionError {
  return e instanceof InjectionError;
}
