/**
 * Notification data (Alertmanager's template.Data, as JSON) that receiver templates are rendered with: a
 * firing warning, a firing critical and a resolved alert, labelled as the rules and Prometheus label them.
 */
export interface AlertSample {
  /** Said in findings: `a firing critical alert`. */
  name: string;
  data: (receiver: string) => unknown;
}

const STARTS = '2026-01-01T10:00:00Z';

function sample(name: string, status: 'firing' | 'resolved', alertname: string, severity: string, summary: string): AlertSample {
  const labels = { alertname, severity, instance: 'node-1:9100', cluster: 'sample-cluster' };
  const annotations = { summary, description: `${summary} for 5 minutes.` };
  return {
    name,
    data: (receiver) => ({
      receiver,
      status,
      alerts: [
        {
          status,
          labels,
          annotations,
          startsAt: STARTS,
          endsAt: status === 'resolved' ? '2026-01-01T10:20:00Z' : '0001-01-01T00:00:00Z',
          generatorURL: 'https://prometheus.sample-cluster.example.com/graph?g0.expr=up',
          fingerprint: 'c0ffee0123456789',
        },
      ],
      groupLabels: { alertname, cluster: labels.cluster },
      commonLabels: labels,
      commonAnnotations: annotations,
      externalURL: 'https://alertmanager.sample-cluster.example.com',
    }),
  };
}

export const ALERT_SAMPLES: AlertSample[] = [
  sample('a firing warning alert', 'firing', 'HighCpuUsage', 'warning', 'CPU usage above 80% on node-1:9100'),
  sample('a firing critical alert', 'firing', 'NodeExporterDown', 'critical', 'node-exporter on node-1:9100 is down'),
  sample('a resolved alert', 'resolved', 'HighCpuUsage', 'warning', 'CPU usage above 80% on node-1:9100'),
];
