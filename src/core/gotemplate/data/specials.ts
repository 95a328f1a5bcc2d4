// Go types whose JSON is not their field list: resource.Quantity ("100m"), intstr.IntOrString (8080 or
// "http"), metav1.Time (RFC 3339), protobuf's Duration ("1.5s"), wrappers (a bare value) and Struct.
import { canonicalQuantity, parseQuantity } from '../../quantity.ts';
import type { GoValue } from '../value.ts';
import { goTypeDesc, type Special } from './go-types.ts';
import { GoNamedInt } from './scalars.ts';
import { GoStruct, UnsupportedMethodError } from './struct.ts';
import { goValue, intOf, protoJSONTyped } from './wrap.ts';
import { GoOfType } from './typed.ts';

/** The value of a special type from its JSON. */
export function specialValue(type: string, special: Special, raw: unknown, addressable: boolean): GoValue {
  switch (special) {
    case 'quantity':
      return new GoSpecial(type, canonicalQuantity(typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '0'), addressable);
    case 'intorstring':
      return new GoSpecial(type, typeof raw === 'string' ? raw : intOf(raw), addressable);
    case 'time':
      return new GoSpecial(type, typeof raw === 'string' && raw !== '' ? raw : undefined, addressable);
    case 'duration':
      return new GoSpecial(type, durationNanos(raw), addressable);
    case 'wrapper': {
      const bare = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>).value : raw;
      return new GoStruct(type, { value: bare }, addressable);
    }
    default:
      // timestamp and Struct/Value/ListValue: the protojson form as it came
      return new GoSpecial(type, raw, addressable);
  }
}

// durationpb's valid range: ±10,000 years, in nanoseconds
const MAX_DURATION_NANOS = 315_576_000_000n * 1_000_000_000n + 999_999_999n;
const PROTO_DURATION = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;

function durationNanos(raw: unknown): bigint {
  if (typeof raw === 'string') {
    const m = PROTO_DURATION.exec(raw);
    if (!m) return 0n;
    const n = BigInt(m[2]!) * 1_000_000_000n + BigInt((m[3] ?? '').padEnd(9, '0'));
    return m[1] ? -n : n;
  }
  if (raw !== null && typeof raw === 'object') {
    const o = raw as Record<string, unknown>;
    return intOf(o.seconds) * 1_000_000_000n + intOf(o.nanos);
  }
  return 0n;
}

/** A special type's value: `v` is its canonical content (quantity string, int or string, time text, nanoseconds). */
export class GoSpecial extends GoOfType<'struct'> {
  constructor(
    type: string,
    readonly v: unknown,
    readonly addressable: boolean,
  ) {
    super(type, 'struct');
  }
  private get special(): Special {
    return goTypeDesc(this.type).special!;
  }
  override field(name: string): { value: GoValue } | undefined {
    const m = goTypeDesc(this.type).m?.[name];
    if (m?.pr && !this.addressable) return undefined;
    const v = this.v;
    switch (`${this.special}.${name}`) {
      case 'time.Time':
        return this.type === 'time.Time' ? undefined : { value: new GoSpecial('time.Time', v, this.addressable) };
      case 'quantity.String':
      case 'intorstring.String':
      case 'time.String':
        return { value: this.text() };
      case 'quantity.Value':
      case 'quantity.MilliValue': {
        const nano = parseQuantity(String(v))?.nano ?? 0n;
        const per = name === 'Value' ? 1_000_000_000n : 1_000_000n;
        return { value: nano >= 0n ? (nano + per - 1n) / per : nano / per }; // Go rounds up
      }
      case 'quantity.IsZero':
        return { value: (parseQuantity(String(v))?.nano ?? 0n) === 0n };
      case 'intorstring.Type':
        return { value: new GoNamedInt('intstr.Type', typeof v === 'string' ? 1n : 0n) };
      case 'intorstring.IntVal':
        return { value: typeof v === 'bigint' ? v : 0n };
      case 'intorstring.IntValue':
        return { value: typeof v === 'bigint' ? v : /^[+-]?\d+$/.test(String(v)) ? BigInt(String(v)) : 0n };
      case 'intorstring.StrVal':
        return { value: typeof v === 'string' ? v : '' };
      case 'duration.Seconds':
      case 'duration.GetSeconds':
        return { value: (v as bigint) / 1_000_000_000n };
      case 'duration.Nanos':
      case 'duration.GetNanos':
        return { value: (v as bigint) % 1_000_000_000n };
      case 'duration.AsDuration':
        return { value: new GoDuration(v as bigint) };
      case 'duration.IsValid': {
        const n = v as bigint;
        return { value: n >= -MAX_DURATION_NANOS && n <= MAX_DURATION_NANOS };
      }
      case 'pbstruct.AsMap':
      case 'pbvalue.AsInterface':
      case 'pblist.AsSlice':
        return { value: (v ?? null) as GoValue };
    }
    if (m !== undefined) throw new UnsupportedMethodError(`method ${name} of ${this.type} is not supported by this template engine`);
    return undefined;
  }
  /** String() of a Quantity, IntOrString or Time. */
  private text(): string {
    const v = this.v;
    if (this.special === 'time') return v === undefined ? '0001-01-01 00:00:00 +0000 UTC' : goTimeString(String(v));
    return typeof v === 'bigint' ? String(v) : String(v ?? '');
  }
  toJSONValue(): unknown {
    const v = this.v;
    switch (this.special) {
      case 'time':
        if (v === undefined) return this.type === 'time.Time' ? '0001-01-01T00:00:00Z' : null;
        return rfc3339(String(v));
      case 'duration': {
        const out: Record<string, unknown> = {};
        const s = (v as bigint) / 1_000_000_000n;
        const n = (v as bigint) % 1_000_000_000n;
        if (s !== 0n) out.seconds = s;
        if (n !== 0n) out.nanos = n;
        return out;
      }
      default:
        return v ?? null;
    }
  }
  protoJSONValue(): unknown {
    if (this.special === 'duration') return protoDuration(this.v as bigint);
    return this.toJSONValue();
  }
  override formatV(): string | undefined {
    if (this.special === 'duration') return undefined; // protobuf text format
    const stringer = goTypeDesc(this.type).stringer;
    if (stringer === 1 || (stringer === 2 && this.addressable)) return this.text();
    return undefined;
  }
}

/** time.Duration: an int64 of nanoseconds that prints as "1m30s". */
export class GoDuration extends GoNamedInt {
  constructor(nanos: bigint) {
    super('time.Duration', nanos);
  }
  override formatV(): string {
    return goDurationString(this.value);
  }
  override field(name: string): { value: GoValue } | undefined {
    return name === 'String' ? { value: this.formatV() } : undefined;
  }
}

function protoDuration(nanos: bigint): string {
  const neg = nanos < 0n;
  const abs = neg ? -nanos : nanos;
  let frac = String(abs % 1_000_000_000n).padStart(9, '0');
  frac = frac.endsWith('000000') ? frac.slice(0, 3) : frac.endsWith('000') ? frac.slice(0, 6) : frac;
  return `${neg ? '-' : ''}${abs / 1_000_000_000n}${frac === '000' ? '' : `.${frac}`}s`;
}

/** Go's time.Duration.String. */
export function goDurationString(d: bigint): string {
  if (d === 0n) return '0s';
  const neg = d < 0n;
  const u = neg ? -d : d;
  const sign = neg ? '-' : '';
  const withFrac = (v: bigint, unit: bigint, digits: number): string => {
    const frac = String(v % unit)
      .padStart(digits, '0')
      .replace(/0+$/, '');
    return `${v / unit}${frac === '' ? '' : `.${frac}`}`;
  };
  if (u < 1000n) return `${sign}${u}ns`;
  if (u < 1_000_000n) return `${sign}${withFrac(u, 1000n, 3)}µs`;
  if (u < 1_000_000_000n) return `${sign}${withFrac(u, 1_000_000n, 6)}ms`;
  const h = u / 3_600_000_000_000n;
  const m = (u / 60_000_000_000n) % 60n;
  const s = withFrac(u % 60_000_000_000n, 1_000_000_000n, 9);
  if (h > 0n) return `${sign}${h}h${m}m${s}s`;
  if (m > 0n) return `${sign}${m}m${s}s`;
  return `${sign}${s}s`;
}

function rfc3339(text: string): string | null {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function goTimeString(text: string): string {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return '0001-01-01 00:00:00 +0000 UTC';
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`;
}

/** String() of a struct type the engine implements (types.NamespacedName), else undefined. */
export function specialString(type: string, raw: Record<string, unknown>, method: string): string | undefined {
  if (type === 'types.NamespacedName' && method === 'String')
    return `${goValue('string', raw.Namespace, false)}/${goValue('string', raw.Name, false)}`;
  return undefined;
}

/** A wrapper's protojson: its bare value (64-bit integers as strings). */
export function wrapperProtoJSON(w: GoStruct): unknown {
  const f = goTypeDesc(w.type).f![0]!;
  return protoJSONTyped(f.t, w.fieldValue(f));
}
