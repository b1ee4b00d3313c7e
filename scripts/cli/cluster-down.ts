import { instanceDir, stopInstance } from '../cluster/instance.ts';
import { runCommand } from '../lib/errors.ts';
import { parseCommandArgs } from './args.ts';

const HELP = `usage: npm run cluster:down -- [--purge]

Stops the local control plane \`npm run cluster:up\` started (kube-apiserver and etcd, by the pids in
${instanceDir()}/state.json). Its data (etcd, certificates, kubeconfig) is kept for the next start.

  --purge  also delete ${instanceDir()} (the next start begins with an empty cluster)

exit codes: 0 stopped or nothing running, 2 usage error`;

await runCommand(async () => {
  const { values } = parseCommandArgs(process.argv.slice(2), { purge: { type: 'boolean' } });
  if (values.help) return void console.log(HELP);
  const stopped = await stopInstance({ purge: values.purge ?? false });
  console.log(stopped ? 'control plane stopped' : 'no control plane was running');
  if (values.purge) console.log(`removed ${instanceDir()}`);
});
