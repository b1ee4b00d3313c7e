import { writeFileSync } from 'node:fs';
import { FindingsError, runCommand } from '../lib/errors.ts';
import { derivedSchemaFiles } from '../inventory/schemas.ts';
import { parseCommandArgs } from './args.ts';

const HELP = `usage: npm run schemas -- [--check]

Writes the app parts of schemas/cluster.schema.json (apps.<app>, the Secret names), pins.schema.json (one key
per app) and fleet.schema.json (the Secret names) from app-catalog.yaml, so that editors know every app. The
toolkit checks files against the schemas derived in memory either way; run this after editing the catalog.

  --check   write nothing; exit 1 naming each schema that differs from the catalog

exit codes: 0 written or up to date, 1 stale schemas (--check) or problems in app-catalog.yaml, 2 usage error`;

await runCommand(async () => {
  const { values } = parseCommandArgs(process.argv.slice(2), { check: { type: 'boolean' } });
  if (values.help) return void console.log(HELP);
  const stale = derivedSchemaFiles().filter((f) => f.stale);
  if (values.check && stale.length)
    throw new FindingsError(
      stale.map((f) => ({ file: f.file, message: 'differs from what app-catalog.yaml derives', hint: 'run npm run schemas' })),
      `${stale.length} stale schema${stale.length === 1 ? '' : 's'}`,
    );
  for (const f of values.check ? [] : stale) {
    writeFileSync(f.url, f.text);
    console.log(`wrote   ${f.file}`);
  }
  console.log(`schemas: ${stale.length && !values.check ? `${stale.length} written` : 'up to date'}`);
});
