// Preloaded (node --import) into the Renovate under test: its wall clock reads MONITORING_GITOPS_TEST_NOW
// and runs on from there, so that Renovate's schedule and release ages are judged at a fixed instant.
const offset = Date.parse(process.env.MONITORING_GITOPS_TEST_NOW ?? '') - Date.now();
if (Number.isNaN(offset)) throw new Error('renovate-clock.mjs: MONITORING_GITOPS_TEST_NOW is not an ISO date');
const RealDate = Date;
class ShiftedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + offset);
    else super(...args);
  }
  static now() {
    return RealDate.now() + offset;
  }
}
globalThis.Date = ShiftedDate;
