import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { valuesLayers } from '../../generate/values.ts';
import { mapLimit, TOOL_CONCURRENCY } from '../../lib/concurrency.ts';
import { sandboxesToRun } from '../passed-before.ts';
import { run, tail } from '../../lib/exec.ts';
import type { Finding } from '../../lib/findings.ts';
import { isMap } from '../../lib/values.ts';
import { ALERT_SAMPLES } from '../alert-samples.ts';
import { alertmanagerConfigs, type AlertmanagerConfig } from '../alertmanager-configs.ts';
import { templatedFields, type TemplatedField } from '../receiver-fields.ts';
import { groupInputs } from '../tool-files.ts';
import type { Check, ValidateContext } from '../types.ts';
import { locateValue } from '../values-source.ts';

/** Where the chart takes the Alertmanager config from in its values (the alertmanager subchart's `config`). */
const CONFIG_IN_VALUES = ['alertmanager', 'config'];

/** A field that fails to render, with the samples it fails on and amtool's reason for the first. */
interface Failure {
  field: TemplatedField;
  samples: string[];
  error: string;
}

/** The data file of one sample for one receiver (`.Receiver` is the receiver's name), written once per run. */
function sampleFile(workDir: string, sample: number, receiver: string): string {
  const dir = join(workDir, 'alert-samples');
  const path = join(dir, `${sample}-${createHash('sha256').update(receiver).digest('hex').slice(0, 12)}.json`);
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, JSON.stringify(ALERT_SAMPLES[sample]!.data(receiver)));
  }
  return path;
}

/** The config's `templates` globs inside the sandbox amtool reads (none: a glob that matches nothing, as amtool needs one). */
function templateGlobs(config: AlertmanagerConfig): string[] {
  const root = config.path!.slice(0, config.path!.length - config.configFile.length);
  const written = isMap(config.mounted.config) && Array.isArray(config.mounted.config.templates) ? config.mounted.config.templates : [];
  const globs = written.filter((t): t is string => typeof t === 'string').map((t) => root + posix.resolve(posix.dirname(config.configFile), t));
  return globs.length ? globs : [join(root, '.no-templates')];
}

/** Renders `text` with one sample; undefined when it renders, amtool's reason when it does not. */
async function render(ctx: ValidateContext, globs: string[], text: string, type: string, data: string): Promise<string | undefined> {
  const args = [
    'template',
    'render',
    ...globs.map((g) => `--template.glob=${g}`),
    `--template.text=${text}`,
    `--template.type=${type}`,
    `--template.data=${data}`,
  ];
  const result = await run(ctx.tools.amtool, args);
  return result.exitCode === 0 ? undefined : tail(result.stderr.trim() || result.stdout.trim(), 5).replace(/^amtool: error: /, '');
}

/**
 * One amtool run per receiver, template type and sample renders all of its fields (each in a template of its
 * own, so one field cannot close another's action); only a run that fails is repeated per field, to name it.
 */
async function renderFields(ctx: ValidateContext, config: AlertmanagerConfig): Promise<Failure[]> {
  const globs = templateGlobs(config);
  const batches = new Map<string, TemplatedField[]>();
  for (const f of templatedFields(config.mounted.config)) batches.set(`${f.receiver}\0${f.type}`, [...(batches.get(`${f.receiver}\0${f.type}`) ?? []), f]);
  const runs = [...batches.values()].flatMap((fields) =>
    ALERT_SAMPLES.map((_, sample) => ({ fields, sample, data: sampleFile(ctx.workDir, sample, fields[0]!.receiver) })),
  );
  const combined = (fields: TemplatedField[]) =>
    fields.map((f, i) => `{{ define "monitoring-gitops.field.${i}" }}${f.text}{{ end }}`).join('') +
    fields.map((_, i) => `{{ template "monitoring-gitops.field.${i}" . }}`).join('\n');
  const batchErrors = await mapLimit(runs, TOOL_CONCURRENCY, (r) => render(ctx, globs, combined(r.fields), r.fields[0]!.type, r.data));
  const single = runs.filter((_, i) => batchErrors[i]).flatMap((r) => r.fields.map((field) => ({ field, sample: r.sample, data: r.data })));
  const errors = await mapLimit(single, TOOL_CONCURRENCY, (s) => render(ctx, globs, s.field.text, s.field.type, s.data));
  const failures = new Map<TemplatedField, Failure>();
  single.forEach((s, i) => {
    if (!errors[i]) return;
    const known = failures.get(s.field) ?? { field: s.field, samples: [], error: errors[i]! };
    known.samples.push(ALERT_SAMPLES[s.sample]!.name);
    failures.set(s.field, known);
  });
  return [...failures.values()];
}

const formatField = (path: (string | number)[]) => path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${p}` : p)).join('');

function finding(ctx: ValidateContext, owner: AlertmanagerConfig, { field, samples, error }: Failure): Finding {
  const { leaf } = owner;
  const env = ctx.inventory.environments.find((e) => e.name === leaf.cluster.environment)!;
  // A default is reported at the notifier config that leaves the field unset.
  const path = [...CONFIG_IN_VALUES, ...(field.defaulted ? field.path.slice(0, 4) : field.path)];
  const where = locateValue(ctx, valuesLayers(ctx.inventory, env, leaf.cluster, leaf.app), path) ?? { file: `${leaf.dir}/values.yaml` };
  const name = formatField(field.path.slice(2));
  const what = field.defaulted ? `${name} (not set: Alertmanager's default ${field.text})` : name;
  return {
    check: 'templates',
    cluster: leaf.cluster.name,
    app: leaf.app,
    resource: owner.workload,
    ...where,
    message: `receiver '${field.receiver}' ${what} does not render with ${samples.join(', ')}: ${error}`,
    hint: field.defaulted
      ? `a file of alertmanager.templates redefines a template this default calls: fix that file, or set ${name} yourself`
      : `fix the template (functions and data: https://prometheus.io/docs/alerting/latest/notifications/); try it with amtool template render --template.text='…'`,
  };
}

/** Every receiver's templated fields, written or defaulted, rendered by amtool with sample alerts. */
export const templatesCheck: Check = {
  name: 'templates',
  title: 'Receiver templates render with sample alerts (amtool template render)',
  scope: 'leaf',
  sharedAcrossClusters: true,
  async run(ctx) {
    const inputs = groupInputs(alertmanagerConfigs(ctx).flatMap((c) => (c.path ? [{ path: c.path, owner: c }] : [])));
    // The sample alerts are the toolkit's own: the memo holding the passes is tied to its version.
    const { todo, remember } = sandboxesToRun(ctx, 'amtool template render', inputs);
    const findings: Finding[] = [];
    for (const input of todo) {
      const failures = await renderFields(ctx, input.owners[0]!);
      for (const owner of input.owners) findings.push(...failures.map((f) => finding(ctx, owner, f)));
      if (!failures.length) remember([input]);
    }
    return findings;
  },
};
