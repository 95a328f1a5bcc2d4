// The function map istiod gives its injection templates: sprig's TxtFuncMap with Istio's
// createInjectionFuncmap laid over it. Left out (a template naming one fails to parse, as in Go with an
// unknown function): clock, random, OS and network functions (now, date*, ago, toDate, unixEpoch,
// rand*, uuidv4, shuffle, env and expandenv of sprig, getHostByName), crypto (bcrypt, htpasswd, gen*,
// derivePassword, encryptAES, decryptAES), and functions not ported yet: semver (a typed *Version),
// duration, durationRound (int vs int64), urlParse, urlJoin. So every function here is deterministic, which
// exec/call.ts relies on: a call is not made again while its constant arguments stay the same.
import type { GoFunction } from '../value.ts';
import { decimalFunctions } from './decimal.ts';
import { encodingFunctions } from './encoding.ts';
import { generalFunctions } from './general.ts';
import { istioFunctions } from './istio.ts';
import { listFunctions } from './lists.ts';
import { mergeFunctions } from './merge.ts';
import { miscFunctions } from './misc.ts';
import { regexFunctions } from './re2-vm.ts';
import { semverFunctions } from './semver.ts';
import { stringFunctions } from './strings.ts';
import { xstringsFunctions } from './xstrings.ts';
import { preserves, serializes } from './typed.ts';

export type { ProtoMessage } from './istio.ts';

/** sprig.TxtFuncMap() as far as implemented; no clock, random, OS or network functions. */
export function sprigFunctions(): Record<string, GoFunction> {
  return {
    ...stringFunctions,
    ...listFunctions,
    ...generalFunctions,
    ...regexFunctions,
    ...miscFunctions,
    ...encodingFunctions,
    ...semverFunctions,
    ...decimalFunctions,
    ...mergeFunctions,
    ...xstringsFunctions,
  };
}

/** Functions whose text is an encoding of their argument: a pod's value inside parses back from it. */
const SERIALIZERS = [
  'toJson',
  'mustToJson',
  'toPrettyJson',
  'mustToPrettyJson',
  'toRawJson',
  'mustToRawJson',
  'toJSON',
  'structToJSON',
  'protoToJSON',
  'toYaml',
  'toJsonMap',
  // a quoted scalar of the value: only a quoting function may write one (safety/raw.ts), and it must
  // load as the value it quotes (safety/structured.ts)
  'quote',
  'squote',
];
/** Functions that lay text out without changing what it encodes. */
const LAYOUT = ['indent', 'nindent', 'trim', 'toString'];

/** What istiod's parseDryTemplate installs: sprig's functions, then Istio's over them. `env` is istiod's environment. */
export function istioTemplateFunctions(env: (name: string) => string | undefined): Record<string, GoFunction> {
  const all = { ...sprigFunctions(), ...istioFunctions(env) };
  for (const name of SERIALIZERS) all[name] = serializes(all[name]!);
  for (const name of LAYOUT) all[name] = preserves(all[name]!);
  return all;
}
