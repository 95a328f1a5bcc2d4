// The common part of the data model's Go values: a Go type name (as %T prints it) and its kind.
import { GoTyped } from '../value.ts';

export type GoKind = ReturnType<GoTyped['kind']>;

export abstract class GoOfType<K extends GoKind> extends GoTyped {
  // Assigned, not class fields: every subclass runs this constructor, and defining fields here made it
  // the hottest function of building the data (V8's define-field path went megamorphic across subclasses).
  declare readonly type: string;
  declare private readonly goKind: K;
  constructor(type: string, kind: K) {
    super();
    (this as { type: string }).type = type;
    (this as unknown as { goKind: K }).goKind = kind;
  }
  goType(): string {
    return this.type;
  }
  kind(): K {
    return this.goKind;
  }
}
