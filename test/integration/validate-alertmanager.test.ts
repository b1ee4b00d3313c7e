import assert from 'node:assert/strict';
import { test } from 'node:test';
import { editedFleet, findingsOf, replaceOnce, validateFleet } from '../helpers/validate.ts';

const VALUES = 'base/prometheus/values.yaml';
const ROUTING_TESTS = 'base/prometheus/routing-tests.yaml';

/** The line (1-based) of the first line of `file` in the fleet copy that contains `text`. */
async function lineOf(root: string, file: string, text: string): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const lines = (await readFile(`${root}/${file}`, 'utf8')).split('\n');
  const i = lines.findIndex((l) => l.includes(text));
  assert.ok(i >= 0, `${text} not in ${file}`);
  return i + 1;
}

test('a misspelt route matcher sends critical alerts to Slack only: a routing finding at the case, on each cluster', async () => {
  const root = await editedFleet({ [VALUES]: replaceOnce('- severity="critical"', '- severity="crtical"') });
  const line = await lineOf(root, ROUTING_TESTS, 'name: a critical alert');
  const out = findingsOf(await validateFleet(root, ['dev-1', 'prod-eu-1']), 'routing');
  const expected = (cluster: string) =>
    `${ROUTING_TESTS}:${line}:5 [${cluster}/prometheus StatefulSet/prometheus-alertmanager]: 'a critical alert goes to Slack and, as well, to e-mail': an alert with alertname="NodeExporterDown", severity="critical", cluster="prod-eu-1" goes to slack; expected slack, email (amtool config routes test on /etc/alertmanager/alertmanager.yml)`;
  assert.deepEqual(
    out.map((f) => f.split('\n')[0]),
    [expected('dev-1'), expected('prod-eu-1')],
  );
  assert.match(out[0]!, /fix: fix alertmanager\.config\.route in base\/prometheus\/values\.yaml .*continue: true/);
});

test('the route as it was (e-mail takes critical alerts from Slack) fails the critical case; an unknown expected receiver is named', async () => {
  const root = await editedFleet({
    [VALUES]: replaceOnce('        - receiver: slack\n          continue: true\n', ''),
    [ROUTING_TESTS]: replaceOnce('    receivers: [slack]\n  - name: a critical', '    receivers: [slak]\n  - name: a critical'),
  });
  const out = findingsOf(await validateFleet(root), 'routing');
  assert.equal(out.length, 2, out.join('\n'));
  assert.match(
    out[0]!,
    /HighCpuUsage.* goes to slack; expected slak .*\n {4}fix: slak is not a receiver of alertmanager\.config\.receivers \(it has slack, email\)/,
  );
  assert.match(out[1]!, /NodeExporterDown.* goes to email; expected slack, email/);
});

test('a receiver template calling an undefined function is a finding at the values line that writes it', async () => {
  const root = await editedFleet({ [VALUES]: replaceOnce('{{ .Status | toUpper }}', '{{ .Status | nosuchfunc }}') });
  const line = await lineOf(root, VALUES, 'title: ');
  const out = findingsOf(await validateFleet(root, ['dev-1', 'staging-1']), 'templates');
  assert.deepEqual(out, [
    `${VALUES}:${line}:13 [dev-1/prometheus StatefulSet/prometheus-alertmanager]: receiver 'slack' slack_configs[0].title does not render with a firing warning alert, a firing critical alert, a resolved alert: template: :1: function "nosuchfunc" not defined\n    fix: fix the template (functions and data: https://prometheus.io/docs/alerting/latest/notifications/); try it with amtool template render --template.text='…'`,
  ]);
});

test('a template that fails only on some alerts, set in an environment layer, is reported there with those alerts', async () => {
  const override = [
    'alertmanager:',
    '  config:',
    '    receivers:',
    '      - name: slack',
    '        slack_configs:',
    '          - api_url_file: /etc/alertmanager/secrets/slack-webhook-url',
    '            channel: "#prod-alerts"',
    '      - name: email',
    '        email_configs:',
    '          - to: oncall@example.com',
    '            headers:',
    "              Subject: '{{ (index .Alerts.Resolved 0).Labels.alertname }} resolved'",
  ].join('\n');
  const root = await editedFleet({ 'overlays/prod/prometheus.values.yaml': replaceOnce('alertmanager:\n', `${override}\n`) });
  const line = await lineOf(root, 'overlays/prod/prometheus.values.yaml', 'Subject:');
  const out = findingsOf(await validateFleet(root, ['prod-eu-1', 'dev-1']), 'templates');
  assert.equal(out.length, 1, out.join('\n'));
  assert.match(
    out[0]!,
    new RegExp(
      `^overlays/prod/prometheus\\.values\\.yaml:${line}:15 \\[prod-eu-1/prometheus .*\\]: receiver 'email' email_configs\\[0\\]\\.headers\\.Subject does not render with a firing warning alert, a firing critical alert: .*index out of range`,
    ),
  );
});

test('a routing-tests file that is not valid YAML, or breaks its schema, is an inventory finding at its line', async () => {
  const badYaml = await editedFleet({ [ROUTING_TESTS]: replaceOnce('    receivers: [slack, email]', '    receivers: [slack, email') }, { regenerate: false });
  const yamlOut = findingsOf(await validateFleet(badYaml), 'inventory');
  assert.ok(
    yamlOut.some((f) => new RegExp(`^${ROUTING_TESTS}:\\d+:\\d+: .*\\n {4}fix: fix the YAML syntax at this position`).test(f)),
    yamlOut.join('\n'),
  );
  const badSchema = await editedFleet({ [ROUTING_TESTS]: replaceOnce('    receivers: [slack, email]', '    receivers: slack') }, { regenerate: false });
  const line = await lineOf(badSchema, ROUTING_TESTS, 'receivers: slack');
  const schemaOut = findingsOf(await validateFleet(badSchema), 'inventory');
  assert.deepEqual(
    schemaOut.map((f) => f.split('\n')[0]!.replace(/: .*/, '')),
    [`${ROUTING_TESTS}:${line}:16`],
    schemaOut.join('\n'),
  );
  assert.match(schemaOut[0]!, /receivers/);
});
