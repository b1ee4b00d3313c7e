import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { editedFleet, replaceOnce, useTestChartMirror } from '../helpers/validate.ts';
import { cacheDir } from '../../scripts/lib/cache.ts';
import { runValidate } from '../../scripts/validate/run.ts';

test('a cached render rewritten in the cache is never checked as if the chart had rendered it', async (t) => {
  await useTestChartMirror();
  // A render of its own (a unique pod annotation), so the forgery below touches no other test's cached render.
  const root = await editedFleet({
    'clusters/dev-1.yaml': replaceOnce(
      '  prometheus:\n    enabled: true\n',
      `  prometheus:\n    enabled: true\n    values:\n      server:\n        podAnnotations:\n          render-cache-trust: "${randomUUID()}"\n`,
    ),
  });
  const first = await runValidate({ root, clusters: ['dev-1'] });
  const leaf = first.rendered.find((r) => r.leaf.app === 'prometheus')!;
  const [file] = readdirSync(cacheDir('renders'))
    .filter((f) => f.startsWith(`${leaf.renderKey}.`) && f.endsWith('.yaml'))
    .map((f) => cacheDir('renders', f));
  const [signature] = readFileSync(file!, 'utf8').split('\n');
  assert.match(readFileSync(file!, 'utf8'), /kind: Deployment/);
  // What a forger would leave: a harmless render under the old signature (without the key, no new one).
  t.after(() => rmSync(file!, { force: true }));
  writeFileSync(file!, `${signature}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nothing-to-see\n`);
  const cli = await runCli('validate', ['--root', root, '--cluster', 'dev-1', '--no-cache']);
  assert.equal(cli.code, 2, cli.stderr);
  assert.match(cli.stderr, /the cached render \S+ does not verify with the cache key \(edited in the cache\); it was not used/);
});
