import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const CPUS = 2;
/** USER_HZ: /proc/stat counts clock ticks of 1/100 s. */
const HZ = 100;
const BOOT = Math.floor(Date.now() / 1000) - 3600;

/**
 * A node's /proc as node-exporter reads it (`--path.procfs`), with CPU counters this process advances:
 * the machine's own CPU cannot be held at 90% on demand, and must not decide whether an alert fires.
 * Memory is fixed at 25% used; one ext4 root file system (node-exporter statfs()es it on the real root).
 */
export class FakeProcfs {
  private busy: number;
  private readonly ticks = Array.from({ length: CPUS }, () => ({ user: 0, system: 0, idle: 0 }));
  private sectors = 0;
  private last = Date.now();
  private timer?: NodeJS.Timeout;

  constructor(
    readonly dir: string,
    busy: number,
  ) {
    this.busy = busy;
    mkdirSync(join(dir, '1'), { recursive: true });
    this.write('meminfo', meminfo());
    this.write('loadavg', '0.50 0.40 0.30 1/200 4242\n');
    this.write('1/mountinfo', '25 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n');
    this.write('1/mounts', '/dev/sda1 / ext4 rw,relatime 0 0\n');
    this.tick();
    this.timer = setInterval(() => this.tick(), 1000);
    this.timer.unref();
  }

  /** From now on the node's CPUs are this busy (0..1). */
  setBusy(busy: number): void {
    this.tick();
    this.busy = busy;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    const now = Date.now();
    const elapsed = ((now - this.last) / 1000) * HZ;
    this.last = now;
    for (const cpu of this.ticks) {
      cpu.user += elapsed * this.busy * 0.8;
      cpu.system += elapsed * this.busy * 0.2;
      cpu.idle += elapsed * (1 - this.busy);
    }
    this.sectors += elapsed * 8;
    const line = (name: string, t: { user: number; system: number; idle: number }) =>
      `${name} ${Math.round(t.user)} 0 ${Math.round(t.system)} ${Math.round(t.idle)} 0 0 0 0 0 0`;
    const total = this.ticks.reduce((a, t) => ({ user: a.user + t.user, system: a.system + t.system, idle: a.idle + t.idle }), { user: 0, system: 0, idle: 0 });
    const uptime = Math.floor(now / 1000) - BOOT;
    this.write(
      'stat',
      [
        line('cpu ', total),
        ...this.ticks.map((t, i) => line(`cpu${i}`, t)),
        'intr 0',
        `ctxt ${uptime * 1000}`,
        `btime ${BOOT}`,
        `processes ${uptime}`,
        'procs_running 1',
        'procs_blocked 0',
        'softirq 0 0 0 0 0 0 0 0 0 0 0',
        '',
      ].join('\n'),
    );
    const s = Math.round(this.sectors);
    this.write('diskstats', `   8       0 sda ${s} 0 ${s * 8} ${s} ${s} 0 ${s * 8} ${s} 0 ${s} ${s * 2} 0 0 0 0 0 0\n`);
  }

  // Whole files only: node-exporter must never read half a /proc/stat.
  private write(name: string, text: string): void {
    const path = join(this.dir, name);
    writeFileSync(`${path}.tmp`, text);
    renameSync(`${path}.tmp`, path);
  }
}

function meminfo(): string {
  const kb = (gib: number) => `${gib * 1024 * 1024} kB`;
  return [
    `MemTotal:       ${kb(64)}`,
    `MemFree:        ${kb(40)}`,
    `MemAvailable:   ${kb(48)}`,
    `Buffers:        ${kb(1)}`,
    `Cached:         ${kb(8)}`,
    'SwapTotal:      0 kB',
    'SwapFree:       0 kB',
    '',
  ].join('\n');
}
