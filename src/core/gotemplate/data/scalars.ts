// Named integer types (protobuf enums such as ProxyConfig_InboundInterceptionMode, intstr.Type) and
// unsigned integers: values Go gives a type of their own, which a bigint alone cannot tell apart.
import type { GoValue } from '../value.ts';
import { goTypeDesc } from './go-types.ts';
import { GoOfType } from './typed.ts';

abstract class GoInteger<K extends 'int' | 'uint'> extends GoOfType<K> {
  constructor(
    type: string,
    kind: K,
    readonly value: bigint,
  ) {
    super(type, kind);
  }
  override scalar(): GoValue {
    return this.value;
  }
  toJSONValue(): unknown {
    return this.value;
  }
  override formatV(): string {
    return String(this.value);
  }
}

export class GoNamedInt extends GoInteger<'int'> {
  constructor(type: string, value: bigint) {
    super(type, 'int', value);
  }
  /** The enum's name, or the number as protobuf's String() writes an unknown value. */
  name(): string | undefined {
    const names = goTypeDesc(this.type).enum;
    return names === undefined ? undefined : (names[String(this.value)] ?? String(this.value));
  }
  override field(name: string): { value: GoValue } | undefined {
    // protobuf enums: String() on the value (their other methods are not for templates)
    if (name === 'String' && goTypeDesc(this.type).stringer === 1) return { value: this.formatV() };
    return undefined;
  }
  protoJSONValue(): unknown {
    return this.name() ?? Number(this.value);
  }
  override formatV(): string {
    return this.name() ?? String(this.value);
  }
}

export class GoUint extends GoInteger<'uint'> {
  constructor(type: string, value: bigint) {
    super(type, 'uint', value);
  }
  protoJSONValue(): unknown {
    return this.type === 'uint64' ? String(this.value) : Number(this.value);
  }
}
