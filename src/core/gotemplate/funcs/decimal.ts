// sprig's float arithmetic (addf, add1f, subf, mulf, divf): shopspring/decimal v1.4.0 on each operand's
// shortest decimal form, exact sums and products, quotients rounded half away from zero at 16 places,
// then the nearest float64.
import type { GoFunction, GoValue } from '../value.ts';
import { toFloat64 } from './cast.ts';
import { formatFloatG, shortestDigits } from './format.ts';
import { goFunc } from './typed.ts';

/** value × 10^exp. */
interface Decimal {
  v: bigint;
  exp: number;
}

const DIVISION_PRECISION = 16;
const pow10 = (n: number): bigint => 10n ** BigInt(n);

/** decimal.NewFromFloat: the shortest digits that read back as f. */
function fromFloat(f: number): Decimal {
  if (!Number.isFinite(f)) throw new Error(`Cannot create a Decimal from ${formatFloatG(f)}`);
  if (f === 0) return { v: 0n, exp: 0 };
  const { digits, exp } = shortestDigits(f);
  const v = BigInt(digits);
  return { v: f < 0 ? -v : v, exp: exp + 1 - digits.length };
}

/** The two values over their smaller exponent. */
function aligned(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const exp = Math.min(a.exp, b.exp);
  return [a.v * pow10(a.exp - exp), b.v * pow10(b.exp - exp), exp];
}

const add = (a: Decimal, b: Decimal): Decimal => {
  const [x, y, exp] = aligned(a, b);
  return { v: x + y, exp };
};
const sub = (a: Decimal, b: Decimal): Decimal => add(a, { v: -b.v, exp: b.exp });
const mul = (a: Decimal, b: Decimal): Decimal => ({ v: a.v * b.v, exp: a.exp + b.exp });
const abs = (a: Decimal): Decimal => ({ v: a.v < 0n ? -a.v : a.v, exp: a.exp });

function cmp(a: Decimal, b: Decimal): number {
  const [x, y] = aligned(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Decimal.DivRound(d2, 16) through QuoRem, as the library computes it. */
function div(d: Decimal, d2: Decimal): Decimal {
  if (d2.v === 0n) throw new Error('decimal division by 0');
  const scale = -DIVISION_PRECISION;
  const e = d.exp - d2.exp - scale;
  const [aa, bb, restExp] = e < 0 ? [d.v, d2.v * pow10(-e), d.exp] : [d.v * pow10(e), d2.v, scale + d2.exp];
  const q: Decimal = { v: aa / bb, exp: scale };
  const r = aa - (aa / bb) * bb;
  const r2: Decimal = { v: (r < 0n ? -r : r) * 2n, exp: restExp + DIVISION_PRECISION };
  if (cmp(r2, abs(d2)) < 0) return q;
  const unit: Decimal = { v: 1n, exp: -DIVISION_PRECISION };
  return d.v < 0n !== d2.v < 0n && d.v !== 0n ? sub(q, unit) : add(q, unit);
}

/** Rat().Float64(): the float64 nearest the exact value (JS parses decimal text correctly rounded). */
const toFloat = (d: Decimal): number => Number(`${d.v}e${d.exp}`);

function execDecimalOp(a: GoValue, b: GoValue[], op: (x: Decimal, y: Decimal) => Decimal): number {
  let acc = fromFloat(toFloat64(a));
  for (const x of b) acc = op(acc, fromFloat(toFloat64(x)));
  return toFloat(acc);
}

export const decimalFunctions: Record<string, GoFunction> = {
  add1f: goFunc(['any'], (i) => execDecimalOp(i, [1], add)),
  addf: goFunc([], (...i) => execDecimalOp(0, i, add), 'any'),
  subf: goFunc(['any'], (a, ...v) => execDecimalOp(a, v, sub), 'any'),
  divf: goFunc(['any'], (a, ...v) => execDecimalOp(a, v, div), 'any'),
  mulf: goFunc(['any'], (a, ...v) => execDecimalOp(a, v, mul), 'any'),
};
