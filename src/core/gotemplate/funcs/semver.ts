// sprig's semverCompare: Masterminds/semver v3.5.0's NewConstraint(...).Check(NewVersion(...)), with its
// regular expressions run by our Go regexp engine and its version coercion (CoerceNewVersion is on).
import type { GoFunction } from '../value.ts';
import { goQuote } from './format.ts';
import { goRegexp } from './re2-vm.ts';
import { goFunc, strArg } from './typed.ts';

interface Version {
  major: bigint;
  minor: bigint;
  patch: bigint;
  pre: string;
}

const CV = String.raw`v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?`;
const OPS = String.raw`=||!=|>|<|>=|=>|<=|=<|~|~>|\^`;
const LOOSE = goRegexp(String.raw`^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$`);
const CONSTRAINT = goRegexp(String.raw`^\s*(${OPS})\s*(${CV})\s*$`);
const RANGE = goRegexp(String.raw`\s*(${CV})\s+-\s+(${CV})\s*`);
const FIND = goRegexp(String.raw`(${OPS})\s*(${CV})`);
const VALID = goRegexp(String.raw`^(\s*(${OPS})\s*(${CV})\s*)((?:\s+|,\s*)(${OPS})\s*(${CV})\s*)*$`);
const ALLOWED = /^[0-9A-Za-z-]*$/;
const UINT64_MAX = 2n ** 64n - 1n;

function parseUint(s: string): bigint {
  if (!/^[0-9]+$/.test(s) || BigInt(s) > UINT64_MAX)
    throw new Error(
      `error parsing version segment: strconv.ParseUint: parsing ${goQuote(s)}: ${/^[0-9]+$/.test(s) ? 'value out of range' : 'invalid syntax'}`,
    );
  return BigInt(s);
}

function validatePrerelease(p: string): void {
  for (const part of p.split('.')) {
    if (part === '') throw new Error('invalid prerelease string');
    if (/^[0-9]+$/.test(part)) {
      if (part.length > 1 && part[0] === '0') throw new Error('version segment starts with 0');
    } else if (!ALLOWED.test(part)) throw new Error('invalid prerelease string');
  }
}

/** NewVersion with CoerceNewVersion (the library's default). */
function newVersion(v: string): Version {
  if (new TextEncoder().encode(v).length > 256) throw new Error('version string is too long (max 256 bytes)');
  const m = LOOSE.findAllSubmatch(v)[0];
  if (m === undefined) throw new Error('invalid semantic version');
  const version = { major: parseUint(m[1]!), minor: m[2] ? parseUint(m[2].slice(1)) : 0n, patch: m[3] ? parseUint(m[3].slice(1)) : 0n, pre: m[5]! };
  if (version.pre !== '') validatePrerelease(version.pre);
  if (m[8] !== '' && m[8]!.split('.').some((p) => p === '' || !ALLOWED.test(p))) throw new Error('invalid metadata string');
  return version;
}

function comparePrePart(s: string, o: string): number {
  if (s === o) return 0;
  if (s === '') return -1;
  if (o === '') return 1;
  const sn = /^[0-9]+$/.test(s) && BigInt(s) <= UINT64_MAX;
  const on = /^[0-9]+$/.test(o) && BigInt(o) <= UINT64_MAX;
  if (!sn && !on) return s > o ? 1 : -1;
  if (!on) return -1;
  if (!sn) return 1;
  return BigInt(s) > BigInt(o) ? 1 : -1;
}

function compare(v: Version, o: Version): number {
  for (const k of ['major', 'minor', 'patch'] as const) if (v[k] !== o[k]) return v[k] < o[k] ? -1 : 1;
  if (v.pre === o.pre) return 0;
  if (v.pre === '') return 1;
  if (o.pre === '') return -1;
  const a = v.pre.split('.');
  const b = o.pre.split('.');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = comparePrePart(a[i] ?? '', b[i] ?? '');
    if (d !== 0) return d;
  }
  return 0;
}

interface Constraint {
  op: string;
  con: Version;
  dirty: boolean;
  minorDirty: boolean;
  patchDirty: boolean;
}

const isX = (x: string): boolean => x === 'x' || x === '*' || x === 'X';

function parseConstraint(c: string): Constraint {
  const m = CONSTRAINT.findAllSubmatch(c)[0];
  if (m === undefined) throw new Error(`improper constraint: ${goQuote(c)}`);
  const [, op = '', , major = '', minor = '', patch = '', pre = ''] = m; // pre: "-rc.1", with its dash
  let ver = m[2]!;
  const d = { dirty: false, minorDirty: false, patchDirty: false };
  if (isX(major) || major === '') {
    ver = `0.0.0${pre}`;
    d.dirty = true;
  } else if (isX(minor.replace(/^\./, '')) || minor === '') {
    Object.assign(d, { dirty: true, minorDirty: true });
    ver = `${major}.0.0${pre}`;
  } else if (isX(patch.replace(/^\./, '')) || patch === '') {
    Object.assign(d, { dirty: true, patchDirty: true });
    ver = `${major}${minor}.0${pre}`;
  }
  let con: Version;
  try {
    con = newVersion(ver);
  } catch {
    throw new Error('constraint parser error');
  }
  return { op, con, ...d };
}

type Check = (v: Version, c: Constraint) => boolean;

const notEqual: Check = (v, c) => {
  if (c.dirty) {
    if (c.con.major !== v.major) return true;
    if (c.con.minor !== v.minor && !c.minorDirty) return true;
    if (c.minorDirty) return false;
    if (c.con.patch !== v.patch && !c.patchDirty) return true;
    if (c.patchDirty) return (v.pre !== '' || c.con.pre !== '') && comparePrerelease(v.pre, c.con.pre) !== 0;
  }
  return compare(v, c.con) !== 0;
};
const greaterThan: Check = (v, c) => {
  if (!c.dirty) return compare(v, c.con) === 1;
  if (v.major !== c.con.major) return v.major > c.con.major;
  if (c.minorDirty) return false;
  if (c.patchDirty) return v.minor > c.con.minor;
  return compare(v, c.con) === 1;
};
const lessThanEqual: Check = (v, c) => {
  if (!c.dirty) return compare(v, c.con) <= 0;
  if (v.major > c.con.major) return false;
  return !(v.major === c.con.major && v.minor > c.con.minor && !c.minorDirty);
};
const tilde: Check = (v, c) => {
  if (compare(v, c.con) < 0) return false;
  if (c.con.major === 0n && c.con.minor === 0n && c.con.patch === 0n && !c.minorDirty && !c.patchDirty) return true;
  if (v.major !== c.con.major) return false;
  return v.minor === c.con.minor || c.minorDirty;
};
const caret: Check = (v, c) => {
  if (compare(v, c.con) < 0) return false;
  if (c.con.major > 0n || c.minorDirty) return v.major === c.con.major;
  if (v.major > 0n) return false;
  if (c.con.minor > 0n || c.patchDirty) return v.minor === c.con.minor;
  if (v.minor > 0n) return false;
  return c.con.patch === v.patch;
};

function comparePrerelease(a: string, b: string): number {
  return compare({ major: 0n, minor: 0n, patch: 0n, pre: a }, { major: 0n, minor: 0n, patch: 0n, pre: b });
}

const OPERATIONS: Record<string, Check> = {
  '': (v, c) => (c.dirty ? tilde(v, c) : compare(v, c.con) === 0),
  '=': (v, c) => (c.dirty ? tilde(v, c) : compare(v, c.con) === 0),
  '!=': notEqual,
  '>': greaterThan,
  '<': (v, c) => compare(v, c.con) < 0,
  '>=': (v, c) => compare(v, c.con) >= 0,
  '=>': (v, c) => compare(v, c.con) >= 0,
  '<=': lessThanEqual,
  '=<': lessThanEqual,
  '~': tilde,
  '~>': tilde,
  '^': caret,
};

/** rewriteRange: "1.2 - 1.4" becomes ">= 1.2, <= 1.4 ". */
function rewriteRange(c: string): string {
  let out = c;
  for (const m of RANGE.findAllSubmatch(c)) out = out.replace(m[0]!, () => `>= ${m[1]}, <= ${m[11]} `);
  return out;
}

/** NewConstraint: groups split on ||, each a list of constraints, and whether each names a prerelease. */
function newConstraint(text: string): Array<{ all: Constraint[]; pre: boolean }> {
  if (new TextEncoder().encode(text).length > 512) throw new Error('constraint string is too long (max 512 bytes)');
  const ors = rewriteRange(text).split('||');
  if (ors.length > 32) throw new Error('too many constraint groups (max 32)');
  return ors.map((or) => {
    if (VALID.findAllSubmatch(or).length === 0) throw new Error(`improper constraint: ${goQuote(or)}`);
    const found = FIND.findAllSubmatch(or).map((m) => m[0]!);
    const all = (found.length > 0 ? found : [or]).map((s) => (s.length > 0 ? parseConstraint(s) : anyVersion()));
    return { all, pre: all.some((c) => c.con.pre !== '') };
  });
}

const anyVersion = (): Constraint => ({
  op: '',
  con: { major: 0n, minor: 0n, patch: 0n, pre: '' },
  dirty: true,
  minorDirty: false,
  patchDirty: false,
});

function semverCompare(constraint: string, version: string): boolean {
  const groups = newConstraint(constraint);
  const v = newVersion(version);
  return groups.some((g) => g.all.every((c) => (v.pre === '' || g.pre) && OPERATIONS[c.op]!(v, c)));
}

export const semverFunctions: Record<string, GoFunction> = {
  semverCompare: goFunc(['string', 'string'], (c, v) => semverCompare(strArg(c, 'semverCompare'), strArg(v, 'semverCompare'))),
};
