import { isAlias, isCollection, isMap, isScalar, visit, type Document, type Node } from 'yaml';
import type { LimitProblem } from './yaml-limits.ts';

/** The YAML 1.2 core schema's tags: what Helm, Argo CD and JSON all read the same way. */
const CORE_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

/**
 * Tags outside the core schema (`!!binary`, `!!set`, `!!timestamp`, …: the yaml library turns them into bytes,
 * sets and dates, which no chart expects), a `%YAML 1.1` directive (the same, implicitly) and keys a values merge
 * cannot carry (`__proto__`, collections, null, aliases, a quoted `<<`).
 */
export function coreSchemaProblems(doc: Document.Parsed): LimitProblem[] {
  const problems: LimitProblem[] = [];
  const at = (node: Node, message: string) => problems.push({ offset: node.range?.[0] ?? 0, message });
  const version = doc.directives?.yaml.version ?? '1.2';
  if (version !== '1.2')
    problems.push({
      offset: 0,
      message: `%YAML ${version} reads yes/no as booleans, 0777 as octal and dates as timestamps; remove the directive (these files are YAML 1.2)`,
    });
  visit(doc, {
    Node(_, node) {
      if (node.tag && !CORE_TAGS.has(node.tag))
        at(node, `tag '${shortTag(node.tag)}' is outside YAML's core schema; write the value as a plain string, number, boolean, list or map`);
    },
    Pair(_, pair, path) {
      if (!isMap(path.at(-1))) return;
      const key = pair.key as Node | null;
      // The library turns an alias key into its source text ("*a") or drops it (an alias of __proto__).
      if (isAlias(key)) return void at(key, 'a key is an alias (*name); write the key out');
      if (key === null || (isScalar(key) && key.value === null))
        return void problems.push({ offset: (pair.value as Node | null)?.range?.[0] ?? 0, message: 'a key is empty or null; every key must be a name' });
      if (isCollection(key)) return void at(key, 'a key is a list or map; keys must be plain names (Helm values are maps of names)');
      if (isScalar(key) && String(key.value) === '__proto__')
        at(key, "key '__proto__' cannot be carried through a values merge (it names an object's prototype in JavaScript); rename it");
      // Generated files write it plain, and Helm reads a plain << as a merge key.
      if (isScalar(key) && key.value === '<<' && key.type !== 'PLAIN') at(key, "key '<<' is written out plain, where Helm merges it; rename it");
    },
  });
  return problems;
}

const shortTag = (tag: string) => tag.replace(/^tag:yaml\.org,2002:/, '!!');
