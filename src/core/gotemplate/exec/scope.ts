// Variables resolved at compile time to slots of a frame (one per template invocation). Go keeps a
// runtime stack searched by name; the parser's lexical rules make the innermost visible declaration the
// one Go finds, so a slot index answers the same. A slot never assigned reads as Go's "undefined variable".
import type { GoFunction } from '../value.ts';

export class Scope {
  private readonly names: string[] = ['$'];
  private readonly slots: number[] = [0];
  nextSlot = 1;
  mark(): number {
    return this.names.length;
  }
  pop(mark: number): void {
    this.names.length = mark;
    this.slots.length = mark;
  }
  declare(name: string): number {
    const slot = this.nextSlot++;
    this.names.push(name);
    this.slots.push(slot);
    return slot;
  }
  /** The slot of the innermost visible `name`, or -1. */
  lookup(name: string): number {
    for (let i = this.names.length - 1; i >= 0; i--) if (this.names[i] === name) return this.slots[i] as number;
    return -1;
  }
}

export interface CompiledTemplate {
  name: string;
  run: ((s: import('./state.ts').ExecState, dot: import('../value.ts').GoValue, vars: import('./state.ts').Frame) => number) | undefined;
  frameSize: number;
}

/** What compiling one tree needs: its variables, the functions, the set's templates by name. */
export interface CompileContext {
  scope: Scope;
  functions: ReadonlyMap<string, GoFunction>;
  templates: ReadonlyMap<string, CompiledTemplate>;
}
