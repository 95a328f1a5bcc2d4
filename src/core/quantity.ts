// Kubernetes resource quantities: parsing (to validate annotations) and the canonical form Go's
// resource.Quantity writes (`2000m` -> "2", `1024Mi` -> "1Gi"), so our output reads like Istio's.

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const SUFFIX_CHARS = 'eEinumkKMGTP';
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

interface QuantityParts {
  negative: boolean;
  num: string;
  denom: string;
  suffix: string;
}

/**
 * apimachinery's parseQuantityString, step by step (its regex in the error message is not what it
 * accepts): sign, leading zeros, digits, `.` and digits, then a suffix of `eEinumkKMGTP` letters with an
 * optional signed exponent. So `T` is 0 tera and `1.G` is 1 giga, as the API server reads them.
 */
function quantityParts(str: string): QuantityParts | undefined {
  let pos = 0;
  const end = str.length;
  let negative = false;
  if (str[0] === '-' || str[0] === '+') {
    negative = str[0] === '-';
    pos++;
  }
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return { negative, num: '0', denom: '', suffix: '' };
  const numStart = pos;
  while (isDigit(str[pos])) pos++;
  const num = str.slice(numStart, pos) || '0';
  let denom = '';
  if (str[pos] === '.') {
    const denomStart = ++pos;
    while (isDigit(str[pos])) pos++;
    denom = str.slice(denomStart, pos);
  }
  const suffixStart = pos;
  while (pos < end && SUFFIX_CHARS.includes(str[pos]!)) pos++;
  if (str[pos] === '-' || str[pos] === '+') pos++;
  while (isDigit(str[pos])) pos++;
  if (pos < end) return undefined;
  return { negative, num, denom, suffix: str.slice(suffixStart) };
}

/** The suffix as apimachinery's suffixer interprets it: binary, decimal SI, or an e/E exponent. */
function interpretSuffix(suffix: string): { binary: boolean; mult: bigint; exp: number } | undefined {
  if (Object.hasOwn(BINARY, suffix)) return { binary: true, mult: BigInt(BINARY[suffix]!), exp: 0 };
  if (Object.hasOwn(DECIMAL, suffix)) return { binary: false, mult: 1n, exp: DECIMAL[suffix]! };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?\d{1,9}$/.test(suffix.slice(1))) {
    return { binary: false, mult: 1n, exp: Number(suffix.slice(1)) };
  }
  return undefined;
}

export interface ParsedQuantity {
  /** value in base units, as a decimal string scaled by 10^-9 to stay exact for milli/nano values */
  nano: bigint;
  binary: boolean;
}

export function parseQuantity(s: string): ParsedQuantity | undefined {
  if (s === '') return undefined;
  const parts = quantityParts(s);
  const unit = parts && interpretSuffix(parts.suffix);
  if (!parts || !unit) return undefined;
  const scale = -parts.denom.length + 9 + unit.exp; // to nano units
  if (Math.abs(scale) > 40) return undefined;
  let value = BigInt(parts.num + parts.denom) * unit.mult;
  if (scale >= 0) value *= 10n ** BigInt(scale);
  else {
    const div = 10n ** BigInt(-scale);
    value = (value + div - 1n) / div; // Go rounds up to the smallest unit
  }
  return { nano: parts.negative ? -value : value, binary: unit.binary };
}

/** Canonical string as Go's resource.Quantity marshals it. */
export function canonicalQuantity(s: string): string {
  const q = parseQuantity(s);
  if (!q) return s;
  const { nano } = q;
  if (q.binary && nano % 1_000_000_000n === 0n) {
    let units = nano / 1_000_000_000n;
    const suffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
    let i = 0;
    while (i < suffixes.length - 1 && units !== 0n && units % 1024n === 0n) {
      units /= 1024n;
      i++;
    }
    if (i > 0 || units === 0n) return `${units}${suffixes[i]}`;
  }
  // decimal SI: pick the largest exponent (multiple of 3) that keeps an integer mantissa
  const exps: Array<[number, string]> = [
    [18, 'E'],
    [15, 'P'],
    [12, 'T'],
    [9, 'G'],
    [6, 'M'],
    [3, 'k'],
    [0, ''],
    [-3, 'm'],
    [-6, 'u'],
    [-9, 'n'],
  ];
  if (nano === 0n) return '0';
  for (const [e, suf] of exps) {
    const unit = 10n ** BigInt(e + 9);
    if (nano % unit === 0n) return `${nano / unit}${suf}`;
  }
  return s;
}
