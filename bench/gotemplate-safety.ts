// `node --import tsx bench/gotemplate-safety.ts`: what checking the pod values a Go template printed costs
// on a render shaped like Istio's sidecar output (~25 KB, ~50 spans: labels, the annotations flow mapping,
// init args, env, PROXY_CONFIG and ISTIO_META_POD_PORTS JSON, user volumes), against js-yaml's load
// alone. Prints; asserts nothing.
import { writeFileSync } from 'node:fs';
import jsyaml from 'js-yaml';
import { findViolation, loadRenderedYaml, type TaintSpan } from '../src/core/gotemplate/safety/index.ts';
import { parseWithNodes } from '../src/core/gotemplate/safety/yaml-nodes.ts';

/** Builds the render, recording a span for each value the pod controls. */
function istioLikeRender(): { text: string; spans: TaintSpan[] } {
  let text = '';
  const spans: TaintSpan[] = [];
  const lit = (s: string) => {
    text += s;
  };
  const pod = (v: string, structured = false) => {
    spans.push({ start: text.length, end: text.length + v.length, structured, origin: 'bench' });
    text += v;
  };
  lit('metadata:\n  labels:\n    security.istio.io/tlsMode: ');
  pod('"istio"', true);
  lit('\n    service.istio.io/canonical-name: ');
  pod('"reviews"', true);
  lit('\n    service.istio.io/canonical-revision: "v1"\n  annotations: {\n    istio.io/rev: "default",\n');
  for (const k of ['default-logs-container', 'default-container', 'includeOutboundIPRanges', 'excludeOutboundIPRanges', 'includeInboundPorts']) {
    lit(`    kubectl.kubernetes.io/${k}: "`);
    pod(k === 'includeInboundPorts' ? '9080,9090' : '10.0.0.0/8,172.16.0.0/12');
    lit('",\n');
  }
  lit('  }\nspec:\n  initContainers:\n  - name: istio-init\n    image: "');
  pod('docker.io/istio/proxyv2:1.29.0');
  lit('"\n    args:\n    - istio-iptables\n');
  for (const f of ['-p', '-z', '-u', '-m', '-i', '-x', '-b', '-d', '-q', '-o', '-k', '-c']) {
    lit(`    - "${f}"\n    - "`);
    pod(f === '-m' ? 'REDIRECT' : '15001,15006,8080');
    lit('"\n');
  }
  lit('    - "--log_output_level=');
  pod('default:info');
  lit('"\n  containers:\n  - name: istio-proxy\n    image: "docker.io/istio/proxyv2:1.29.0"\n    args:\n    - proxy\n    - sidecar\n');
  lit('    - --proxyLogLevel=');
  pod('warning');
  lit('\n    - --proxyComponentLogLevel=');
  pod('misc:error');
  lit('\n    env:\n');
  for (let i = 0; i < 200; i++)
    lit(`    - name: ISTIO_META_SETTING_${i}\n      valueFrom:\n        fieldRef:\n          fieldPath: metadata.annotations['a${i}']\n`);
  lit('    - name: PROXY_CONFIG\n      value: |\n             ');
  pod(JSON.stringify({ concurrency: 2, tracing: { zipkin: { address: 'zipkin.istio-system:9411' } }, proxyMetadata: { A: 'b' } }), true);
  lit('\n    - name: ISTIO_META_POD_PORTS\n      value: |-\n        [\n');
  for (let i = 0; i < 10; i++) {
    lit(i === 0 ? '            ' : '            ,');
    pod(JSON.stringify({ name: `http-${i}`, containerPort: 8000 + i, protocol: 'TCP' }), true);
    lit('\n');
  }
  lit('        ]\n');
  for (let i = 0; i < 7; i++) {
    lit('    - name: ');
    pod(`META_KEY_${i}`);
    lit('\n      value: "');
    pod(`value-${i}`);
    lit('"\n');
  }
  lit('    readinessProbe:\n      initialDelaySeconds: ');
  pod('1');
  lit('\n      periodSeconds: 2\n    volumeMounts:\n    - name: "user-mount"\n      ');
  pod(jsyaml.dump({ mountPath: '/etc/user', readOnly: true }, { noArrayIndent: true }).split('\n').join('\n      '), true);
  lit('\n  volumes:\n  - name: istio-envoy\n    emptyDir:\n      medium: Memory\n');
  return { text, spans };
}

/**
 * CPU µs per call (user + system: a loaded machine steals wall time, less CPU time), the fastest of 15
 * rounds of 200 calls.
 */
function microseconds(fn: () => unknown): number {
  for (let i = 0; i < 300; i++) fn();
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 15; r++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < 200; i++) fn();
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / 200);
  }
  return best;
}

const { text, spans } = istioLikeRender();
if (process.env.DUMP_RENDER) writeFileSync(process.env.DUMP_RENDER, text); // to look at, or to measure elsewhere
const parsed = parseWithNodes(text);
if (findViolation(text, spans, parsed)) throw new Error('the bench render should pass the check');
console.log(`render: ${text.length} characters, ${spans.length} spans, ${parsed.nodes.length} YAML nodes; CPU µs, fastest of 15 rounds`);
const load = microseconds(() => jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA }));
const ranged = microseconds(() => parseWithNodes(text));
const check = microseconds(() => findViolation(text, spans, parsed));
const whole = microseconds(() => loadRenderedYaml('sidecar', text, spans));
console.log('| step | CPU µs |\n|---|---|');
console.log(`| js-yaml load alone (engine.ts today) | ${load.toFixed(0)} |`);
console.log(`| js-yaml load with node ranges (listener) | ${ranged.toFixed(0)} |`);
console.log(`| span checks alone, on that parse | ${check.toFixed(0)} |`);
console.log(`| loadRenderedYaml: parse + check | ${whole.toFixed(0)} |`);
