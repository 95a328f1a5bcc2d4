// Go values the executor itself makes that plain JavaScript cannot hold: complex constants, unsigned
// integers (a string's byte from index), and functions held as data (for the call builtin).
import { type GoFunction, GoTyped, type GoValue } from '../value.ts';
import { formatFloat } from './fmt-number.ts';

export class GoComplex extends GoTyped {
  constructor(
    readonly re: number,
    readonly im: number,
  ) {
    super();
  }
  goType(): string {
    return 'complex128';
  }
  kind(): ReturnType<GoTyped['kind']> {
    return 'float';
  }
  toJSONValue(): unknown {
    return null;
  }
  override formatV(): string {
    const im = formatFloat(this.im, 'g', -1);
    return `(${formatFloat(this.re, 'g', -1)}${im.startsWith('-') ? '' : '+'}${im}i)`;
  }
}

/** An integer of a named Go type, held as bigint: eq/lt and printing read it through scalar(). */
abstract class GoInteger extends GoTyped {
  constructor(
    readonly type: string,
    readonly value: bigint,
  ) {
    super();
  }
  goType(): string {
    return this.type;
  }
  toJSONValue(): unknown {
    return this.value;
  }
  override scalar(): GoValue {
    return this.value;
  }
}

/** An unsigned integer (uint8 for a string's byte, uint32, ...). */
export class GoUint extends GoInteger {
  kind(): ReturnType<GoTyped['kind']> {
    return 'uint';
  }
}

/** A signed integer of a named type (what ranging over an int32 or an enum yields); no methods. */
export class GoInt extends GoInteger {
  kind(): ReturnType<GoTyped['kind']> {
    return 'int';
  }
}

/** A function as a value (a field of func type): what the call builtin calls. */
export class GoFuncValue extends GoTyped {
  constructor(
    readonly fn: GoFunction,
    readonly type = 'func',
  ) {
    super();
  }
  goType(): string {
    return this.type;
  }
  kind(): ReturnType<GoTyped['kind']> {
    return 'func';
  }
  toJSONValue(): unknown {
    return null;
  }
}

/** A value seen through its static type interface{} where Go does not look inside (slice's indexes). */
export class GoInterface extends GoTyped {
  constructor(readonly value: GoValue) {
    super();
  }
  goType(): string {
    return 'interface {}';
  }
  kind(): ReturnType<GoTyped['kind']> {
    return 'interface';
  }
  override isNil(): boolean {
    return this.value === null || this.value === undefined;
  }
  toJSONValue(): unknown {
    return this.value instanceof GoTyped ? this.value.toJSONValue() : this.value;
  }
}
