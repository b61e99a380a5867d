// The dashboard shell: header, filters, router. The state is in the URL hash
// (state.js), so a view can be shared; changing a filter rewrites the hash.
import './style.css';
import { get } from './api.js';
import { t, setLanguage, languages } from './i18n.js';
import { el } from './dom.js';
import { disposeCharts, flushCharts, loadCharts } from './charts.js';
import { parseHash, toHash, filters } from './state.js';
import { nationalView, regionsView, regionView, municipalityView, schoolView } from './views.js';

const views = {
  national: nationalView, regions: regionsView, region: regionView, municipality: municipalityView, school: schoolView,
};

const app = document.getElementById('app');
let meta = null;
let defaults = null;
let renderToken = 0;

function currentState() {
  return parseHash(window.location.hash, defaults);
}

function hrefFor(change) {
  const state = { ...currentState(), ...change };
  if (change.route && !('id' in change)) state.id = null;
  return toHash(state, defaults);
}

function go(change) {
  window.location.hash = hrefFor(change);
}

function select(label, id, options, value, onChange) {
  const node = el('select', { id, name: id, onchange: (e) => onChange(e.target.value) },
    options.map((o) => el('option', { value: o.value, selected: String(o.value) === String(value) }, o.label)));
  return el('label', { class: 'filter', for: id }, el('span', {}, label), node);
}

function header(state) {
  const nav = el('nav', { class: 'main-nav', 'aria-label': 'main' },
    el('a', { href: hrefFor({ route: 'national' }), class: state.route === 'national' ? 'active' : undefined }, t('navNational')),
    el('a', { href: hrefFor({ route: 'regions' }), class: state.route !== 'national' ? 'active' : undefined }, t('navRegions')));
  const langs = el('div', { class: 'langs', role: 'group', 'aria-label': t('language') },
    languages.map((l) => el('a', { href: hrefFor({ lang: l }), class: l === state.lang ? 'active' : undefined, lang: l, 'data-testid': `lang-${l}` }, l.toUpperCase())));
  const actions = el('div', { class: 'actions' },
    el('button', { type: 'button', class: 'button ghost', onclick: () => window.print() }, t('print')),
    langs);
  return el('header', { class: 'topbar' },
    el('div', { class: 'brand' }, el('a', { href: hrefFor({ route: 'national' }) }, el('strong', {}, 'vsv'), el('span', {}, t('appTitle'))),
      el('span', { class: 'tagline' }, t('appSubtitle'))),
    nav, actions);
}

function filterBar(state) {
  const years = meta.school_years.slice().reverse().map((y) => ({ value: y.year, label: y.name }));
  const sectors = [{ value: '', label: t('all') }, ...meta.sectors.map((s) => ({ value: s, label: t(`sector${s}`) }))];
  const categories = [{ value: '', label: t('all') }, ...meta.categories
    .filter((c) => !state.sector || c.sector === state.sector).map((c) => ({ value: c.code, label: t(c.code) }))];
  const ages = meta.age_limits.map((a) => ({ value: a, label: `${t('ageOption', { age: a })} (${a === 22 ? t('ageNational') : t('ageDoorstroom')})` }));
  return el('div', { class: 'filters', role: 'search' },
    select(t('filterYear'), 'f-year', years, state.year, (v) => go({ year: Number(v) })),
    select(t('filterSector'), 'f-sector', sectors, state.sector, (v) => go({ sector: v, category: '' })),
    select(t('filterCategory'), 'f-category', categories, state.category, (v) => go({ category: v })),
    select(t('filterAge'), 'f-age', ages, state.age, (v) => go({ age: Number(v) })));
}

async function render() {
  const token = ++renderToken;
  const state = currentState();
  setLanguage(state.lang);
  document.title = `vsv — ${t('appTitle')}`;
  const main = el('main', { id: 'content', 'aria-busy': 'true' }, el('p', { class: 'loading' }, t('loading')));
  disposeCharts();
  app.replaceChildren(header(state), filterBar(state), main,
    el('footer', {}, el('p', {}, t('source'))));
  const ctx = { state, meta, go, hrefFor };
  try {
    // Build the view off-screen and swap it in, so charts size themselves once.
    const staging = el('div', { class: 'view' });
    main.append(staging);
    const nodes = await views[state.route](ctx);
    if (token !== renderToken) return;
    performance.mark('vsv-view-built');
    main.querySelector('.loading')?.remove();
    staging.append(...nodes.filter(Boolean));
    await flushCharts();
    if (token !== renderToken) return;
    performance.mark('vsv-charts-drawn');
    main.setAttribute('aria-busy', 'false');
    // Time from navigation start to this view on screen (read by the e2e test).
    document.body.dataset.readyMs = String(Math.round(performance.now()));
    document.body.dataset.ready = state.route;
  } catch (err) {
    if (token !== renderToken) return;
    main.replaceChildren(el('p', { class: 'error', role: 'alert' }, t('error', { message: err.message })));
    main.setAttribute('aria-busy', 'false');
    document.body.dataset.ready = 'error';
  }
}

async function start() {
  performance.mark('vsv-start');
  loadCharts();  // in parallel with the first API requests
  // The landing page's data does not depend on meta: ask for it right away.
  const early = parseHash(window.location.hash, { year: 0, age: 22, lang: 'nl' });
  if (early.route === 'national') {
    get('trend', filters(early)).catch(() => {});
    get('trend', { ...filters(early), by: 'sector' }).catch(() => {});
  }
  try {
    meta = await get('meta');
  } catch (err) {
    app.replaceChildren(el('p', { class: 'error', role: 'alert' }, t('error', { message: err.message })));
    return;
  }
  defaults = { year: meta.years.last, age: 22, lang: 'nl' };
  window.addEventListener('hashchange', () => {
    delete document.body.dataset.ready;
    render();
  });
  render();
}

start();
