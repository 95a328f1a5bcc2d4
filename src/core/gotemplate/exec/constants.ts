// Number, string and bool constants as Go's exec gives them to a command or a parameter: idealConstant
// when nothing decides the type, evalBool/evalInteger/evalFloat/... when the parameter does.
import type { ArgNode, NumberNode } from '../ast.ts';
import type { GoValue } from '../value.ts';
import type { ParamType } from './call.ts';
import { nodeString } from './nodes.ts';
import type { ExecState } from './state.ts';
import { GoComplex, GoUint } from './values.ts';

/** idealConstant: a number whose type no parameter decides: complex, float if written as one, else int. */
export function idealConstant(s: ExecState, n: NumberNode): GoValue {
  s.node = n;
  if (n.complex !== undefined) return new GoComplex(n.complex.re, n.complex.im);
  const hexInt = /^0[xX]/.test(n.text) && !/[pP]/.test(n.text);
  if (n.float !== undefined && !hexInt && !n.text.startsWith("'") && /[.eEpP]/.test(n.text)) return n.float;
  if (n.int !== undefined) return n.int;
  if (n.uint !== undefined) s.errorf(`${n.text} overflows int`);
  return undefined;
}

/** A literal for a parameter of type p (evalBool, evalInteger, ... evalEmptyInterface). */
export function literalArg(s: ExecState, n: ArgNode, p: ParamType): GoValue {
  s.node = n;
  s.argIface = false;
  switch (p.kind) {
    case 'any':
    case 'value':
      if (n.kind === 'bool') return n.value;
      if (n.kind === 'string') return n.text;
      if (n.kind === 'number') return idealConstant(s, n);
      return s.errorf(`can't handle assignment of ${nodeString(n)} to empty interface argument`);
    case 'bool':
      return n.kind === 'bool' ? n.value : s.errorf(`expected bool; found ${nodeString(n)}`);
    case 'string':
      return n.kind === 'string' ? n.text : s.errorf(`expected string; found ${nodeString(n)}`);
    case 'int':
      return n.kind === 'number' && n.int !== undefined ? n.int : s.errorf(`expected integer; found ${nodeString(n)}`);
    case 'uint':
      return n.kind === 'number' && n.uint !== undefined ? new GoUint(p.name, n.uint) : s.errorf(`expected unsigned integer; found ${nodeString(n)}`);
    case 'float':
      return n.kind === 'number' && n.float !== undefined ? n.float : s.errorf(`expected float; found ${nodeString(n)}`);
    case 'complex':
      return n.kind === 'number' && n.complex !== undefined
        ? new GoComplex(n.complex.re, n.complex.im)
        : s.errorf(`expected complex; found ${nodeString(n)}`);
  }
  return s.errorf(`can't handle ${nodeString(n)} for arg of type ${p.name}`);
}
