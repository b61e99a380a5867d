// Numbers as readers expect them: 29.163 and 2,29% in Dutch, 29,163 and 2.29% in
// English. Suppressed cells ("<5", "x") pass through unchanged.
import { language } from './i18n.js';

const locales = { nl: 'nl-NL', en: 'en-GB' };
const integerFormats = {};
const pctFormats = {};

function locale() {
  return locales[language()] ?? 'nl-NL';
}

export function isSuppressed(value) {
  return typeof value === 'string';
}

export function formatInt(value) {
  if (value === null || value === undefined) return '–';
  if (isSuppressed(value)) return value;
  const l = locale();
  integerFormats[l] ??= new Intl.NumberFormat(l, { maximumFractionDigits: 0, useGrouping: 'always' });
  return integerFormats[l].format(value);
}

export function formatPct(value) {
  if (value === null || value === undefined) return '–';
  if (isSuppressed(value)) return value;
  const l = locale();
  pctFormats[l] ??= new Intl.NumberFormat(l, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return `${pctFormats[l].format(value)}%`;
}

export function numeric(value) {
  return typeof value === 'number' ? value : null;
}
