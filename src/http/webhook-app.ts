// The webhook's HTTPS door: POST /inject (and /inject/<params>) answers AdmissionReviews
// (inject-handler.ts). Nothing else is served here: the dry-run preview has a listener of its own
// (preview-app.ts), so no preview caller can take this port's connections or time.
import type { RequestListener } from 'node:http';
import { injectHandler, isInjectRequest } from './inject-handler.ts';
import type { LargeAdmissions } from './large-admission.ts';
import { refuse } from './refuse.ts';
import type { InjectorRuntime } from './injector-runtime.ts';

export function webhookApp(rt: InjectorRuntime, previewPort: () => number, large: LargeAdmissions): RequestListener {
  const inject = injectHandler(rt, large);
  return (req, res) => {
    if (isInjectRequest(req)) return inject(req, res);
    const preview = (req.url ?? '').toLowerCase().startsWith('/preview');
    refuse(
      rt,
      res,
      'webhook',
      404,
      preview
        ? `not found: /preview is served on its own port (${previewPort()}, flag --preview-port), not the webhook's`
        : 'not found: POST /inject',
      req,
    );
  };
}
