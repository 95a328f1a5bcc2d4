// Prometheus metrics, on a registry of our own (no globals): Istio's five injector metrics with their
// exact names, so existing dashboards work, plus decision, latency, reload and informer metrics.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  // Istio's (pkg/kube/inject/monitoring.go): no labels
  readonly requests = new Counter({
    name: 'sidecar_injection_requests_total',
    help: 'Total number of sidecar injection requests.',
    registers: [this.registry],
  });
  readonly success = new Counter({
    name: 'sidecar_injection_success_total',
    help: 'Total number of successful sidecar injection requests.',
    registers: [this.registry],
  });
  readonly failure = new Counter({
    name: 'sidecar_injection_failure_total',
    help: 'Total number of failed sidecar injection requests.',
    registers: [this.registry],
  });
  readonly skip = new Counter({
    name: 'sidecar_injection_skip_total',
    help: 'Total number of skipped sidecar injection requests.',
    registers: [this.registry],
  });
  readonly time = new Histogram({
    name: 'sidecar_injection_time_seconds',
    help: 'Total time taken for injection in seconds.',
    buckets: [0.1, 1, 3, 5, 10, 20, 30, 60],
    registers: [this.registry],
  });
  // ours
  readonly decisions = new Counter({
    name: 'sidecar_injection_decisions_total',
    help: 'Admission decisions by result (injected, skipped, error) and reason code.',
    labelNames: ['result', 'reason'],
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'sidecar_injector_admission_duration_seconds',
    help: 'Time from request body received to response written, by endpoint.',
    labelNames: ['endpoint'],
    buckets: [0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly largeAdmissions = new Counter({
    name: 'sidecar_injector_large_admissions_total',
    help: 'Admissions of reviews over the size threshold, sent to the admission worker, by outcome: answered (by the worker), or refused by the main thread: busy, timeout, out_of_memory, closed.',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly workerTerminations = new Counter({
    name: 'sidecar_injector_worker_terminations_total',
    help: 'Worker threads stopped while working, by worker (admission, preview) and reason (timeout, out_of_memory, failed).',
    labelNames: ['worker', 'reason'],
    registers: [this.registry],
  });
  readonly workerThreads = new Gauge({
    name: 'sidecar_injector_worker_threads',
    help: 'Worker threads running, by worker (admission, preview): each is a V8 isolate of its own (~30 MB), started on first use and stopped when idle.',
    labelNames: ['worker'],
    registers: [this.registry],
  });
  readonly httpErrors = new Counter({
    name: 'sidecar_injector_http_errors_total',
    help: 'Requests refused before admission, by endpoint and HTTP status.',
    labelNames: ['endpoint', 'status'],
    registers: [this.registry],
  });
  readonly configReloads = new Counter({
    name: 'sidecar_injector_config_reloads_total',
    help: 'Configuration loads, by result (success, failure).',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly configLastSuccess = new Gauge({
    name: 'sidecar_injector_config_last_reload_success_timestamp_seconds',
    help: 'When the configuration in use was loaded.',
    registers: [this.registry],
  });
  readonly configLastFailure = new Gauge({
    name: 'sidecar_injector_config_last_reload_failure_timestamp_seconds',
    help: 'When a configuration last failed to load (0: never).',
    registers: [this.registry],
  });
  readonly configBroken = new Gauge({
    name: 'sidecar_injector_config_broken',
    help: '1 while the configuration on disk fails to load and the last good one is serving.',
    registers: [this.registry],
  });
  readonly templateBroken = new Gauge({
    name: 'sidecar_injector_template_broken',
    help: 'Per template and alias of the configuration in use: 1 when it failed to compile or to render at load (pods asking for it are refused), else 0.',
    labelNames: ['template'],
    registers: [this.registry],
  });
  readonly certReloads = new Counter({
    name: 'sidecar_injector_cert_reloads_total',
    help: 'Serving certificate loads, by result (success, failure).',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly certLastSuccess = new Gauge({
    name: 'sidecar_injector_cert_last_reload_success_timestamp_seconds',
    help: 'When the serving certificate in use was loaded.',
    registers: [this.registry],
  });
  readonly certExpiry = new Gauge({
    name: 'sidecar_injector_cert_expiry_timestamp_seconds',
    help: 'When the serving certificate in use expires.',
    registers: [this.registry],
  });
  // Istio's cert patcher metrics (pkg/webhooks/monitoring.go)
  readonly patchAttempts = new Counter({
    name: 'webhook_patch_attempts_total',
    help: 'Webhook patching attempts.',
    labelNames: ['name'],
    registers: [this.registry],
  });
  readonly patchRetries = new Counter({
    name: 'webhook_patch_retries_total',
    help: 'Webhook patching retries.',
    labelNames: ['name'],
    registers: [this.registry],
  });
  readonly patchFailures = new Counter({
    name: 'webhook_patch_failures_total',
    help: 'Webhook patching total failures.',
    labelNames: ['name', 'reason'],
    registers: [this.registry],
  });
  readonly openConnections = new Gauge({
    name: 'sidecar_injector_open_connections',
    help: 'Open client connections, by listener (webhook, preview, ops), TLS handshakes included.',
    labelNames: ['listener'],
    registers: [this.registry],
  });
  readonly informerEvents = new Counter({
    name: 'sidecar_injector_informer_events_total',
    help: 'Kubernetes informer events (synced, error, restart, relist, stall).',
    labelNames: ['informer', 'type'],
    registers: [this.registry],
  });

  constructor(opts: { processMetrics?: boolean } = {}) {
    this.configLastFailure.set(0);
    this.configBroken.set(0);
    for (const worker of ['admission', 'preview']) this.workerThreads.set({ worker }, 0);
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }
}
