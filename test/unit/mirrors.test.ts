import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMirrorPairs, readMirrorMap, resolveRepository } from '../../scripts/inventory/mirrors.ts';
import { tempRepo } from '../helpers/repo.ts';

test('the longest canonical prefix wins and the rest of the URL is kept', () => {
  const mirrors = parseMirrorPairs('https://charts.example.com=http://127.0.0.1:1/all, https://charts.example.com/prometheus/=http://127.0.0.1:2/p');
  assert.equal(resolveRepository('https://charts.example.com/prometheus', mirrors), 'http://127.0.0.1:2/p');
  assert.equal(resolveRepository('https://charts.example.com/grafana/', mirrors), 'http://127.0.0.1:1/all/grafana');
  assert.equal(resolveRepository('https://charts.example.community', mirrors), 'https://charts.example.community', 'a prefix must end at a path boundary');
  assert.equal(resolveRepository('oci://ghcr.io/x/charts', mirrors), 'oci://ghcr.io/x/charts');
});

test('a malformed pair is a usage error naming the variable', () => {
  assert.throws(() => parseMirrorPairs('https://a.example.com'), /MONITORING_GITOPS_HELM_MIRRORS: 'https:\/\/a\.example\.com' is not canonical=mirror/);
});

test('helm-mirrors.yaml is read and the environment variable overrides it entry by entry', async () => {
  const root = await tempRepo({ 'helm-mirrors.yaml': 'https://a.example.com: http://mirror-a\nhttps://b.example.com: http://mirror-b\n' });
  const map = readMirrorMap(root, { MONITORING_GITOPS_HELM_MIRRORS: 'https://b.example.com=http://override-b' });
  assert.deepEqual(
    [...map],
    [
      ['https://a.example.com', 'http://mirror-a'],
      ['https://b.example.com', 'http://override-b'],
    ],
  );
});
