import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type Scalar } from 'yaml';
import type { Finding } from '../lib/findings.ts';
import type { SimpleYaml } from '../lib/yaml-simple.ts';

/** Patterns of credentials that must never be committed. */
const VALUE_PATTERNS: { name: string; re: RegExp }[] = [
  { name: 'a Slack webhook URL', re: /https:\/\/hooks\.slack\.com\/(services|workflows)\/[A-Za-z0-9/_-]+/ },
  { name: 'a private key', re: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { name: 'a Slack token', re: /\bxox[abprs]-[A-Za-z0-9-]{10,}/ },
  { name: 'a GitHub token', re: /\b(ghp|gho|ghs|ghu|github_pat)_[A-Za-z0-9_]{20,}/ },
  { name: 'an AWS access key', re: /\bAKIA[0-9A-Z]{16}\b/ },
  // A digit in the token tells a credential from prose such as "Bearer authentication".
  { name: 'a bearer token', re: /\bBearer\s+(?=[A-Za-z0-9._~+/-]*\d)[A-Za-z0-9._~+/-]{8,}=*/i },
  { name: 'an Authorization header value', re: /\bAuthorization["']?\s*[:=]\s*["']?Basic\s+[A-Za-z0-9+/]{8,}={0,2}/i },
  // user:password@host, unless the password is a ${VAR} reference resolved elsewhere.
  // %3A is a colon too: URL parsers decode it into the user name (user:password). Bounded: linear on a 1 MiB a.a.a… line.
  { name: 'a URL with a password', re: /\b[a-z][a-z0-9+.-]{0,31}:\/\/[^\s/@:'"]{1,256}(?::|%3a)(?!\$)[^\s/@'"]{1,256}@/i },
];

/** Keys whose literal value is a credential; references to files or Secrets are fine. */
const SECRET_KEY = /(password|passwd|secret|token|api[_-]?key|access_?key|private_?key|client_secret|webhook_url|api_url|auth|authorization)["']?\s*$/i;
// ingress-nginx's auth-secret, auth-tls-secret, proxy-ssl-secret annotations name a Secret ([namespace/]name).
const REFERENCE_KEY =
  /(existing_?secret|secret_?name|secret_?key|password_?key|user_?key|_file|file|secret_?ref|token_?path|ingress\.kubernetes\.io\/[a-z-]*secret)["']?\s*$/i;
/**
 * Empty, or a reference resolved elsewhere: ${VAR} and Grafana's $VAR in capitals (its provisioning expands the environment),
 * the kubelet's $(VAR), Grafana's $__file{}/$__env{}, a workflow's ${{ secrets.X }}.
 */
const EMPTY_OR_REFERENCE =
  /^(""|''|null|~|\{\}|\[\]|\$\{[^}]+\}|\$[A-Z_][A-Z0-9_]*|\$\([A-Za-z_][A-Za-z0-9_]*\)|\$__file\{[^}]+\}|\$__env\{[^}]+\}|\$\{\{[^}]*\}\})?$/;

/** A part of every VALUE_PATTERNS match and every SECRET_KEY name (a quick look before the patterns). */
const HINT_OF_A_SECRET =
  /hooks\.slack|PRIVATE KEY|xox|gh[opsu]_|github_pat|AKIA|bearer|authorization|:\/\/|%3a|passw|secret|token|key|webhook_url|api_url|auth/i;

const HINT = 'remove it from Git and rotate it; keep it in a Secret created on the cluster and reference it (for example api_url_file, admin.existingSecret)';

/**
 * Plaintext secrets in one hand-written file. Pure. The scan reads keys and values as parsed (what the chart
 * will see), so YAML syntax cannot hide one: flow mappings, escapes, line continuations, explicit keys,
 * multi-line scalars, anchors and aliases. Comments are scanned for credential patterns too (they are committed).
 * A file that does not parse is scanned line by line instead.
 */
export function findPlaintextSecrets(file: string, text: string, parsed?: { doc: Document; lines: LineCounter }): Finding[] {
  // A tree the caller parsed from this text with these options (uniqueKeys off) is the same tree: not parsed twice.
  const lines = parsed?.lines ?? new LineCounter();
  const doc = parsed?.doc ?? parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false });
  if (doc.errors.length) return findSecretsInLines(file, text);
  const findings: Finding[] = [];
  const literalKeys: Finding[] = [];
  // Sets keep the scan linear when a large file holds many findings.
  const seen = new Set<string>();
  const add = (offset: number, message: string, to = findings) => {
    const { line, col } = lines.linePos(offset);
    if (seen.has(`${line}\0${message}`)) return;
    seen.add(`${line}\0${message}`);
    to.push({ check: 'secrets', file, line, column: col, message, hint: HINT });
  };
  const resolve = (node: unknown) => (isAlias(node) ? node.resolve(doc as Document) : node);
  visit(doc, {
    Scalar(_, node) {
      const value = scalarText(node);
      for (const { name, re } of VALUE_PATTERNS) {
        const m = re.exec(value);
        if (m) add(verbatimOffset(text, node, m[0]), `plaintext secret: ${name}`);
      }
    },
    Pair(_, pair, path) {
      // An alias (*name) is the value it names: `password: *a` with `&a hunter2` elsewhere.
      const keyNode = resolve(pair.key);
      if (!isMap(path.at(-1)) || !isScalar(keyNode)) return;
      const key = scalarText(keyNode);
      if (!SECRET_KEY.test(key) || REFERENCE_KEY.test(key)) return;
      const value = resolve(pair.value);
      const values = (isSeq(value) ? value.items : [value]).map(resolve);
      if (values.some((v) => isScalar(v) && isLiteral(v)))
        add((pair.key as Node).range?.[0] ?? 0, `plaintext secret: '${key}' has a literal value`, literalKeys);
    },
  });
  for (const { offset, name } of commentSecrets(text)) add(offset, `plaintext secret: ${name}`);
  // A line already reported for what its value is needs no second finding for its key.
  const reported = new Set(findings.map((f) => f.line));
  findings.push(...literalKeys.filter((k) => !reported.has(k.line)));
  return findings.sort((a, b) => a.line! - b.line! || a.column! - b.column!);
}

/**
 * Whether a parsed file holds no plaintext secret. A file readSimpleYaml read is told from its keys and values
 * when none of them looks like a secret (a secret key with a value of any kind counts as one); else it is scanned.
 */
export function isCleanFile(file: string, text: string, checked: { source: { doc: Document; lines: LineCounter }; simple?: SimpleYaml['scalars'] }): boolean {
  return (checked.simple !== undefined && looksClean(text, checked.simple)) || !findPlaintextSecrets(file, text, checked.source).length;
}

function looksClean(text: string, scalars: SimpleYaml['scalars']): boolean {
  // Such a file's keys and values are written in it as they are read: text without a hint of a pattern holds none.
  if (!HINT_OF_A_SECRET.test(text)) return true;
  const matches = (value: string) => VALUE_PATTERNS.some(({ re }) => re.test(value));
  for (const [key, value] of scalars) {
    if (matches(key)) return false;
    if (value !== undefined && (SECRET_KEY.test(key) || matches(String(value)))) return false;
  }
  return !commentSecrets(text).length;
}

const scalarText = (node: Scalar) => (node.value === null || node.value === undefined ? '' : String(node.value));

/** A value a secret key must not have: anything but empty, a boolean or a reference resolved elsewhere. */
const isLiteral = (node: Scalar) => typeof node.value !== 'boolean' && !EMPTY_OR_REFERENCE.test(scalarText(node).trim());

/** Where a match sits in the text when it is written out verbatim; else where its scalar starts. */
function verbatimOffset(text: string, node: Node, match: string): number {
  const [start = 0, end = text.length] = node.range ?? [];
  const at = text.slice(start, end).indexOf(match);
  return at >= 0 ? start + at : start;
}

/** Credential patterns in comments (a `#` at a line's start or after a blank): the parsed scan never sees them. */
function commentSecrets(text: string): { offset: number; name: string }[] {
  const found: { offset: number; name: string }[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    const hash = /(?:^|\s)#/.exec(line);
    if (hash)
      for (const { name, re } of VALUE_PATTERNS) {
        const m = re.exec(line.slice(hash.index));
        if (m) found.push({ offset: offset + hash.index + m.index, name });
      }
    offset += line.length + 1;
  }
  return found;
}

/** The same scan over raw lines, for text that is not YAML. */
function findSecretsInLines(file: string, text: string): Finding[] {
  const findings: Finding[] = [];
  text.split('\n').forEach((line, i) => {
    if (/^\s*#/.test(line)) return;
    const hint = HINT;
    for (const { name, re } of VALUE_PATTERNS) {
      const m = re.exec(line);
      if (m) findings.push({ check: 'secrets', file, line: i + 1, column: m.index + 1, message: `plaintext secret: ${name}`, hint });
    }
    const kv = keyValue(line);
    if (
      kv?.value &&
      SECRET_KEY.test(kv.key) &&
      !REFERENCE_KEY.test(kv.key) &&
      // Quotes are YAML's, not the value's: "${VAR}" is a reference too.
      !EMPTY_OR_REFERENCE.test(kv.value.replace(/^(["'])(.*)\1$/, '$2')) &&
      // Findings come in line order: only the last one can be on this line.
      findings.at(-1)?.line !== i + 1
    ) {
      findings.push({
        check: 'secrets',
        file,
        line: i + 1,
        column: kv.column,
        message: `plaintext secret: '${kv.key}' has a literal value`,
        hint,
      });
    }
  });
  return findings;
}

/** `key: value` or `- key: value` on one line, found without regular expressions that could backtrack on long blank runs. */
function keyValue(line: string): { column: number; key: string; value: string } | undefined {
  const body = line.trimStart();
  const item = /^-\s/.test(body) ? body.slice(1).trimStart() : body;
  const colon = item.search(/:\s/);
  const key = item.slice(0, Math.max(colon, 0)).trimEnd();
  if (!key || key.includes('#')) return undefined;
  return { column: line.length - item.length + 1, key, value: withoutComment(item.slice(colon + 2)).trim() };
}

/** A line's value without its trailing comment (` # …`). */
function withoutComment(value: string): string {
  const hash = value.search(/\s#/);
  return hash < 0 ? value : value.slice(0, hash);
}
