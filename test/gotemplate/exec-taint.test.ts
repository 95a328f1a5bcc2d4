// Values a pod author controls (Tainted) are tracked through execution: wherever one is printed, the
// result names its span, and says whether a serializer made the text (structured) or not.
import assert from 'node:assert/strict';
import { compileGoTemplates } from '../../src/core/gotemplate/index.ts';
import { type GoFunction, type GoValue, Tainted } from '../../src/core/gotemplate/value.ts';

const upper: GoFunction = { params: ['string'], call: (s) => (s as string).toUpperCase() };
// serializes what it is given, looking through Tainted values held inside, as the real toJSON does
const toJSON: GoFunction = { params: ['any'], taint: 'serializes', call: (v) => JSON.stringify(v, (_k, x) => (x instanceof Tainted ? x.value : x)) };
const indent: GoFunction = { params: ['int', 'string'], taint: 'preserves', call: (n, s) => ' '.repeat(Number(n)) + (s as string) };
const FUNCTIONS = { upper, toJSON, indent };

function run(text: string, data: GoValue) {
  const result = compileGoTemplates('t', text, FUNCTIONS).execute('t', data);
  return { text: result.text, spans: result.tainted.map((s) => ({ text: result.text.slice(s.start, s.end), structured: s.structured })) };
}

describe('Go template executor: pod-controlled values are tracked to where they are printed', () => {
  const pod = new Tainted({ name: 'evil: {x}', annotations: { a: 'v1', b: 'v2' }, ports: ['80', '443'], empty: '' });

  it('marks a printed field of a tainted value, and nothing else', () => {
    assert.deepEqual(run('name: {{.Pod.name}} ns: {{.Ns}}', { Pod: pod, Ns: 'default' }), {
      text: 'name: evil: {x} ns: default',
      spans: [{ text: 'evil: {x}', structured: false }],
    });
  });

  it('marks what a function makes from a tainted argument, the whole printf result included', () => {
    const out = run('{{upper .Pod.name}}|{{printf "%s-suffix" .Pod.annotations.a}}|{{.Pod.annotations | print}}', { Pod: pod });
    assert.deepEqual(out.spans, [
      { text: 'EVIL: {X}', structured: false },
      { text: 'v1-suffix', structured: false },
      { text: 'map[a:v1 b:v2]', structured: false },
    ]);
  });

  it('says structured for a serializer and for what keeps its text (indent), not for plain values', () => {
    const out = run('{{toJSON .Pod.annotations | indent 2}}/{{.Pod.name | indent 1}}', { Pod: pod });
    assert.deepEqual(out.spans, [
      { text: '  {"a":"v1","b":"v2"}', structured: true },
      { text: ' evil: {x}', structured: false },
    ]);
    const data = compileGoTemplates('t', '{{toJSON .Pod.annotations}}', FUNCTIONS).execute('t', { Pod: pod }).tainted[0]?.data;
    assert.deepEqual(data, { a: 'v1', b: 'v2' });
  });

  it('marks each element of a tainted list a range prints, and a tainted value nested in printed data', () => {
    assert.deepEqual(run('{{range .Pod.ports}}[{{.}}]{{end}}', { Pod: pod }).spans, [
      { text: '80', structured: false },
      { text: '443', structured: false },
    ]);
    assert.deepEqual(run('{{.List}}', { List: ['safe', new Tainted('bad')] }).spans, [{ text: '[safe bad]', structured: false }]);
  });

  it('marks what a function makes from data that holds a tainted value deeper inside', () => {
    const meta = { labels: { app: 'web' }, annotations: { note: new Tainted('}{ injected') } };
    const out = run('{{toJSON .Meta}}|{{toJSON .Meta.labels}}', { Meta: meta });
    assert.deepEqual(out.spans, [{ text: '{"labels":{"app":"web"},"annotations":{"note":"}{ injected"}}', structured: true }]);
    const span = compileGoTemplates('t', '{{toJSON .Meta}}', FUNCTIONS).execute('t', { Meta: meta }).tainted[0];
    assert.deepEqual(span?.data, { labels: { app: 'web' }, annotations: { note: '}{ injected' } });
  });

  it('decides with the value itself: truth, comparison and len see through the mark and print unmarked', () => {
    const out = run(
      '{{if eq .Pod.name "evil: {x}"}}match{{end}} {{len .Pod.ports}} {{if .Pod.empty}}x{{else}}empty{{end}} {{or .Pod.empty .Pod.name}}',
      {
        Pod: pod,
      },
    );
    assert.equal(out.text, 'match 2 empty evil: {x}');
    assert.deepEqual(out.spans, [{ text: 'evil: {x}', structured: false }]);
  });
});
