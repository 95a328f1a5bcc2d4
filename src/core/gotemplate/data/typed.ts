// The common part of the data model's Go values: a Go type name (as %T prints it) and its kind.
import { GoTyped } from '../value.ts';

export type GoKind = ReturnType<GoTyped['kind']>;

export abstract class GoOfType<K extends GoKind> extends GoTyped {
  constructor(
    readonly type: string,
    private readonly goKind: K,
  ) {
    super();
  }
  goType(): string {
    return this.type;
  }
  kind(): K {
    return this.goKind;
  }
}
