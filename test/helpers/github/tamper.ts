/** Test-only: rewrites an answer's body before the contract check, to prove the check catches a wrong shape. */
export interface TamperRule {
  /** 'METHOD template', e.g. 'GET /repos/{owner}/{repo}/pulls/{pull_number}'; any route when absent. */
  route?: string;
  /** How many matching answers to rewrite; default 1. */
  times?: number;
  /** Returns the body to send instead (may mutate and return the one given). */
  mutate(body: unknown): unknown;
}

export class TamperQueue {
  private readonly rules: Array<TamperRule & { left: number }> = [];

  add(rule: TamperRule): void {
    this.rules.push({ ...rule, left: rule.times ?? 1 });
  }

  /** `reply` with its body rewritten by the first rule matching `routeKey` (consumed), else unchanged. */
  apply<R extends { body?: unknown }>(routeKey: string, reply: R): R {
    const index = this.rules.findIndex((r) => r.route === undefined || r.route === routeKey);
    const rule = this.rules[index];
    if (!rule) return reply;
    if (--rule.left <= 0) this.rules.splice(index, 1);
    return { ...reply, body: rule.mutate(reply.body) };
  }
}
