// strconv.FormatFloat and the digit work of fmt's integer verbs, exact as Go: shortest digits come from
// JavaScript's own shortest round-trip conversion (the same choice as Go's), a fixed precision rounds the exact
// decimal expansion of the double half-to-even, as strconv does.

/** A decimal: value = 0.digits × 10^dp; digits has no trailing zeros; '' for zero. */
interface Decimal {
  digits: string;
  dp: number;
}

function shortestDecimal(v: number): Decimal {
  if (v === 0) return { digits: '', dp: 0 };
  const [mant = '', exp = '0'] = v.toExponential().split('e');
  return { digits: mant.replace('.', '').replace(/0+$/, ''), dp: Number(exp) + 1 };
}

const F64 = new Float64Array(1);
const U64 = new BigUint64Array(F64.buffer);

/** The exact decimal expansion of a finite positive double. */
function exactDecimal(v: number): Decimal {
  F64[0] = v;
  const bits = U64[0] as bigint;
  const biased = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let e2 = biased - 1075;
  if (biased === 0) e2 = -1074;
  else mant |= 1n << 52n;
  if (mant === 0n) return { digits: '', dp: 0 };
  let digits: string;
  let dp: number;
  if (e2 >= 0) {
    digits = (mant << BigInt(e2)).toString();
    dp = digits.length;
  } else {
    digits = (mant * 5n ** BigInt(-e2)).toString();
    dp = digits.length + e2;
  }
  return { digits: digits.replace(/0+$/, ''), dp };
}

/** Rounds to nd digits (nd may be <= 0), half to even as strconv's decimal.Round. */
function roundDecimal(d: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= d.digits.length) return d;
  const next = d.digits.charCodeAt(nd) - 48;
  let up = next > 5 || (next === 5 && (nd + 1 < d.digits.length || (nd > 0 && (d.digits.charCodeAt(nd - 1) - 48) % 2 === 1)));
  if (next < 5) up = false;
  if (!up) return { digits: d.digits.slice(0, nd).replace(/0+$/, ''), dp: d.dp };
  let i = nd - 1;
  while (i >= 0 && d.digits[i] === '9') i--;
  if (i < 0) return { digits: '1', dp: d.dp + 1 };
  return { digits: d.digits.slice(0, i) + String.fromCharCode(d.digits.charCodeAt(i) + 1), dp: d.dp };
}

function fmtE(d: Decimal, prec: number, e: string): string {
  let s = d.digits[0] ?? '0';
  if (prec > 0) s += `.${d.digits.slice(1, prec + 1).padEnd(prec, '0')}`;
  const exp = d.digits === '' ? 0 : d.dp - 1;
  const abs = Math.abs(exp);
  return `${s}${e}${exp < 0 ? '-' : '+'}${abs < 10 ? `0${abs}` : abs}`;
}

function fmtF(d: Decimal, prec: number): string {
  let s = d.dp > 0 ? d.digits.slice(0, d.dp).padEnd(d.dp, '0') : '0';
  if (prec > 0) {
    let frac = '';
    for (let i = 0; i < prec; i++) {
      const j = d.dp + i;
      frac += j >= 0 && j < d.digits.length ? d.digits[j] : '0';
    }
    s += `.${frac}`;
  }
  return s;
}

/** strconv.FormatFloat(v, verb, prec, 64) for verbs e E f F g G (prec -1: shortest). */
export function formatFloat(v: number, verb: string, prec: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const neg = v < 0 || Object.is(v, -0);
  const abs = Math.abs(v);
  const shortest = prec < 0;
  let d: Decimal;
  let p = prec;
  const lower = verb.toLowerCase();
  if (shortest) {
    d = shortestDecimal(abs);
    p = lower === 'e' ? Math.max(d.digits.length - 1, 0) : lower === 'f' ? Math.max(d.digits.length - d.dp, 0) : d.digits.length;
  } else {
    const exact = exactDecimal(abs);
    if (lower === 'e') d = roundDecimal(exact, p + 1);
    else if (lower === 'f') d = roundDecimal(exact, exact.dp + p);
    else {
      if (p === 0) p = 1;
      d = roundDecimal(exact, p);
    }
  }
  let body: string;
  if (lower === 'e') body = fmtE(d, p, verb === 'E' ? 'E' : 'e');
  else if (lower === 'f') body = fmtF(d, p);
  else {
    let eprec = p;
    if (eprec > d.digits.length && d.digits.length >= d.dp) eprec = d.digits.length;
    if (shortest) eprec = 6;
    const exp = d.dp - 1;
    if (d.digits !== '' && (exp < -4 || exp >= eprec)) {
      body = fmtE(d, Math.min(p, d.digits.length) - 1, verb === 'G' ? 'E' : 'e');
    } else {
      body = fmtF(d, Math.max((p > d.dp ? d.digits.length : p) - d.dp, 0));
    }
  }
  return neg ? `-${body}` : body;
}

/** Digits of |v| in base (2, 8, 10, 16), lower or upper case. */
export function integerDigits(abs: bigint, base: number, upper: boolean): string {
  const s = abs.toString(base);
  return upper ? s.toUpperCase() : s;
}

/** Go's int64/uint64 wrap of an integer held as bigint. */
export const toInt64 = (v: bigint): bigint => BigInt.asIntN(64, v);

/** strconv's %x/%X (hexadecimal mantissa and binary exponent) and %b of a float64. */
export function formatFloatBinary(v: number, verb: 'x' | 'X' | 'b', prec: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  F64[0] = v;
  const bits = U64[0] as bigint;
  const neg = bits >> 63n === 1n;
  const biased = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let exp = biased === 0 ? -1074 : biased - 1075;
  if (biased !== 0) mant |= 1n << 52n;
  const sign = neg ? '-' : '';
  if (verb === 'b') return `${sign}${mant}p${exp >= 0 ? '+' : ''}${exp}`;
  if (mant === 0n) exp = 0;
  else {
    // normalise: the leading 1 at bit 52, then round to prec hex digits (half to even)
    while (mant < 1n << 52n) {
      mant <<= 1n;
      exp--;
    }
    exp += 52;
    if (prec >= 0 && prec < 13) {
      const shift = BigInt(52 - 4 * prec);
      const half = 1n << (shift - 1n);
      const rest = mant & ((1n << shift) - 1n);
      mant >>= shift;
      if (rest > half || (rest === half && (mant & 1n) === 1n)) mant++;
      mant <<= shift;
      if (mant >= 1n << 53n) {
        mant >>= 1n;
        exp++;
      }
    }
  }
  let frac = (mant & ((1n << 52n) - 1n)).toString(16).padStart(13, '0');
  if (prec < 0) frac = frac.replace(/0+$/, '');
  else frac = frac.slice(0, prec).padEnd(prec, '0');
  const lead = mant === 0n ? '0' : '1';
  const e = Math.abs(exp);
  const s = `${sign}0x${lead}${frac === '' ? '' : `.${frac}`}p${exp < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  return verb === 'X' ? s.toUpperCase() : s;
}
