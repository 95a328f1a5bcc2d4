// Errors the data model raises from field(): Go's nil-pointer message at the node (Go places a field
// chain at its second field), a failing niladic method as Go's "error calling".
import assert from 'node:assert/strict';
import { compileGoTemplates } from '../../src/core/gotemplate/index.ts';
import { type GoValue, GoTyped } from '../../src/core/gotemplate/value.ts';

class Throwing extends GoTyped {
  goType(): string {
    return '*v1.Thing';
  }
  kind(): ReturnType<GoTyped['kind']> {
    return 'ptr';
  }
  override field(name: string): { value: GoValue } | undefined {
    if (name === 'Name') throw new Error('nil pointer evaluating *v1.Thing.Name');
    if (name === 'Render') throw new Error('cannot render');
    return undefined;
  }
  toJSONValue(): unknown {
    return null;
  }
}

describe('Go template executor: errors from typed data', () => {
  const run = (text: string) => () => compileGoTemplates('inject', text, {}).execute('inject', { Thing: new Throwing() });
  it('reports a nil pointer field as Go does, naming template, line, column and node', () => {
    assert.throws(run('x\n  {{ .Thing.Name }}'), {
      code: 'TEMPLATE_RENDER',
      message: 'template: inject:2:11: executing "inject" at <.Thing.Name>: nil pointer evaluating *v1.Thing.Name',
    });
  });
  it('reports a failing method as a failed call', () => {
    assert.throws(run('{{ .Thing.Render }}'), {
      code: 'TEMPLATE_RENDER',
      message: 'template: inject:1:9: executing "inject" at <.Thing.Render>: error calling Render: cannot render',
    });
  });
});
