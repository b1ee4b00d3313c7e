import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { readmeBootstrapBlocks, unknownBootstrapBlocks } from '../e2e/bootstrap.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

test("the README's Bootstrap commands are the blocks the e2e runs, each one it knows", () => {
  const blocks = readmeBootstrapBlocks(readme);
  assert.equal(blocks.length, 5, blocks.join('\n---\n'));
  assert.match(blocks[0]!, /^kubectl apply --server-side --field-manager=monitoring-gitops -f bootstrap\/argocd-cm\.yaml$/);
  assert.match(blocks.at(-1)!, /apps\/fleet-\*\.yaml/, 'bootstrap applies the fleet roots only');
  assert.deepEqual(unknownBootstrapBlocks(readme), []);
});

test('a Bootstrap block the e2e does not know is reported, so README and e2e cannot drift apart', () => {
  const edited = readme.replace('## Bootstrap Argo CD\n', '## Bootstrap Argo CD\n\n   ```sh\n   kubectl -n argocd apply -f bootstrap/extra.yaml\n   ```\n');
  assert.deepEqual(unknownBootstrapBlocks(edited), ['kubectl -n argocd apply -f bootstrap/extra.yaml']);
});
