import type { Check } from '../types.ts';
import { accessCheck } from './access.ts';
import { amtoolCheck } from './amtool.ts';
import { dashboardsCheck, datasourcesCheck } from './dashboards.ts';
import { kubeconformCheck } from './kubeconform.ts';
import { projectCheck, renderCheck } from './leaves.ts';
import { promtoolCheck } from './promtool.ts';
import { routingCheck } from './routing.ts';
import { templatesCheck } from './templates.ts';
import { actionlintCheck, generatedCheck, secretsCheck } from './repository.ts';
import { valuesKeysCheck } from './values-keys.ts';
import { valuesSchemaCheck } from './values-schema.ts';

/** Every check, in the order the README's Validation section lists them; validate runs them all and collects every finding. */
export const CHECKS: Check[] = [
  generatedCheck,
  renderCheck,
  kubeconformCheck,
  promtoolCheck,
  amtoolCheck,
  routingCheck,
  templatesCheck,
  valuesSchemaCheck,
  valuesKeysCheck,
  dashboardsCheck,
  datasourcesCheck,
  accessCheck,
  projectCheck,
  secretsCheck,
  actionlintCheck,
];
