import type { Finding } from '../lib/findings.ts';
import type { Dashboard, RuleFile } from './types.ts';

/** Prometheus refuses two rule groups with one name in a rule file; all base files become one file. */
export function checkRuleGroupNames(rules: RuleFile[]): Finding[] {
  const seen = new Map<string, string>();
  const findings: Finding[] = [];
  for (const { file, groups } of rules) {
    for (const group of groups) {
      const name = String(group.name);
      const first = seen.get(name);
      if (first) findings.push({ file, message: `rule group '${name}' is also defined in ${first}`, hint: 'give every rule group a unique name' });
      else seen.set(name, file);
    }
  }
  return findings;
}

/** Grafana keeps one dashboard per uid; a second one silently replaces the first. */
export function checkDashboardUids(dashboards: Dashboard[]): Finding[] {
  const seen = new Map<string, string>();
  const findings: Finding[] = [];
  for (const { file, uid } of dashboards) {
    const first = seen.get(uid);
    if (first) findings.push({ file, message: `dashboard uid '${uid}' is also used by ${first}`, hint: 'give every dashboard a unique uid' });
    else seen.set(uid, file);
  }
  return findings;
}
