// Go structs and pointers over their JSON: fields by Go name (a missing one is Go's zero value), methods
// first as Go looks them up (protobuf getters, nil-safe on a nil pointer), encoding/json and protojson.
import { type GoValue, GoTyped } from '../value.ts';
import { formatFields, formatNested, formatNilPointer } from './format.ts';
import { type GoFieldDesc, type GoMember, type GoMethodDesc, type GoTypeDesc, goTypeDesc, membersOf, sourceValue } from './go-types.ts';
import { GoSpecial, specialString, wrapperProtoJSON } from './specials.ts';
import { goValue, jsonOf, protoJSONOf, protoJSONTyped } from './wrap.ts';
import { GoOfType } from './typed.ts';

/** Go's runtime error for a field of a nil pointer; the executor adds where it happened. */
export class NilPointerError extends Error {}

/** A method this engine does not implement (a template calling it fails, naming it). */
export class UnsupportedMethodError extends Error {}

export class GoStruct extends GoOfType<'struct'> {
  readonly desc: GoTypeDesc;
  private readonly members: Map<string, GoMember>;
  /** The first field built, and the others (most structs a render reaches are asked one or two fields). */
  private firstIndex = -1;
  private firstValue: GoValue;
  private values: GoValue[] | undefined;
  constructor(
    type: string,
    readonly raw: Record<string, unknown>,
    readonly addressable: boolean,
  ) {
    super(type, 'struct');
    this.desc = goTypeDesc(type);
    this.members = membersOf(this.desc);
  }
  override field(name: string): { value: GoValue } | undefined {
    const member = this.members.get(name);
    if (member === undefined) return undefined;
    if (member.via !== undefined) {
      const embedded = this.fieldAt(member.via);
      return embedded instanceof GoTyped ? embedded.field(name) : undefined;
    }
    const m = member.method;
    if (m !== undefined && (!m.pr || this.addressable)) return { value: this.call(name, m) };
    return member.index === undefined ? undefined : { value: this.fieldAt(member.index) };
  }
  /** The field at position i of the Go struct, built on first use. */
  fieldAt(i: number): GoValue {
    if (i === this.firstIndex) return this.firstValue;
    if (this.values !== undefined && i in this.values) return this.values[i];
    const f = this.desc.f![i]!;
    const v = f.oneof ? this.oneof(f) : goValue(f.t, f.inl ? this.raw : sourceValue(this.raw, f), this.addressable);
    if (this.firstIndex < 0) {
      this.firstIndex = i;
      this.firstValue = v;
    } else {
      this.values ??= new Array((this.desc.f ?? []).length);
      this.values[i] = v;
    }
    return v;
  }
  fieldValue(f: GoFieldDesc): GoValue {
    return this.fieldAt(this.members.get(f.n)!.index!);
  }
  /** A oneof field: the option the JSON sets, as Go holds it (a pointer to its wrapper struct), else nil. */
  private oneof(f: GoFieldDesc): GoValue {
    for (const opt of goTypeDesc(f.t).opts ?? []) {
      if (this.raw[opt.p] != null || this.raw[opt.po] != null) return new GoPointer(opt.t, this.raw, true);
    }
    return null;
  }
  call(name: string, m: GoMethodDesc): GoValue {
    if (m.g !== undefined) return this.fieldAt(this.members.get(m.g)!.index!);
    if (m.op !== undefined) {
      const po = (this.desc.f ?? []).flatMap((f) => (f.oneof ? (goTypeDesc(f.t).opts ?? []) : [])).find((o) => o.p === m.op)?.po;
      return goValue(m.t, this.raw[m.op] ?? (po === undefined ? undefined : this.raw[po]), true);
    }
    const s = specialString(this.type, this.raw, name);
    if (s !== undefined) return s;
    throw new UnsupportedMethodError(`method ${name} of ${this.type} is not supported by this template engine`);
  }
  override toJSONValue(): unknown {
    const d = this.desc;
    // Istio's API messages marshal themselves with jsonpb, which writes protojson
    if (d.mj && d.proto !== undefined) return this.protoJSONValue();
    const out: Record<string, unknown> = {};
    for (const f of d.f ?? []) {
      if (f.j === '-') continue;
      const v = this.fieldValue(f);
      if (f.inl) {
        Object.assign(out, jsonOf(v));
        continue;
      }
      if ((f.o && isEmptyValue(v)) || (f.oz && isZeroValue(v))) continue;
      out[f.j ?? f.n] = jsonOf(v);
    }
    return out;
  }
  /** protojson of a protobuf message: lowerCamel names, default values left out, oneofs flattened. */
  protoJSONValue(): unknown {
    if (this.desc.special === 'wrapper') return wrapperProtoJSON(this);
    const out: Record<string, unknown> = {};
    for (const f of this.desc.f ?? []) {
      const v = this.fieldValue(f);
      if (f.oneof) {
        if (v instanceof GoPointer && !v.isNil()) Object.assign(out, (v.elem() as GoStruct).protoJSONValue());
        continue;
      }
      if (f.p === undefined || isProtoDefault(v, f)) continue;
      out[f.p] = protoJSONTyped(f.t, v);
    }
    return out;
  }
  override formatV(): string | undefined {
    const d = this.desc;
    if (d.stringer === 1 || (d.stringer === 2 && this.addressable)) return specialString(this.type, this.raw, 'String');
    return formatFields(this);
  }
  /** The fields in order, for %v. */
  fieldValues(): GoValue[] {
    return (this.desc.f ?? []).map((_f, i) => this.fieldAt(i));
  }
}

export class GoPointer extends GoOfType<'ptr'> {
  private target: GoValue;
  constructor(
    type: string,
    readonly raw: unknown,
    /** Held in an interface (a oneof): text/template then prints it as fmt does, "&{...}". */
    readonly inInterface = false,
  ) {
    super(type, 'ptr');
  }
  override isNil(): boolean {
    return this.raw === undefined;
  }
  /** A pointer to a generated protobuf message implements proto.Message (protoToJSON's parameter). */
  override assignableTo(type: string): boolean {
    return type === this.type || (type === 'protoreflect.ProtoMessage' && goTypeDesc(this.elemType()).proto !== undefined);
  }
  elemType(): string {
    return goTypeDesc(this.type).e!;
  }
  /** What the pointer points to (undefined for nil). */
  elem(): GoValue {
    if (this.raw === undefined) return undefined;
    this.target ??= goValue(this.elemType(), this.raw, true);
    return this.target;
  }
  override field(name: string): { value: GoValue } | undefined {
    const e = this.elem();
    if (e instanceof GoTyped) return e.field(name);
    if (e !== undefined) return undefined;
    const elemDesc = goTypeDesc(this.elemType());
    const m = elemDesc.m?.[name];
    // protobuf getters check for a nil receiver and answer the zero value; so does Kubernetes' String()
    if (m !== undefined && (m.g !== undefined || m.op !== undefined)) return { value: goValue(m.t, undefined, false) };
    if (m?.s === 'String' && elemDesc.proto === undefined && elemDesc.special === undefined) return { value: 'nil' };
    if (m !== undefined) throw new UnsupportedMethodError(`method ${name} of a nil ${this.type} is not supported by this template engine`);
    const member = elemDesc.k === 'struct' ? membersOf(elemDesc).get(name) : undefined;
    if (member?.field !== undefined || member?.via !== undefined) {
      throw new NilPointerError(`nil pointer evaluating ${this.type}.${name}`);
    }
    return undefined;
  }
  toJSONValue(): unknown {
    return this.raw === undefined ? null : jsonOf(this.elem());
  }
  protoJSONValue(): unknown {
    return this.raw === undefined ? null : protoJSONOf(this.elem());
  }
  /** The protobuf message's full name (protoToJSON's proto.Message), '' when it points to no message. */
  protoFullName(): string {
    return goTypeDesc(this.elemType()).proto ?? '';
  }
  /** text/template follows a pointer before printing: the value it points to, as an addressable one. */
  override formatV(): string | undefined {
    if (this.raw === undefined) return formatNilPointer(this.elemType());
    const e = this.elem();
    if (this.inInterface && e instanceof GoStruct && goTypeDesc(e.type).stringer === undefined) {
      const fields = formatFields(e);
      return fields === undefined ? undefined : `&${fields}`;
    }
    return e instanceof GoTyped ? e.formatV() : formatNested(e);
  }
}

/** encoding/json's isEmptyValue for omitempty. */
export function isEmptyValue(v: GoValue): boolean {
  if (v === undefined || v === null || v === false || v === '' || v === 0 || v === 0n) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (v instanceof GoTyped) {
    if (v.isNil()) return true;
    const k = v.kind();
    if (k === 'slice' || k === 'map') return (v.entries() ?? []).length === 0;
    if (k === 'int' || k === 'uint') return v.scalar() === 0n;
    return false;
  }
  return typeof v === 'object' && Object.keys(v).length === 0;
}

/** Go's reflect.Value.IsZero, for omitzero (metav1.Time uses its IsZero method: the same here). */
export function isZeroValue(v: GoValue): boolean {
  if (v === undefined || v === null || v === false || v === '' || v === 0 || v === 0n) return true;
  if (!(v instanceof GoTyped)) return false;
  if (v.isNil()) return true;
  if (v instanceof GoStruct) return v.fieldValues().every(isZeroValue);
  if (v instanceof GoSpecial) return v.v === undefined || v.v === 0n || v.v === '';
  const k = v.kind();
  return (k === 'int' || k === 'uint') && v.scalar() === 0n;
}

// proto3: scalars at their zero value, empty lists and maps and unset messages are not written;
// an optional scalar (a Go pointer) is written when set.
function isProtoDefault(v: GoValue, f: GoFieldDesc): boolean {
  if (v instanceof GoPointer) return v.isNil();
  return isEmptyValue(v) && goTypeDesc(f.t).k !== 'struct';
}
