// Istio's injector ConfigMap as Istio's chart renders it (through the istiod oracle binary of test/oracle),
// for the tests that run Istio's own Go templates.
import { execFileSync } from 'node:child_process';
import { globSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ArgNode, Node, PipeNode } from '../../src/core/gotemplate/index.ts';
import { GO_BUILTIN_FUNCTIONS, parseGoTemplates } from '../../src/core/gotemplate/index.ts';

export const ISTIO_MODULE = '/root/go/pkg/mod/istio.io/istio@v0.0.0-20260827124520-eed52ebb66ad';
export const istiodOracleBinary = globSync(join(homedir(), '.cache/sidecar-injector/oracle/*/oracle'))[0];

export interface IstioConfig {
  templates: Record<string, string>;
  values: unknown;
  mesh: Record<string, unknown>;
}

/** Istio's chart rendered with its defaults: the templates of the `config` key, `values` and `mesh`. */
export function renderIstioConfig(binary: string): IstioConfig {
  const out = mkdtempSync(join(tmpdir(), 'gotpl-istio-'));
  try {
    execFileSync(binary, ['render', '--manifests', join(ISTIO_MODULE, 'manifests'), '--out', out], { timeout: 60_000, stdio: 'pipe' });
    const config = parseYaml(readFileSync(join(out, 'config'), 'utf8')) as { templates: Record<string, string> };
    return {
      templates: config.templates,
      values: JSON.parse(readFileSync(join(out, 'values'), 'utf8')),
      mesh: parseYaml(readFileSync(join(out, 'mesh'), 'utf8')) as Record<string, unknown>,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The functions a template calls beyond Go's builtins. */
export function calledFunctions(name: string, text: string): string[] {
  const found = new Set<string>();
  const walk = (n: Node | PipeNode | ArgNode | undefined): void => {
    if (n === undefined) return;
    switch (n.kind) {
      case 'list':
        for (const c of n.nodes) walk(c);
        return;
      case 'action':
      case 'template':
        walk(n.pipe);
        return;
      case 'if':
      case 'range':
      case 'with':
        walk(n.pipe);
        walk(n.list);
        walk(n.elseList);
        return;
      case 'pipe':
        for (const c of n.cmds) for (const a of c.args) walk(a);
        return;
      case 'chain':
        walk(n.node);
        return;
      case 'identifier':
        if (!GO_BUILTIN_FUNCTIONS.has(n.ident)) found.add(n.ident);
    }
  };
  for (const tree of parseGoTemplates(name, text).values()) walk(tree.root);
  return [...found].sort();
}
