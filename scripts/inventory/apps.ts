/** The apps this repository deploys, in sync-wave order: Grafana reads from Prometheus. */
export const APPS = ['prometheus', 'grafana'] as const;

export type AppName = (typeof APPS)[number];

export function isAppName(value: string): value is AppName {
  return (APPS as readonly string[]).includes(value);
}
