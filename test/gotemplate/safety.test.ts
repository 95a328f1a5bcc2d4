// The checker of pod values printed by Go templates (src/core/gotemplate/safety): renders built by hand
// with the spans the executor records, both what Istio's templates legitimately print and attacks.
import assert from 'node:assert/strict';
import { isInjectionError } from '../../src/core/errors.ts';
import { checkTaintedSpans, loadRenderedYaml } from '../../src/core/gotemplate/safety/index.ts';
import { type Printed, quote, raw, render, toJSON, toYamlIndent, toYamlNindent } from './safety-render.ts';

function reasonFor(template: string, printed: Printed[]): string | undefined {
  const { text, spans } = render(template, printed);
  return checkTaintedSpans(text, spans)?.reason;
}
function accepted(template: string, printed: Printed[]): unknown {
  const { text, spans } = render(template, printed);
  const v = checkTaintedSpans(text, spans);
  assert.equal(v, undefined, `refused ${JSON.stringify(text)}: ${v?.reason}`);
  return loadRenderedYaml('t', text, spans);
}
function refused(template: string, printed: Printed[], reason: RegExp): void {
  const r = reasonFor(template, printed);
  assert.ok(r !== undefined, `accepted ${JSON.stringify(render(template, printed).text)}`);
  assert.match(r, reason);
}
const STRUCTURE = /not inside one YAML scalar|writes a YAML key|makes the rendered YAML invalid/;
const INVALID = /makes the rendered YAML invalid/;

describe('Go template safety: what Istio templates print is accepted, as the data it is', () => {
  it('a name as a whole unquoted value, and names inside quotes', () => {
    assert.deepEqual(accepted('spec:\n  name: ⟦0⟧\n  x: 1\n', [raw('reviews-v1')]), { spec: { name: 'reviews-v1', x: 1 } });
    assert.deepEqual(accepted('a:\n- "⟦0⟧.⟦1⟧"\n- b\n', [raw('reviews'), raw('shop')]), { a: ['reviews.shop', 'b'] });
    assert.deepEqual(accepted('args:\n- "--concurrency=⟦0⟧"\n- --proxyLogLevel=⟦1⟧\n', [raw('2'), raw('warning,misc:error')]), {
      args: ['--concurrency=2', '--proxyLogLevel=warning,misc:error'],
    });
  });

  it('toJSON in a value position and toYaml | nindent / indent as pairs of a mapping', () => {
    const annotations = { 'a.io/x': 'y: z', '#c': '"q"' };
    assert.deepEqual(accepted('m:\n  annotations: ⟦0⟧\n  k: 1\n', [toJSON(annotations)]), { m: { annotations, k: 1 } });
    const labels = { app: 'yes', 'b: c': 'x\ny', n: '1' };
    assert.deepEqual(accepted('m:\n  labels:⟦0⟧\n  k: 1\n', [toYamlNindent(labels, 4)]), { m: { labels, k: 1 } });
    const mount = { mountPath: '/x', readOnly: true, sub: { a: [1] } };
    assert.deepEqual(accepted('s:\n  - name: "⟦0⟧"\n    ⟦1⟧\n  - name: b\n', [raw('v'), toYamlIndent(mount, 4)]), {
      s: [{ name: 'v', ...mount }, { name: 'b' }],
    });
  });

  it('JSON inside a block scalar (PROXY_CONFIG, ISTIO_META_POD_PORTS) is text of that string', () => {
    const data = accepted('env:\n- name: P\n  value: |-\n    [\n    ⟦0⟧\n    ]\n- name: Q\n', [toJSON({ containerPort: 80, name: 'a: "b"' })]);
    assert.deepEqual(JSON.parse((data as { env: Array<{ value: string }> }).env[0]!.value), [{ containerPort: 80, name: 'a: "b"' }]);
  });

  it('`quote` of a value writes one string, whatever it holds', () => {
    assert.deepEqual(accepted('r:\n  cpu: ⟦0⟧\n  memory: "1"\n', [quote('1\n"evil": x\\')]), {
      r: { cpu: '1\n"evil": x\\', memory: '1' },
    });
  });

  it("single quotes with '' inside, escapes inside double quotes, an integer field, CRLF and tabs", () => {
    assert.deepEqual(accepted('a: {q: \'⟦0⟧\', m: "⟦1⟧"}\n', [raw("it''s"), raw('\\x41\\t#')]), { a: { q: "it's", m: 'A\t#' } });
    // escapes whole inside the value: an escaped backslash may end it, an escaped quote sit in it
    assert.deepEqual(accepted('a: {q: "⟦0⟧", m: "⟦1⟧"}\n', [raw('x\\\\'), raw('\\\\\\"')]), { a: { q: 'x\\', m: '\\"' } });
    assert.deepEqual(accepted('p:\n  initialDelaySeconds: ⟦0⟧\n', [raw('10')]), { p: { initialDelaySeconds: 10 } });
    assert.deepEqual(accepted('x: "a"\r\nw: ⟦0⟧\r\nz: 1\r\n', [raw('b\tc')]), { x: 'a', w: 'b\tc', z: 1 });
  });

  it('a value in a plain scalar the template spreads over lines is part of that one string', () => {
    assert.deepEqual(accepted('x: first\n  ⟦0⟧ more\nw: 1\n', [raw('a-b')]), { x: 'first a-b more', w: 1 });
  });

  it("as istiod's YAML 1.1 reads it: blanks and a trailing comment dropped, 010 octal, null no value, quoted breaks folded", () => {
    assert.deepEqual(accepted('x:\n- --level=⟦0⟧\n- --b=⟦1⟧\n', [raw('info \t'), raw('debug #x')]), { x: ['--level=info', '--b=debug'] });
    assert.deepEqual(accepted('s:\n  name: ⟦0⟧\n  w: ⟦1⟧\n', [raw(' cm '), raw('#c')]), { s: { name: 'cm', w: null } });
    assert.deepEqual(accepted('p:\n  initialDelaySeconds: ⟦0⟧\n  periodSeconds: ⟦1⟧\n', [raw('010'), raw('09')]), {
      p: { initialDelaySeconds: 8, periodSeconds: 9 },
    });
    assert.deepEqual(accepted('s:\n  name: ⟦0⟧\n', [raw('Null')]), { s: { name: null } });
    assert.deepEqual(accepted('e:\n  value: "⟦0⟧"\n', [raw('a\\tb \n\n  c')]), { e: { value: 'a\tb\nc' } });
    assert.deepEqual(accepted('e:\n- --x=⟦0⟧\n', [raw('a\n    b')]), { e: ['--x=a b'] });
  });

  it('spans at the edges of the text, an empty value, and several documents', () => {
    assert.deepEqual(accepted('⟦0⟧', [toJSON({ metadata: {} })]), { metadata: {} });
    assert.deepEqual(accepted('a: ⟦0⟧', [raw('end')]), { a: 'end' });
    assert.deepEqual(accepted('a: x⟦0⟧\n', [raw('')]), { a: 'x' });
    const { text, spans } = render('a: "⟦0⟧"\n---\nb: ⟦1⟧\n', [raw('x'), raw('- y')]);
    assert.match(checkTaintedSpans(text, spans)?.reason ?? '', INVALID);
  });
});

describe('Go template safety: a pod value that would add or change structure is refused', () => {
  it('a line break and a key, unquoted or in a block scalar', () => {
    refused('spec:\n  name: ⟦0⟧\n  x: 1\n', [raw('a\n  evil: x')], STRUCTURE);
    refused('spec:\n  name: x⟦0⟧\n', [raw('\n  evil: x')], STRUCTURE);
    refused('c:\n  x: |\n    ⟦0⟧\n  y: 1\n', [raw('a\nevil: 1')], /YAML/);
    refused('c:\n  x: |\n    ⟦0⟧\n  y: 1\n', [raw('  a')], /sets the indentation of the block scalar/);
    refused('x: "a"\r\ny: ⟦0⟧\r\nz: 1\r\n', [raw('b\r\nevil: 1')], STRUCTURE);
    refused('x: ⟦0⟧\n', [raw('a\u2028b')], /line break/);
    refused('x: |\n  ⟦0⟧\n', [raw('a\u0085evil: 1')], /ends the block scalar/); // NEL: a line break to istiod
  });

  it('a quote that ends the quoted value, or a backslash that escapes its closing quote', () => {
    refused('m:\n  a: {x: "⟦0⟧", y: "⟦1⟧"}\n', [raw('\\'), raw(', evil: 1, z: "')], /cuts a backslash escape/);
    refused('m:\n  a: {x: "⟦0⟧", y: "z"}\n', [raw('a", evil: "1')], /ends the quoted value/);
    refused("x: {a: 'a⟦0⟧'}\n", [raw("', evil: 'b")], /ends the quoted value/);
    refused("x: {a: 'x⟦0⟧', b: 'y'}\n", [raw("'")], /cuts a ''|invalid/);
    refused('x: "⟦0⟧1"\n', [raw('\\x4')], /cuts a backslash escape/);
    refused('x:\n- "⟦0⟧"\n', [raw('a"')], INVALID);
    refused('x: {a: "⟦0⟧", b: "y"}\n', [raw('\\\\\\')], /cuts a backslash escape|invalid/); // three: the last escapes the quote
    refused('x: "\\⟦0⟧"\n', [raw('x41')], /cuts a backslash escape/); // the template's backslash, the value's hex
    refused("x: {a: 'x⟦0⟧', b: '⟦1⟧'}\n", [raw("'"), raw(", evil: 1, z: '")], /cuts a ''/); // valid YAML, with evil
    refused('x: "⟦0⟧"\n', [raw('a\\/b')], /escape \\\/, which YAML 1.1 does not have/);
    refused('x: ⟦0⟧\n', [raw('"a\\/b"')], /writes the quotes of the scalar|escape \\\//);
  });

  it('a raw value that writes its own quotes, or a quoting function whose output loads as another string', () => {
    // grpc-simple's `- name: {{ $container.Name }}`: the name would load as `, evil: `, a container the pod does not have
    refused('c:\n- name: ⟦0⟧\n  env: []\n', [raw("', evil: '")], /writes the quotes of the scalar it is printed as/);
    refused('c:\n- name: ⟦0⟧\n', [raw('"x"')], /writes the quotes of the scalar it is printed as/);
    // sprig squote does not double a quote inside: 'a''b' loads as a'b
    refused('c:\n- name: ⟦0⟧\n', [{ text: "'a''b'", structured: true, data: "a''b" }], /loads as another string than the value it quotes/);
    assert.deepEqual(accepted('c:\n- name: ⟦0⟧\n', [quote("', evil: '")]), { c: [{ name: "', evil: '" }] });
  });

  it('flow collections, comments, documents, anchors, aliases, tags, indicators', () => {
    refused('x: ⟦0⟧\n', [raw('{a: b}')], STRUCTURE);
    refused('x:\n- a⟦0⟧\n', [raw('{a: b}')], STRUCTURE);
    refused('x: {k: ⟦0⟧}\n', [raw('a, evil: b')], STRUCTURE);
    refused('x: [⟦0⟧, b]\n', [raw('a #')], /hides the template's text|invalid/);
    refused('x: ⟦0⟧x\nw: 1\n', [raw('a #')], /hides the template's text/);
    refused('x: a⟦0⟧b\nw: 1\n', [raw('\n- ')], STRUCTURE);
    refused('x: ⟦0⟧\n', [raw('a\n---\nevil: 1')], STRUCTURE);
    refused('x: |\n  ⟦0⟧\n', [raw('a\n---\nevil: 1')], /YAML|ends the block scalar/);
    refused('x: ⟦0⟧\n', [raw('&anchor a')], /anchor or tag/);
    refused('a: &x 1\nname: ⟦0⟧\n', [raw('*x')], STRUCTURE);
    refused('x: ⟦0⟧\n', [raw('!!str a')], /anchor or tag/);
    refused('x:\n- ⟦0⟧\n', [raw('- a')], STRUCTURE);
    refused('x:\n- ⟦0⟧\n', [raw('? a')], STRUCTURE);
    refused('x:\n- --flag=⟦0⟧\n', [raw('a: b')], STRUCTURE);
    refused('- name: ⟦0⟧\n  value: "1"\n', [raw('>')], /header of a block scalar/);
    refused('x: ⟦0⟧\n', [raw('<<')], /merge key/);
  });

  it('an unquoted whole value that is not a string (YAML 1.2 here, or 1.1 as istiod reads it)', () => {
    const container = (v: string) => render('spec:\n  containers:\n  - name: app\n    image: ⟦0⟧\n', [raw(v, '{{.x}}', 'annotation a/b')]);
    for (const v of ['true', '10', '1.5', 'yes', 'off', 'Off', 'y', '010', '1_000', '0b1', '0x1F', '.inf', '.NaN']) {
      const { text, spans } = container(v);
      assert.throws(
        () => loadRenderedYaml('t', text, spans),
        (e: unknown) =>
          isInjectionError(e) &&
          e.code === 'TEMPLATE_RENDER' &&
          e.message.startsWith('annotation a/b is not valid where injection template "t" prints it'),
        v,
      );
    }
    for (const v of ['yes', 'n', 'ON', 'tRUE', '1.2.3', '0x', '08', '2001-12-14', '1e400', '.5.']) {
      const { text, spans } = render('spec:\n  containers:\n  - name: app\n    args:\n    - --x=⟦0⟧\n    - ⟦0⟧x\n', [raw(v), raw(v)]);
      const args = (loadRenderedYaml('t', text, spans) as { spec: { containers: Array<{ args: string[] }> } }).spec.containers[0]!.args;
      assert.deepEqual(args, [`--x=${v}`, `${v}x`], v);
    }
  });

  it('a null where it would add or delete structure: a list item, a map value, a merge key', () => {
    refused('x:\n- ⟦0⟧\n- b\n', [raw('~')], /null list item/);
    refused('metadata:\n  labels:\n    a: ⟦0⟧\n', [raw('null')], /deletes that key/);
    refused('spec:\n  containers:\n  - name: ⟦0⟧\n    image: x\n', [raw('null')], /add an item rather than merge/);
    refused('spec:\n  containers:\n  - name: ⟦0⟧\n    image: x\n', [raw('#x')], /add an item rather than merge/);
  });

  it('serializer output that is cut, spans collections, or lands inside a quoted value', () => {
    refused('m:\n  a: "⟦0⟧"\n', [toJSON({ a: 'b' })], /./);
    refused('m:\n  labels:\n⟦0⟧\n', [toYamlIndent({ a: 1, b: 2 }, 4)], /./);
    refused('m:\n  a: ⟦0⟧\n', [{ text: '{"a": 1} # x', structured: true }], /ends with something other/);
    refused('m:\n  a:\n  - x\n  ⟦0⟧\n', [{ text: '- y\nz: 1', structured: true }], /./);
  });

  it('nested and overlapping spans are each checked', () => {
    const { text } = render('m:\n  a: ⟦0⟧\n', [toJSON({ k: 'v: w' })]);
    const inner = text.indexOf('v: w');
    const v = checkTaintedSpans(text, [
      { start: text.indexOf('{'), end: text.lastIndexOf('}') + 1, structured: true },
      { start: inner, end: inner + 4, structured: false },
    ]);
    assert.equal(v, undefined); // the raw text is inside the JSON string
    const bad = checkTaintedSpans(text, [
      { start: text.indexOf('{'), end: text.lastIndexOf('}') + 1, structured: true },
      { start: inner - 1, end: inner + 4, structured: false },
    ]);
    assert.match(bad?.reason ?? '', /writes quotes that do not close where it ends/);
  });
});

describe('Go template safety: the refusal', () => {
  it('is TEMPLATE_UNSAFE_VALUE naming the template, the pod value and where it landed', () => {
    const { text, spans } = render('spec:\n  containers:\n  - image: ⟦0⟧\n', [raw('x\n    evil: 1', 'annotation sidecar.istio.io/proxyImage')]);
    assert.throws(
      () => loadRenderedYaml('sidecar', text, spans),
      (e: unknown) =>
        isInjectionError(e) &&
        e.code === 'TEMPLATE_UNSAFE_VALUE' &&
        e.subject === 'annotation sidecar.istio.io/proxyImage' &&
        /template "sidecar" printed annotation sidecar\.istio\.io\/proxyImage \("x\\n {4}evil: 1"\) where it .* \(rendered line 3, column 12\)/.test(
          e.message,
        ),
    );
  });

  it('YAML broken after a pod value blames the value; YAML the template broke itself is TEMPLATE_NOT_POD', () => {
    const bad = render('x: "⟦0⟧"\nw: 1\n', [raw('a"b', '{{.x}}', 'label app')]);
    assert.throws(
      () => loadRenderedYaml('t', bad.text, bad.spans),
      (e: unknown) =>
        isInjectionError(e) && e.code === 'TEMPLATE_RENDER' && e.subject === 'label app' && /^label app is not valid where/.test(e.message),
    );
    assert.throws(
      () => loadRenderedYaml('t', 'x: [\n', []),
      (e: unknown) => isInjectionError(e) && e.code === 'TEMPLATE_NOT_POD' && /"t" rendered invalid YAML at rendered line/.test(e.message),
    );
    assert.throws(
      () => loadRenderedYaml('t', 'a: 1\n---\nb: 2\n', []),
      (e: unknown) => isInjectionError(e) && e.code === 'TEMPLATE_NOT_POD' && /2 YAML documents/.test(e.message),
    );
  });

  it('a render with more aliases than the cap is LIMIT_EXCEEDED', () => {
    const text = `a: &a [1]\nb: [${Array(101).fill('*a').join(', ')}]\n`;
    assert.throws(
      () => loadRenderedYaml('t', text, []),
      (e: unknown) => isInjectionError(e) && e.code === 'LIMIT_EXCEEDED',
    );
  });
});
