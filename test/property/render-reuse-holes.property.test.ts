// A render not reused whole is spliced into a kept one when only printed pod values differ (render/splice.ts,
// gotemplate/safety/holes.ts). Whatever those values are, the result, or the refusal, is the one a
// fresh render gives: values YAML reads as something else (`123`, `yes`, `0x1F`, `~`), quotes, colons,
// `#`, a leading `-` or `.`, empty ones; printed plain, quoted, by quote/squote/toJson/toYaml, twice, in
// a key, beside a key given twice or an alias, after null items of a list; and used where they steer the template (if, eq, default,
// hasPrefix).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isInjectionError } from '../../src/core/errors.ts';
import { preparePod } from '../../src/core/prepare.ts';
import { compileTemplates } from '../../src/core/render/engine.ts';
import type { Pod } from '../../src/core/types.ts';
import { defaultSettings } from '../helpers/settings.ts';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 60);
const APP = '.ObjectMeta.Labels.app';
const TIER = '.ObjectMeta.Labels.tier';
const CPU = '.ObjectMeta.Labels.cpu';
const NOTE = '.ObjectMeta.Labels.note';

const HOLES = `metadata:
  labels:
    plain: {{ ${APP} }}
    quoted: "{{ ${APP} }}"
    squoted: '{{ ${TIER} }}'
    q: {{ ${APP} | quote }}
    sq: {{ ${TIER} | squote }}
    concat: pre-{{ ${APP} }}.{{ ${TIER} }}
    suffixed: {{ ${TIER} }}x
    {{- if eq ${APP} "yes" }}
    isyes: "true"
    {{- end }}
    {{- if hasPrefix "a" ${TIER} }}
    a: "1"
    {{- end }}
    dflt: {{ .ObjectMeta.Labels.missing | default ${TIER} | quote }}
  annotations:
    json: {{ toJson ${APP} }}
    yaml: {{ toYaml ${NOTE} }}
    dup: fixed
    dup: {{ ${APP} }}
    twice: {{ ${NOTE} }}
    twice: fixed
spec:
  flow: { k: {{ ${APP} }}, j: "{{ ${TIER} }}", l: [{{ ${TIER} }}] }
  containers:
  - name: sidecar
    image: "img:{{ ${TIER} }}"
    args:
    - {{ ${APP} }}
    - --x={{ ${TIER} }}
    resources:
      requests:
        cpu: {{ ${CPU} }}
    env:
    - name: A
      value: {{ ${APP} }}
`;
// aliases: the anchored value, or the mapping holding it, lands twice
const ALIASED = `metadata:
  labels:
    one: &v {{ ${NOTE} }}
    two: *v
    three: "{{ ${TIER} }}"
  annotations: &m
    four: "{{ ${APP} }}"
spec:
  nodeSelector: *m
`;
// a key __proto__ on the way to a value: data, not a prototype
const PROTO_KEY = `spec:
  __proto__:
    p: "{{ ${APP} }}"
`;
// a mapping given twice: the first is dropped whole
const SHADOWED = `metadata:
  labels:
    a: "{{ ${APP} }}"
  labels:
    b: "{{ ${TIER} }}"
`;

// null items before a value in a list: dropped from the pod fragment, so the value's index there is smaller
const NULL_ITEMS = `spec:
  containers:
  - name: c
    ports: [{ containerPort: 80 }]
    args:
    -
    - ~
    - "{{ ${APP} }}"
    - null
    - --t={{ ${TIER} }}
`;

const tricky = fc.constantFrom(
  ...['app1', 'app22', 'a', 'a.b-c_d/e', '100m', '2', '123', 'yes', 'Yes', 'no', 'on', '0x1F', '0o17', '1e3', '.5', '.', '1_0', '~', 'null'],
  ...['', '-a', '.a', '-', 'a b', 'a: b', 'a #b', '#', 'a"b', "a'b", 'a\\b', '"q"', 'a,b', '[x]', '{x}', '*a', '&a', '!a', '2026-12-01', 'é'],
);
const value = fc.oneof(
  { arbitrary: fc.stringMatching(/^[a-z][a-z0-9.-]{0,10}$/), weight: 4 },
  { arbitrary: tricky, weight: 2 },
  { arbitrary: fc.stringMatching(/^[A-Za-z0-9._/-]{1,12}$/), weight: 2 },
  { arbitrary: fc.string({ maxLength: 6 }), weight: 1 },
);

// quantities, and not: the value in a quantity field is checked as Go checks it
const quantity = fc.constantFrom('100m', '200m', '2', '1e3', '1.5Gi', '0x1F', 'lots', '-1', '.5', '.inf', 'm100');
// mostly one value: a pod whose note differs does not splice (toYaml's text is not a hole, nor an overridden value)
const note = fc.oneof({ arbitrary: fc.constant('x'), weight: 5 }, value);

function podOf(app: string, tier: string, cpu = '100m', note = 'x'): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { generateName: 'web-', labels: { app, tier, cpu, note } },
    spec: { containers: [{ name: 'web', image: 'w' }] },
  };
}

describe('render reuse: a render spliced into a kept one is the render', function () {
  this.timeout(120_000);
  const settings = defaultSettings({ native: 'false' });
  const sources = { holes: HOLES, aliased: ALIASED, shadowed: SHADOWED, protoKey: PROTO_KEY, nullItems: NULL_ITEMS };

  it('gives what a fresh render gives, whatever the printed values are', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(value, value, quantity, note), { minLength: 2, maxLength: 10 }), (pods) => {
        const reused = compileTemplates(sources);
        const fresh = compileTemplates(sources, { reuse: false });
        for (const [app, tier, cpu, n] of pods) {
          const ctx = preparePod(podOf(app, tier, cpu, n), 'apps', { settings, namespace: 'apps' }, []).render;
          for (const name of Object.keys(sources)) {
            const outcome = (t: typeof reused) => {
              try {
                return { ok: JSON.parse(JSON.stringify(t.render(name, ctx))) as unknown };
              } catch (e) {
                if (!isInjectionError(e)) throw e;
                return { refused: `${e.code}: ${e.message}` };
              }
            };
            assert.deepEqual(outcome(reused), outcome(fresh), `${name} for ${JSON.stringify({ app, tier, cpu, note: n })}`);
          }
        }
      }),
      { numRuns: RUNS, seed: 7 },
    );
  });

  it('shares what the values do not reach, and gives each pod its own values', () => {
    const reused = compileTemplates(sources);
    const render = (app: string, tier: string) =>
      reused.render('holes', preparePod(podOf(app, tier), 'apps', { settings, namespace: 'apps' }, []).render) as {
        metadata: { labels: Record<string, string> };
        spec: { containers: Array<{ resources: unknown; args: string[] }> };
      };
    const first = render('web', 'front');
    const other = render('shop', 'front');
    assert.deepEqual(other.metadata.labels, { ...first.metadata.labels, plain: 'shop', quoted: 'shop', q: 'shop', concat: 'pre-shop.front' });
    assert.deepEqual(other.spec.containers[0]!.args, ['shop', '--x=front']);
    // the kept render's parts no pod value reaches are shared, not copied (merge.ts shares frozen subtrees)
    assert.ok(Object.isFrozen(first) && !Object.isFrozen(other), 'the kept render is frozen; the copies made for the new values are not');
    assert.equal(other.spec.containers[0]!.resources, first.spec.containers[0]!.resources);
  });

  it('splices a value that follows null items of a list into its place in the pod, where they are gone', () => {
    const reused = compileTemplates(sources);
    const render = (app: string) =>
      reused.render('nullItems', preparePod(podOf(app, 'front'), 'apps', { settings, namespace: 'apps' }, []).render) as {
        spec: { containers: Array<{ ports: unknown; args: string[] }> };
      };
    const first = render('web');
    const other = render('shop');
    assert.deepEqual(other.spec.containers[0]!.args, ['shop', '--t=front']);
    assert.equal(other.spec.containers[0]!.ports, first.spec.containers[0]!.ports, "spliced: the ports no value reaches are the kept render's own");
  });
});
