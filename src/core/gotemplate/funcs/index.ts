// The function map istiod gives its injection templates: sprig's TxtFuncMap (the functions implemented
// here; see README's list of those left out) with Istio's createInjectionFuncmap laid over it.
import type { GoFunction } from '../value.ts';
import { encodingFunctions } from './encoding.ts';
import { generalFunctions } from './general.ts';
import { istioFunctions } from './istio.ts';
import { listFunctions } from './lists.ts';
import { miscFunctions } from './misc.ts';
import { regexFunctions } from './re2-vm.ts';
import { stringFunctions } from './strings.ts';

export type { ProtoMessage } from './istio.ts';

/** sprig.TxtFuncMap() as far as implemented; no clock, random, OS or network functions. */
export function sprigFunctions(): Record<string, GoFunction> {
  return { ...stringFunctions, ...listFunctions, ...generalFunctions, ...regexFunctions, ...miscFunctions, ...encodingFunctions };
}

/** What istiod's parseDryTemplate installs: sprig's functions, then Istio's over them. `env` is istiod's environment. */
export function istioTemplateFunctions(env: (name: string) => string | undefined): Record<string, GoFunction> {
  return { ...sprigFunctions(), ...istioFunctions(env) };
}
