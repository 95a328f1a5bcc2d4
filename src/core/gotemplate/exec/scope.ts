// Variables resolved at compile time to slots of a frame (one per template invocation). Go keeps a
// runtime stack searched by name; the parser's lexical rules make the innermost visible declaration the
// one Go finds, so a slot index answers the same. A slot never assigned reads as Go's "undefined variable".
import type { GoFunction } from '../value.ts';

/** The variables a top-level statement reads and writes (top-level.ts), and whether it changes a map. */
export interface Uses {
  reads: Set<number>;
  writes: Set<number>;
  mutates: boolean;
}

export class Scope {
  private readonly names: string[] = ['$'];
  private readonly slots: number[] = [0];
  nextSlot = 1;
  /** Set while a top-level statement compiles: what it reads and writes is noted there. */
  uses: Uses | undefined;
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
    const slot = this.find(name);
    if (slot > 0) this.uses?.reads.add(slot);
    return slot;
  }
  /** The slot `$name = ...` assigns, or -1. */
  assign(name: string): number {
    const slot = this.find(name);
    if (slot > 0) this.uses?.writes.add(slot);
    return slot;
  }
  /** Whether a variable declared in `slot` is still in scope. */
  visible(slot: number): boolean {
    return this.slots.includes(slot);
  }
  private find(name: string): number {
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
