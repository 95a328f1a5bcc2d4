// The oracle's typed fixture (oracle/fixture.go) as GoTyped values, the way the data model presents Go
// structs to the executor: fields and niladic methods through field(), methods with arguments through
// method(), nil pointers, named ints with String(), typed maps and slices.
import { GoTyped, type GoFunction, type GoValue } from '../../src/core/gotemplate/value.ts';
import { GoFuncValue, GoUint } from '../../src/core/gotemplate/exec/values.ts';

type Kind = ReturnType<GoTyped['kind']>;

class GoInt32 extends GoTyped {
  constructor(
    readonly type: string,
    readonly n: bigint,
    readonly name?: (n: bigint) => string,
  ) {
    super();
  }
  goType(): string {
    return this.type;
  }
  kind(): Kind {
    return 'int';
  }
  override scalar(): GoValue {
    return this.n;
  }
  override formatV(): string | undefined {
    return this.name?.(this.n);
  }
  override method(name: string): GoFunction | undefined {
    const label = this.name;
    return name === 'String' && label ? { params: [], call: () => label(this.n) } : undefined;
  }
  toJSONValue(): unknown {
    return this.n;
  }
}

class InnerPtr extends GoTyped {
  constructor(readonly inner: { Value: boolean; Label: string } | null) {
    super();
  }
  goType(): string {
    return '*main.Inner';
  }
  kind(): Kind {
    return 'ptr';
  }
  override isNil(): boolean {
    return this.inner === null;
  }
  override field(name: string): { value: GoValue } | undefined {
    if (name === 'GetValue') return { value: this.inner?.Value ?? false };
    if (this.inner !== null && (name === 'Value' || name === 'Label')) return { value: this.inner[name] };
    return undefined;
  }
  override formatV(): string | undefined {
    return this.inner === null ? undefined : `&{${this.inner.Value} ${this.inner.Label}}`;
  }
  toJSONValue(): unknown {
    return this.inner;
  }
}

class StringMap extends GoTyped {
  constructor(readonly m: Record<string, string> | null) {
    super();
  }
  goType(): string {
    return 'map[string]string';
  }
  kind(): Kind {
    return 'map';
  }
  override isNil(): boolean {
    return this.m === null;
  }
  override field(name: string): { value: GoValue } {
    return { value: this.m !== null && Object.hasOwn(this.m, name) ? this.m[name] : undefined };
  }
  override entries(): Array<[GoValue, GoValue]> {
    return Object.entries(this.m ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  }
  toJSONValue(): unknown {
    return this.m;
  }
}

class StringSlice extends GoTyped {
  constructor(readonly items: string[] | null) {
    super();
  }
  goType(): string {
    return '[]string';
  }
  kind(): Kind {
    return 'slice';
  }
  override isNil(): boolean {
    return this.items === null;
  }
  override entries(): Array<[GoValue, GoValue]> {
    return (this.items ?? []).map((s, i) => [BigInt(i), s]);
  }
  toJSONValue(): unknown {
    return this.items;
  }
}

class FixturePtr extends GoTyped {
  private readonly fields: Record<string, GoValue> = {
    Name: 'fix',
    Count: new GoInt32('int32', 3n),
    Port: new GoUint('uint32', 8080n),
    Ratio: 0.5,
    Mode: new GoInt32('main.Mode', 1n, (n) => (n === 1n ? 'MODE_B' : 'MODE_A')),
    Inner: new InnerPtr({ Value: true, Label: 'lbl' }),
    NilInner: new InnerPtr(null),
    Tags: new StringMap({ b: '2', a: '1' }),
    Labels: new StringMap(null),
    List: new StringSlice(['x', 'y', 'z']),
    Empty: new StringSlice(null),
    Fn: new GoFuncValue({ params: ['string'], call: (v) => `fn:${v as string}` }, 'func(string) string'),
  };
  goType(): string {
    return '*main.Fixture';
  }
  kind(): Kind {
    return 'ptr';
  }
  override field(name: string): { value: GoValue } | undefined {
    if (name === 'GetInner') return { value: this.fields.Inner };
    return Object.hasOwn(this.fields, name) ? { value: this.fields[name] } : undefined;
  }
  override method(name: string): GoFunction | undefined {
    if (name === 'Greet') return { params: ['string'], call: (who) => `hi ${who as string} from fix` };
    if (name === 'Fail')
      return {
        params: [],
        call: () => {
          throw new Error('fixture failed');
        },
      };
    return undefined;
  }
  toJSONValue(): unknown {
    return {};
  }
}

export const fixture = (): GoValue => new FixturePtr();
