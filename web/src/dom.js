// Small DOM helpers: elements, cards (a chart with its table beside it and the
// downloads), tables with Dutch number formatting, key figures. No inline styles or
// scripts: the server's Content-Security-Policy forbids them.
import { t } from './i18n.js';
import { formatInt, formatPct, isSuppressed } from './format.js';

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// A value cell: numbers right-aligned and formatted, suppressed marks explained.
export function valueCell(value, kind, suppression) {
  const text = kind === 'pct' ? formatPct(value) : kind === 'int' ? formatInt(value) : value ?? '–';
  const cell = el('td', { class: kind === 'text' ? 'text' : 'num' }, text);
  if (kind !== 'text' && isSuppressed(value)) {
    cell.classList.add('suppressed');
    cell.title = value === 'x' ? t('hidden') : t('small', { n: suppression?.threshold ?? 5 });
  }
  return cell;
}

// columns: [{key, label, kind: 'text'|'int'|'pct', render?(row) -> Node|string}]
export function table(columns, rows, { caption, footer, testid } = {}) {
  const head = el('tr', {}, columns.map((c) => el('th', { class: c.kind === 'text' || !c.kind ? 'text' : 'num', scope: 'col' }, c.label)));
  const body = rows.map((row) => el('tr', { class: row.__class },
    columns.map((c) => {
      if (c.render) return el('td', { class: c.kind === 'text' || !c.kind ? 'text' : 'num' }, c.render(row));
      return valueCell(row[c.key], c.kind ?? 'text', row.__suppression);
    })));
  const foot = footer ? el('tfoot', {}, el('tr', { class: 'total' },
    columns.map((c) => (c.render && footer[c.key] === undefined ? el('td', {}) : valueCell(footer[c.key], c.kind ?? 'text', footer.__suppression))))) : null;
  return el('div', { class: 'table-wrap' },
    el('table', { class: 'data', 'data-testid': testid }, caption ? el('caption', {}, caption) : null,
      el('thead', {}, head), el('tbody', {}, body), foot));
}

export function downloadLinks(links) {
  if (!links) return null;
  return el('div', { class: 'downloads' },
    el('span', { class: 'label' }, `${t('download')}:`),
    el('a', { href: links.xlsx, download: '', class: 'button' }, t('downloadXlsx')),
    el('a', { href: links.csv, download: '', class: 'button' }, t('downloadCsv')));
}

// A card: title, the chart and the table side by side, a note and the downloads.
export function card({ title, note, chart, tableNode, links, wide = false, testid }) {
  const body = el('div', { class: `card-body${chart && tableNode ? ' split' : ''}` });
  let chartBox = null;
  if (chart) {
    chartBox = el('div', { class: `chart${wide ? ' wide' : ''}`, role: 'img', 'aria-label': title });
    body.append(chartBox);
  }
  if (tableNode) body.append(tableNode);
  const node = el('section', { class: 'card', 'data-testid': testid },
    el('header', {}, el('h2', {}, title), downloadLinks(links)),
    body,
    note ? el('p', { class: 'note' }, note) : null);
  return { node, chartBox };
}

export function kpi(label, value, sub, testid) {
  return el('div', { class: 'kpi', 'data-testid': testid },
    el('div', { class: 'kpi-label' }, label),
    el('div', { class: 'kpi-value' }, value),
    sub ? el('div', { class: 'kpi-sub' }, sub) : null);
}

export function link(href, text) {
  return el('a', { href }, text);
}
