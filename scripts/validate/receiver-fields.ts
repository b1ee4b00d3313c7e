import { isMap } from '../lib/values.ts';
import type { ValuesPath } from './values-source.ts';

/** How Alertmanager executes a field: text/template, or html/template for e-mail bodies. */
export type TemplateType = 'text' | 'html';

/** One notifier type's templated fields and what Alertmanager fills in for those left unset. */
interface NotifierTemplates {
  /** Paths within one notifier config: `title`, `fields[].value` (each list item), `headers.*` (each key). */
  fields: string[];
  /** Fields Alertmanager sets when the config leaves them empty: path → template. */
  defaults: Record<string, string>;
  html?: string[];
}

const SLACK_DEFAULT = (name: string) => `{{ template "slack.default.${name}" . }}`;

/**
 * Alertmanager v0.34's templated notifier fields (notify/slack, notify/email) and their defaults
 * (config/notifiers.go; the e-mail Subject header from notify/email). A receiver type is one entry here.
 */
export const NOTIFIER_TEMPLATES: Record<string, NotifierTemplates> = {
  slack_configs: {
    fields: [
      'channel',
      'username',
      'color',
      'title',
      'title_link',
      'pretext',
      'text',
      'message_text',
      'footer',
      'fallback',
      'callback_id',
      'icon_emoji',
      'icon_url',
      'image_url',
      'thumb_url',
      'fields[].title',
      'fields[].value',
      'actions[].type',
      'actions[].text',
      'actions[].url',
      'actions[].style',
      'actions[].name',
      'actions[].value',
    ],
    defaults: Object.fromEntries(
      ['color', 'username', 'title', 'title_link', 'icon_emoji', 'icon_url', 'pretext', 'text', 'fallback', 'callback_id', 'footer'].map((f) => [
        f,
        SLACK_DEFAULT(f.replace('_', '')),
      ]),
    ),
  },
  email_configs: {
    fields: ['to', 'from', 'text', 'html', 'headers.*'],
    defaults: { html: '{{ template "email.default.html" . }}', 'headers.Subject': '{{ template "email.default.subject" . }}' },
    html: ['html'],
  },
};

/** A template Alertmanager executes for a receiver: where it sits in the config, and whether it was written or defaulted. */
export interface TemplatedField {
  receiver: string;
  /** Path in the Alertmanager config: ['receivers', 0, 'slack_configs', 0, 'title']. */
  path: ValuesPath;
  text: string;
  type: TemplateType;
  /** Alertmanager's default for a field the config leaves unset. */
  defaulted: boolean;
}

/** Every templated field of every receiver, written or defaulted. Pure. */
export function templatedFields(config: unknown): TemplatedField[] {
  const receivers = isMap(config) && Array.isArray(config.receivers) ? config.receivers : [];
  return receivers.flatMap((receiver, r) => {
    if (!isMap(receiver)) return [];
    const name = String(receiver.name ?? `#${r}`);
    return Object.entries(NOTIFIER_TEMPLATES).flatMap(([kind, spec]) =>
      (Array.isArray(receiver[kind]) ? receiver[kind] : []).flatMap((notifier, n) =>
        isMap(notifier) ? notifierFields(spec, notifier, ['receivers', r, kind, n]).map((f) => ({ ...f, receiver: name })) : [],
      ),
    );
  });
}

function notifierFields(spec: NotifierTemplates, notifier: Record<string, unknown>, at: ValuesPath): Omit<TemplatedField, 'receiver'>[] {
  const type = (field: string): TemplateType => (spec.html?.includes(field) ? 'html' : 'text');
  const written = spec.fields.flatMap((field) =>
    expand(notifier, field).map(({ path, text }) => ({ path: [...at, ...path], text, type: type(field), defaulted: false })),
  );
  const defaults = Object.entries(spec.defaults)
    .filter(([field]) => !written.some((w) => sameField(w.path.slice(at.length), field)))
    .map(([field, text]) => ({ path: at, text, type: type(field), defaulted: true, field }));
  return [...written, ...defaults.map(({ field, ...d }) => ({ ...d, path: [...at, ...field.split('.')] }))];
}

/** The non-empty string values a field pattern names in one notifier config. */
function expand(notifier: Record<string, unknown>, field: string): { path: ValuesPath; text: string }[] {
  const [head, rest] = field.split(/\.(.*)/s) as [string, string | undefined];
  if (head.endsWith('[]')) {
    const list = notifier[head.slice(0, -2)];
    return (Array.isArray(list) ? list : []).flatMap((item, i) =>
      isMap(item) && rest ? expand(item, rest).map((e) => ({ path: [head.slice(0, -2), i, ...e.path], text: e.text })) : [],
    );
  }
  const value = notifier[head];
  if (rest === '*') return isMap(value) ? Object.entries(value).flatMap(([k, v]) => (typeof v === 'string' && v ? [{ path: [head, k], text: v }] : [])) : [];
  if (rest) return isMap(value) ? expand(value, rest).map((e) => ({ path: [head, ...e.path], text: e.text })) : [];
  return typeof value === 'string' && value ? [{ path: [head], text: value }] : [];
}

/** Whether a written field is the one a default stands for; header names compare as MIME canonical names do. */
function sameField(path: ValuesPath, field: string): boolean {
  const parts = field.split('.');
  return path.length === parts.length && path.every((p, i) => String(p).toLowerCase() === parts[i]!.toLowerCase());
}
