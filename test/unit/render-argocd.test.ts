import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { configMapData } from '../../scripts/fleet/argocd-config.ts';
import { ARGOCD_BUILD_OPTIONS, argoCdKustomizeArgs, servedApiVersions } from '../../scripts/render/argocd-build.ts';
import { parseToolVersions } from '../../scripts/tools/argocd-release.ts';
import { checkModuleMajor, checkSameReplaces, checkWrapperRequires } from '../../scripts/tools/install.ts';
import { withEmbedded } from '../../scripts/tools/embeds.ts';
import type { ToolName } from '../../scripts/tools/pins.ts';

const root = new URL('../../', import.meta.url).pathname;

test('validate renders with the build options the repository ships for Argo CD', () => {
  const data = configMapData(readFileSync(`${root}bootstrap/argocd-cm.yaml`, 'utf8'), 'argocd-cm');
  assert.equal(data['kustomize.buildOptions'], ARGOCD_BUILD_OPTIONS);
});

test("kustomize gets the repo-server's flags: the destination's version and every API it serves", () => {
  assert.deepEqual(argoCdKustomizeArgs('/leaf', 'v1.34.2', ['apps/v1', 'apps/v1/Deployment']), [
    'build',
    '/leaf',
    '--enable-helm',
    '--helm-kube-version',
    '1.34.2',
    '--helm-api-versions',
    'apps/v1',
    '--helm-api-versions',
    'apps/v1/Deployment',
  ]);
  assert.deepEqual(argoCdKustomizeArgs('/leaf', '1.34.2', ['v1'], '--load-restrictor LoadRestrictionsNone'), [
    'build',
    '/leaf',
    '--load-restrictor',
    'LoadRestrictionsNone',
  ]);
  assert.deepEqual(servedApiVersions({ 'apps/v1/Deployment': 'Namespaced', 'v1/Namespace': 'Cluster', 'v1/Pod': 'Namespaced' }), [
    'apps/v1',
    'apps/v1/Deployment',
    'v1',
    'v1/Namespace',
    'v1/Pod',
  ]);
});

test('the helm and kustomize of an Argo CD release are read from its tool-versions.sh', () => {
  const text = '# renovate: datasource=github-releases depName=helm/helm\nHELM_VERSION=4.3.1\nKUSTOMIZE_VERSION=5.8.3\nprotoc_version=29.3\n';
  assert.deepEqual(parseToolVersions(text, 'v3.6.1'), { helm: 'v4.3.1', kustomize: 'v5.8.3' });
  assert.throws(() => parseToolVersions('HELM_VERSION=4.3.1\n', 'v9.9.9'), /Argo CD v9\.9\.9's hack\/tool-versions\.sh has no KUSTOMIZE_VERSION/);
});

test('pins that disagree with the Argo CD release, or with a wrapper module, fail with the fix', () => {
  assert.doesNotThrow(() => checkModuleMajor('helm', 'helm.sh/helm/v4', 'v4.3.1'));
  assert.throws(
    () => checkModuleMajor('helm', 'helm.sh/helm/v4', 'v5.0.0'),
    /Argo CD v3\.6\.1 bundles helm v5\.0\.0, but tools\.helm builds helm\.sh\/helm\/v4 \(major v4\)\nfix: set tools\.helm\.module and \.package to the v5 module path/,
  );
  const pin = {
    package: 'sigs.k8s.io/kustomize/kustomize/v5',
    module: 'sigs.k8s.io/kustomize/kustomize/v5',
    version: 'v5.9.0',
    wrapper: 'tools/kustomize',
    bundledWith: 'argocd' as const,
  };
  assert.throws(
    () => checkWrapperRequires('kustomize', pin, 'module x\n\nrequire sigs.k8s.io/kustomize/kustomize/v5 v5.8.3 // indirect\n'),
    /tools\/kustomize\/go\.mod requires sigs\.k8s\.io\/kustomize\/kustomize\/v5 v5\.8\.3, but kustomize is pinned to v5\.9\.0 \(the version Argo CD v3\.6\.1 bundles\)\nfix: in tools\/kustomize run `go get sigs\.k8s\.io\/kustomize\/kustomize\/v5@v5\.9\.0 && go mod tidy`/,
  );
  assert.doesNotThrow(() =>
    checkWrapperRequires('kustomize', { ...pin, version: 'v5.8.3' }, 'require sigs.k8s.io/kustomize/kustomize/v5 v5.8.3 // indirect\n'),
  );
});

test('the leaf renderer is pinned by the kustomize and helm it embeds: its wrapper must require both at their pins', () => {
  const kustomize = { package: 'k', module: 'sigs.k8s.io/kustomize/kustomize/v5', version: 'v5.8.3', bundledWith: 'argocd' as const };
  const helm = { package: 'h', module: 'helm.sh/helm/v4', version: 'v4.3.1', bundledWith: 'argocd' as const, ldflags: '-X v=v4.3.1' };
  const spec = { package: 'r', module: 'r', wrapper: 'tools/leaf-renderer', embeds: ['kustomize', 'helm'] as ToolName[] };
  const pin = withEmbedded(spec, [kustomize, helm]);
  assert.match(pin.version, /^kustomize-v5\.8\.3\+helm-v4\.3\.1\+src-[0-9a-f]{12}$/);
  assert.equal(pin.ldflags, '-X v=v4.3.1', "helm's version is what its version command prints");
  assert.notEqual(withEmbedded(spec, [kustomize, { ...helm, version: 'v4.3.2' }]).version, pin.version);
  const goMod = 'require (\n\thelm.sh/helm/v4 v4.3.1\n\tsigs.k8s.io/kustomize/kustomize/v5 v5.8.3\n)\n';
  assert.doesNotThrow(() => checkWrapperRequires('leafRenderer', pin, goMod));
  assert.throws(
    () => checkWrapperRequires('leafRenderer', pin, goMod.replace('v4.3.1', 'v4.2.0')),
    /tools\/leaf-renderer\/go\.mod requires helm\.sh\/helm\/v4 v4\.2\.0, but leafRenderer is pinned to v4\.3\.1 \(the version Argo CD v3\.6\.1 bundles\)/,
  );
});

test("the leaf renderer's go.mod replaces what tools/kustomize's does: kustomize builds from the same module graph", () => {
  const read = (wrapper: string) => readFileSync(`${root}${wrapper}/go.mod`, 'utf8');
  assert.doesNotThrow(() => checkSameReplaces('tools/leaf-renderer', read('tools/leaf-renderer'), 'tools/kustomize', read('tools/kustomize')));
  assert.throws(
    () => checkSameReplaces('tools/leaf-renderer', read('tools/leaf-renderer').replace(/^replace .*$/m, ''), 'tools/kustomize', read('tools/kustomize')),
    /tools\/leaf-renderer\/go\.mod lacks tools\/kustomize\/go\.mod's replace k8s\.io\/kube-openapi => /,
  );
});
