// Typed slices ([]v1.Container, []string) and typed maps (map[string]string, map[v1.ResourceName]resource.Quantity)
// over their JSON, elements built on first use. nil (JSON null or absent) is kept apart from empty, as Go does.
import type { GoValue } from '../value.ts';
import { formatNested } from './format.ts';
import { goTypeDesc } from './go-types.ts';
import { goStringOrder, goValue, jsonOf, protoJSONTyped } from './wrap.ts';
import { GoOfType } from './typed.ts';

export class GoSlice extends GoOfType<'slice'> {
  private items: GoValue[] | undefined;
  /** Every item is built (elementAt builds them one by one). */
  private complete = false;
  constructor(
    type: string,
    readonly raw: readonly unknown[] | undefined,
  ) {
    super(type, 'slice');
  }
  override isNil(): boolean {
    return this.raw === undefined;
  }
  elemType(): string {
    return goTypeDesc(this.type).e!;
  }
  /** The elements (slice elements are addressable in Go). */
  values(): GoValue[] {
    if (!this.complete) {
      // a loop, not raw.map: over tracked data (reuse.ts) map reads the array's map and constructor too
      for (let i = 0; i < (this.raw?.length ?? 0); i++) this.elementAt(i);
      this.complete = true;
    }
    if (this.items === undefined) this.items = [];
    return this.items;
  }
  override entries(): Array<[GoValue, GoValue]> {
    return this.values().map((v, i) => [BigInt(i), v]);
  }
  override length(): number {
    return this.raw?.length ?? 0;
  }
  /**
   * Element i, built on first use and kept (the same element for each use: a pointer's identity is its
   * address), without building the others: a range or index over 20,000 containers builds no entries.
   */
  override elementAt(i: number): GoValue {
    this.items ??= new Array<GoValue>(this.raw?.length ?? 0);
    if (i in this.items) return this.items[i];
    const v = goValue(this.elemType(), this.raw![i], true);
    this.items[i] = v;
    return v;
  }
  toJSONValue(): unknown {
    if (this.raw === undefined) return null;
    if (this.elemType() === 'uint8') return btoa(String.fromCharCode(...(this.raw as number[])));
    return this.values().map(jsonOf);
  }
  /** %v: "[a b]" (nil too: "[]"); undefined when an element cannot be printed here. */
  override formatV(): string | undefined {
    return formatNested(this);
  }
  protoJSONValue(): unknown {
    if (this.elemType() === 'uint8') return this.toJSONValue();
    const e = this.elemType();
    return this.values().map((v) => protoJSONTyped(e, v));
  }
}

export class GoTypedMap extends GoOfType<'map'> {
  private built: Map<string, GoValue> | undefined;
  constructor(
    type: string,
    readonly raw: Readonly<Record<string, unknown>> | undefined,
  ) {
    super(type, 'map');
  }
  override isNil(): boolean {
    return this.raw === undefined;
  }
  elemType(): string {
    return goTypeDesc(this.type).e!;
  }
  /** The key's value; a missing key gives the element type's zero value, as Go's map index does. */
  mapIndex(key: string): GoValue {
    this.built ??= new Map();
    let v = this.built.get(key);
    if (v === undefined && !this.built.has(key)) {
      const raw = this.raw !== undefined && Object.hasOwn(this.raw, key) ? this.raw[key] : undefined;
      v = goValue(this.elemType(), raw, false);
      this.built.set(key, v);
    }
    return v;
  }
  has(key: string): boolean {
    return this.raw !== undefined && Object.hasOwn(this.raw, key);
  }
  /** The key type: `.key` and `index` take a plain string only when it is `string` (not v1.ResourceName). */
  keyType(): string {
    return goTypeDesc(this.type).key!;
  }
  /** `.key`: text/template gives the invalid value for a missing key (prints "<no value>"); `index` gives the zero value (mapIndex). */
  override field(name: string): { value: GoValue } | undefined {
    if (this.keyType() !== 'string') return undefined;
    return { value: this.has(name) ? this.mapIndex(name) : undefined };
  }
  keys(): string[] {
    return this.raw === undefined ? [] : Object.keys(this.raw).sort(goStringOrder);
  }
  override length(): number {
    return this.raw === undefined ? 0 : Object.keys(this.raw).length;
  }
  override entries(): Array<[GoValue, GoValue]> {
    return this.keys().map((k) => [k, this.mapIndex(k)]);
  }
  toJSONValue(): unknown {
    if (this.raw === undefined) return null;
    const out: Record<string, unknown> = {};
    for (const k of this.keys()) out[k] = jsonOf(this.mapIndex(k));
    return out;
  }
  /** %v: "map[k:v ...]" by sorted key (nil too: "map[]"). */
  override formatV(): string | undefined {
    return formatNested(this);
  }
  protoJSONValue(): unknown {
    const out: Record<string, unknown> = {};
    const e = this.elemType();
    for (const k of this.keys()) out[k] = protoJSONTyped(e, this.mapIndex(k));
    return out;
  }
}
