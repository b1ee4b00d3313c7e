import { parseDocument } from 'yaml';
import type { AppName } from '../inventory/app-catalog.ts';
import type { ChartPin } from '../inventory/types.ts';

/** The target pins.yaml with `app` set to `pin`, keeping its comments and the order of its keys. Pure. */
export function setPin(text: string, app: AppName, pin: ChartPin): string {
  const doc = parseDocument(text);
  for (const key of ['repoURL', 'chart', 'version'] as const) doc.setIn([app, key], pin[key]);
  if (pin.values && Object.keys(pin.values).length) doc.setIn([app, 'values'], doc.createNode(pin.values));
  else doc.deleteIn([app, 'values']);
  return doc.toString({ indent: 2, indentSeq: true, lineWidth: 0 });
}
