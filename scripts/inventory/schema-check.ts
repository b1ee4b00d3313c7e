import type { ValidateFunction } from 'ajv';
import type { Finding } from '../lib/findings.ts';
import { positionOf, type SourceDocument } from '../lib/yaml.ts';
import { describeSchemaError, type DescribedError } from './schema-errors.ts';

/** Checks a parsed YAML file with a compiled schema; every problem located at file:line:column. */
export function checkSourceWith(validate: ValidateFunction, source: SourceDocument): Finding[] {
  const errors = validate(source.data) ? [] : (validate.errors ?? []);
  const described = errors.flatMap((error) => describeSchemaError(error) ?? []);
  return withoutTypoEchoes(described).map((described) => {
    const pos = positionOf(source, described.path, described.atKey);
    const finding = { file: source.file, ...pos, message: described.message, hint: described.hint };
    return described.wantedString ? explainNotAString(finding, source, described.path) : finding;
  });
}

/** `kubernetesVersion: 1.30` is the number 1.3 to YAML: say so, and show the quoted text as the fix. */
function explainNotAString(finding: Finding, source: SourceDocument, path: (string | number)[]): Finding {
  const node = source.doc.getIn(path, true) as { range?: [number, number]; value?: unknown } | undefined;
  const value = node?.value;
  if (!node?.range || !['number', 'boolean'].includes(typeof value)) return finding;
  const text = source.text.slice(node.range[0], node.range[1]).trim();
  return {
    ...finding,
    message: `${finding.message}; YAML read the unquoted ${text} as a ${typeof value} (${JSON.stringify(value)})`,
    hint: `quote it: "${text}"`,
  };
}

/** A misspelt required key also shows as "missing": keep only the typo finding, which names the fix. */
function withoutTypoEchoes(errors: DescribedError[]): DescribedError[] {
  const typoFixes = new Set(errors.flatMap((e) => (e.typoOf ? [`${e.path.slice(0, -1).join('.')}|${e.typoOf}`] : [])));
  return errors.filter((e) => !(e.missingKey && typoFixes.has(`${e.path.join('.')}|${e.missingKey}`)));
}
