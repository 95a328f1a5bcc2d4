// Kubernetes resource quantities: parsing (to validate annotations) and the canonical form Go's
// resource.Quantity writes (`2000m` -> "2", `1024Mi` -> "1Gi"), so our output reads like Istio's.

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

export interface ParsedQuantity {
  /** value in base units, as a decimal string scaled by 10^-9 to stay exact for milli/nano values */
  nano: bigint;
  binary: boolean;
}

export function parseQuantity(s: string): ParsedQuantity | undefined {
  const m = QUANTITY.exec(s);
  if (!m) return undefined;
  const [, num = '', suffix = '', exp] = m;
  const [intPart = '0', fracPart = ''] = num.replace(/^[+]/, '').split('.');
  const negative = intPart.startsWith('-');
  const digits = (intPart.replace('-', '') || '0') + fracPart;
  let scale = -fracPart.length + 9; // to nano units
  let mult = 1n;
  let binary = false;
  if (exp !== undefined) {
    scale += Number(exp);
  } else if (suffix in BINARY) {
    binary = true;
    mult = BigInt(BINARY[suffix]!);
  } else {
    scale += DECIMAL[suffix] ?? 0;
  }
  if (Math.abs(scale) > 40) return undefined;
  let value = BigInt(digits) * mult;
  if (scale >= 0) value *= 10n ** BigInt(scale);
  else {
    const div = 10n ** BigInt(-scale);
    value = (value + div - 1n) / div; // Go rounds up to the smallest unit
  }
  return { nano: negative ? -value : value, binary };
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
