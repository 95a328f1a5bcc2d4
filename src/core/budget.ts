// A request's time budget, without a clock: the edge passes `overBudget()` (it owns the clock), and
// the core asks it between stages and inside its per-object and per-container loops. A request over
// its budget gets a prompt, clear refusal instead of holding the event loop (and the API server's
// 10 s webhook timeout) hostage.
import { InjectionError } from './errors.ts';

export interface Budget {
  /** True once the request has used its time; asked between steps, so keep it cheap. */
  overBudget?: () => boolean;
}

/** Throws BUDGET_EXCEEDED, naming the step, when the request is over its budget. */
export function checkBudget(budget: Budget, step: string): void {
  if (budget.overBudget?.() === true) {
    throw new InjectionError(
      'BUDGET_EXCEEDED',
      `the injector ran out of its time budget for this request while ${step}: the input is too large or too complex to inject in time`,
      step,
    );
  }
}
