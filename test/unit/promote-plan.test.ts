import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arrivalOf } from '../../scripts/inventory/arrivals.ts';
import { setPin } from '../../scripts/promote/pins-edit.ts';
import { planPromotion, type PromotionState } from '../../scripts/promote/plan.ts';
import { compareVersions, versionGap } from '../../scripts/lib/versions.ts';
import type { Inventory } from '../../scripts/inventory/types.ts';

const pin = (version: string, values?: Record<string, unknown>) => ({
  repoURL: 'https://charts.example.com',
  chart: 'prometheus',
  version,
  ...(values ? { values } : {}),
});
const PINS_TEXT = '# staging pins\nprometheus:\n  repoURL: https://charts.example.com\n  chart: prometheus\n  version: 1.0.0 # keep me\n';

function state(pins: Record<string, ReturnType<typeof pin>>, overrides: Partial<PromotionState> = {}): PromotionState {
  const inventory = {
    fleet: { repoURL: 'https://git.example.com/x.git', targetRevision: 'main', environments: ['dev', 'staging', 'prod'] },
    clusters: [],
    environments: ['dev', 'staging', 'prod'].map((name) => ({ name, pins: { prometheus: pins[name] }, values: {} })),
    base: { values: {}, rules: [], routingTests: [], dashboards: [] },
  } as unknown as Inventory;
  return {
    inventory,
    targetPinsText: PINS_TEXT,
    sourceCommit: 'c0ffee',
    arrivals: {},
    now: new Date('2026-11-26T12:00:00Z'),
    targetProblems: [],
    ...overrides,
  };
}

test('semver ordering knows pre-releases and numeric parts', () => {
  assert.ok(compareVersions('29.10.0', '29.9.0') > 0);
  assert.ok(compareVersions('1.0.0-rc.1', '1.0.0') < 0);
  assert.ok(compareVersions('1.0.0-rc.10', '1.0.0-rc.9') > 0);
  assert.equal(versionGap('1.2.3', '1.3.0'), 'minor');
  assert.equal(versionGap('1.2.3', '2.0.0'), 'major');
  assert.ok(compareVersions('1.0.0-A', '1.0.0-a') < 0, 'pre-release identifiers compare in ASCII order (SemVer 2.0 §11)');
  assert.ok(compareVersions('1.10', '1.9') > 0, 'versions that are not semver still compare by number');
  assert.ok(compareVersions('1.26.8', '1.26') > 0);
});

test('the next hop moves the version and edits the target pins in place', () => {
  const { plan, refusals } = planPromotion(state({ dev: pin('1.1.0'), staging: pin('1.0.0') }), { from: 'dev', to: 'staging' });
  assert.deepEqual(refusals, []);
  assert.equal(plan!.branch, 'promote/dev-to-staging/all');
  assert.deepEqual(
    plan!.moves.map((m) => [m.app, m.versionChange]),
    [['prometheus', { from: '1.0.0', to: '1.1.0' }]],
  );
  assert.equal(plan!.pinsText, PINS_TEXT.replace('version: 1.0.0', 'version: 1.1.0'), 'comments and order are kept');
});

test('nothing to promote is an empty plan, not a refusal', () => {
  const { plan, refusals } = planPromotion(state({ dev: pin('1.0.0'), staging: pin('1.0.0') }), { from: 'dev', to: 'staging' });
  assert.deepEqual(refusals, []);
  assert.deepEqual(plan!.moves, []);
});

test('release values travel with the version and show as value changes', () => {
  const { plan } = planPromotion(state({ dev: pin('1.0.0', { server: { newFlag: true } }), staging: pin('1.0.0') }), {
    from: 'dev',
    to: 'staging',
    app: 'prometheus',
  });
  assert.equal(plan!.branch, 'promote/dev-to-staging/prometheus');
  assert.deepEqual(plan!.moves[0]!.releaseValues, [{ path: 'server.newFlag', after: true }]);
  assert.match(plan!.pinsText, /values:\n {4}server:\n {6}newFlag: true/);
});

test('wrong direction, skipped environments, downgrades and a dirty target are refused with what to do', () => {
  const reasons = (s: PromotionState, r: Parameters<typeof planPromotion>[1]) => planPromotion(s, r).refusals.map((x) => `${x.reason} | ${x.fix}`);
  assert.match(
    reasons(state({ staging: pin('1.1.0'), dev: pin('1.0.0') }), { from: 'staging', to: 'dev' })[0]!,
    /goes against the promotion order dev → staging → prod/,
  );
  assert.match(
    reasons(state({ dev: pin('1.1.0'), prod: pin('1.0.0') }), { from: 'dev', to: 'prod' })[0]!,
    /skips staging \| promote one hop at a time \(--to staging\), or pass --force/,
  );
  assert.deepEqual(reasons(state({ dev: pin('1.1.0'), prod: pin('1.0.0') }), { from: 'dev', to: 'prod', force: 'hotfix for CVE' }), []);
  assert.match(
    reasons(state({ dev: pin('0.9.0'), staging: pin('1.0.0') }), { from: 'dev', to: 'staging' })[0]!,
    /dev has 0\.9\.0, older than staging's 1\.0\.0 \| promotion never downgrades/,
  );
  assert.match(
    reasons(state({ dev: pin('1.1.0'), staging: pin('1.0.0') }, { targetProblems: ['overlays/staging/pins.yaml has uncommitted changes in your checkout'] }), {
      from: 'dev',
      to: 'staging',
    })[0]!,
    /uncommitted changes/,
  );
  assert.throws(() => planPromotion(state({}), { from: 'dev', to: 'qa' }), /unknown environment 'qa'; fleet.yaml lists dev → staging → prod/);
});

test('the arrival of a version is the oldest commit of its unbroken run', () => {
  const at = (h: number) => new Date(Date.UTC(2026, 10, 26, h));
  const history = [
    { commit: 'c3', time: at(10), text: 'prometheus:\n  version: 1.1.0\n  values: {a: 2}\n' },
    { commit: 'c2', time: at(8), text: 'prometheus:\n  version: 1.1.0\n' },
    { commit: 'c1', time: at(4), text: 'prometheus:\n  version: 1.0.0\n' },
    { commit: 'c0', time: at(1), text: 'prometheus:\n  version: 1.1.0\n' },
  ];
  assert.deepEqual(arrivalOf(history, 'prometheus', '1.1.0'), { commit: 'c2', time: at(8) });
  assert.equal(arrivalOf(history, 'prometheus', '9.9.9'), undefined);
  assert.deepEqual(arrivalOf(history, 'prometheus', '1.1.0', true), { commit: 'c3', time: at(10) }, 'the whole pin: release values count');
});

test('setPin adds and removes release values', () => {
  const withValues = setPin(PINS_TEXT, 'prometheus', pin('1.0.0', { a: 1 }));
  assert.match(withValues, / {2}values:\n {4}a: 1\n/);
  assert.equal(setPin(withValues, 'prometheus', pin('1.0.0')), PINS_TEXT);
});
