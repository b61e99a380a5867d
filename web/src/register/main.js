// The caseworkers' register: login, my work list, the case page, the region
// overview, users and the audit log. Routes live in the URL hash (#/worklist,
// #/case/12, …); every write sends the session's CSRF token (X-CSRF-Token) and the
// case version it read, and a 409 shows the current case beside the kept input.
import '../style.css';
import './register.css';
import { t, setLanguage, languages, addWords, language } from '../i18n.js';
import { el } from '../dom.js';
import { words } from './words.js';

addWords(words);
setLanguage(localStorage.getItem('vsv-lang') || 'nl');

const app = document.getElementById('app');
let session = null; // { csrf_token, user }

class ApiFailure extends Error {
  constructor(status, body) {
    super(body?.error?.message || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    if (session) headers['X-CSRF-Token'] = session.csrf_token;
  }
  const res = await fetch(path, { method, headers, credentials: 'same-origin', body: body ? JSON.stringify(body) : undefined });
  const json = (res.headers.get('Content-Type') || '').includes('json') ? await res.json() : null;
  if (!res.ok) throw new ApiFailure(res.status, json);
  return json;
}

const statuses = ['new', 'contacted', 'in-trajectory', 'back-in-education', 'working', 'working-and-learning', 'care',
  'not-reachable', 'moved-out-of-region', 'closed'];
const channels = ['phone', 'email', 'letter', 'visit', 'meeting', 'chat', 'other'];
const partners = ['youth-care', 'debt-help', 'income-support', 'uwv', 'school'];
const roles = ['administrator', 'national-analyst', 'regional-coordinator', 'caseworker', 'school-mentor'];
const pad2 = (n) => String(n).padStart(2, '0');

function field(label, input) {
  return el('label', { class: 'field' }, el('span', {}, label), input);
}
function select(name, values, prefix, value, extra = {}) {
  return el('select', { name, ...extra }, values.map((v) => el('option', { value: v, selected: v === value },
    v === '' ? '–' : t(prefix ? `${prefix}:${v}` : v))));
}
function message(kind, text) {
  return el('p', { class: `msg ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}
function formData(form) {
  return Object.fromEntries(new FormData(form).entries());
}

function header() {
  const u = session?.user;
  const nav = [];
  if (u) {
    const r = u.role;
    if (['regional-coordinator', 'caseworker', 'school-mentor'].includes(r)) nav.push(['#/worklist', t('navWorklist')]);
    if (['regional-coordinator', 'caseworker', 'administrator', 'national-analyst'].includes(r)) nav.push(['#/overview', t('navOverview')]);
    if (r === 'administrator') nav.push(['#/users', t('navUsers')], ['#/audit', t('navAudit')]);
    nav.push(['#/password', t('navPassword')]);
  }
  nav.push(['/', t('navDashboard')]);
  const langs = el('div', { class: 'langs', role: 'group', 'aria-label': t('language') },
    languages.map((l) => el('a', { href: '#', class: l === language() ? 'active' : undefined, 'data-testid': `lang-${l}`,
      onclick: (e) => { e.preventDefault(); localStorage.setItem('vsv-lang', l); setLanguage(l); render(); } }, l.toUpperCase())));
  return el('header', { class: 'topbar' },
    el('div', { class: 'brand' }, el('strong', {}, 'vsv'), el('span', {}, t('regTitle'))),
    el('nav', { class: 'main-nav' }, nav.map(([href, text]) => el('a', { href }, text))),
    el('div', { class: 'actions' },
      u ? el('span', { class: 'who', 'data-testid': 'who' }, t('loggedInAs', { name: u.name, role: t(`role:${u.role}`) })) : null,
      u ? el('button', { type: 'button', class: 'button ghost', 'data-testid': 'logout', onclick: logout }, t('logout')) : null,
      langs));
}

async function logout() {
  try { await api('POST', '/api/v1/logout'); } catch (e) { /* the session may be gone already */ }
  session = null;
  window.location.hash = '#/login';
  render();
}

// ---- views ---------------------------------------------------------------------

function loginView() {
  const out = el('div');
  const form = el('form', { class: 'card narrow', 'data-testid': 'login-form', onsubmit: async (e) => {
    e.preventDefault();
    const d = formData(form);
    try {
      session = await api('POST', '/api/v1/login', { name: d.name, password: d.password });
      window.location.hash = session.user.role === 'administrator' ? '#/users'
        : session.user.role === 'national-analyst' ? '#/overview' : '#/worklist';
      render();
    } catch (err) {
      out.replaceChildren(message('error', t('loginFailed', { message: err.message })));
    }
  } },
  el('h1', {}, t('login')),
  field(t('userName'), el('input', { name: 'name', autocomplete: 'username', required: true })),
  field(t('password'), el('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
  el('button', { type: 'submit', class: 'button' }, t('login')), out);
  return form;
}

async function worklistView(params) {
  const q = new URLSearchParams();
  for (const k of ['status', 'due', 'owner']) if (params.get(k)) q.set(k, params.get(k));
  const data = await api('GET', `/api/v1/cases?${q}`);
  const filters = el('form', { class: 'filters', 'data-testid': 'filters', onsubmit: (e) => {
    e.preventDefault();
    const d = formData(e.target);
    const p = new URLSearchParams(Object.entries(d).filter(([, v]) => v));
    window.location.hash = `#/worklist?${p}`;
  } },
  field(t('status'), select('status', ['', ...statuses], 'status', params.get('status') || '')),
  field(t('nextContact'), el('select', { name: 'due' },
    [['', t('allCases')], ['due', t('due')], ['overdue', t('overdue')]].map(([v, l]) =>
      el('option', { value: v, selected: v === (params.get('due') || '') }, l)))),
  field(t('owner'), el('select', { name: 'owner' },
    [['', t('allCases')], ['me', t('ownerMe')], ['none', t('ownerNone')]].map(([v, l]) =>
      el('option', { value: v, selected: v === (params.get('owner') || '') }, l)))),
  el('button', { type: 'submit', class: 'button' }, t('filter')));
  const rows = data.cases.map((c) => el('tr', { class: c.overdue ? 'overdue' : c.due ? 'due' : undefined, 'data-testid': 'case-row' },
    el('td', {}, el('a', { href: `#/case/${c.id}` }, c.person.id)),
    el('td', {}, t(`kind:${c.kind}`)),
    el('td', {}, t(`status:${c.status}`)),
    el('td', { class: 'date' }, c.next_contact || '–', c.overdue ? el('span', { class: 'tag bad' }, t('overdue')) : c.due ? el('span', { class: 'tag' }, t('due')) : null),
    el('td', {}, c.owner || '–'),
    el('td', {}, c.person.last_school),
    el('td', {}, c.registry_flag || '')));
  return el('section', {},
    el('h1', {}, t('worklist')), params.get('handed-over') ? message('ok', t('handedOver')) : null, filters,
    el('p', { 'data-testid': 'case-count' }, t('casesCount', { n: data.count, overdue: data.overdue, due: data.due })),
    rows.length ? el('table', { class: 'data', 'data-testid': 'worklist' },
      el('thead', {}, el('tr', {}, [t('person'), t('kind'), t('status'), t('nextContact'), t('owner'), t('lastSchool'), t('flag')].map((h) => el('th', {}, h)))),
      el('tbody', {}, rows)) : el('p', {}, t('noCases')));
}

async function caseView(id) {
  let detail = await api('GET', `/api/v1/cases/${id}`);
  const out = el('div', { 'data-testid': 'case-messages' });
  const root = el('section', { 'data-testid': 'case-page' });
  const canWrite = ['regional-coordinator', 'caseworker'].includes(session.user.role);

  async function write(method, path, body, form, leave = false) {
    try {
      await api(method, path, { ...body, version: detail.case.version });
      if (leave) { // handed over: the case is now another region's
        window.location.hash = '#/worklist?handed-over=1';
        return;
      }
      detail = await api('GET', `/api/v1/cases/${id}`);
      draw(message('ok', t('saved')));
      if (form) form.reset();
    } catch (err) {
      if (err.status === 409) {
        detail = await api('GET', `/api/v1/cases/${id}`);
        draw(message('error', t('conflict')), form);
      } else {
        out.replaceChildren(message('error', t('failed', { message: err.message })));
      }
    }
  }

  function draw(note, keptForm) {
    const c = detail.case;
    const p = c.person;
    const facts = el('dl', { class: 'facts' },
      [[t('person'), p.id], [t('kind'), t(`kind:${c.kind}`)], [t('status'), t(`status:${c.status}`)],
        [t('nextContact'), c.next_contact || '–'], [t('owner'), c.owner || '–'], [t('region'), pad2(c.region)],
        [t('birthDate'), p.birth_date || '–'], [t('lastSchool'), `${p.last_school} ${p.last_sector} ${p.last_program}`],
        [t('leftOn'), p.left_on || '–'], [t('mboVerklaring'), c.mbo_verklaring ? t('yes') : t('no')],
        [t('agreements'), c.agreements || '–'], [t('flag'), c.registry_flag || '–']]
        .flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
    const contactForm = keptForm?.dataset.form === 'contact' ? keptForm : el('form', { class: 'card', 'data-form': 'contact', 'data-testid': 'contact-form', onsubmit: (e) => {
      e.preventDefault();
      const d = formData(e.target);
      const body = { date: d.date, channel: d.channel, with_whom: d.with_whom, summary: d.summary, outcome: d.outcome,
        client_key: `${id}-${Date.now()}-${Math.random()}` };
      if (d.next_contact) body.next_contact = d.next_contact;
      write('POST', `/api/v1/cases/${id}/contacts`, body, e.target);
    } },
    el('h2', {}, t('recordContact')),
    field(t('date'), el('input', { type: 'date', name: 'date', required: true, value: new Date().toISOString().slice(0, 10) })),
    field(t('channel'), select('channel', channels, 'channel', 'phone')),
    field(t('withWhom'), el('input', { name: 'with_whom', required: true })),
    field(t('summary'), el('textarea', { name: 'summary', required: true, rows: 3 })),
    field(t('outcome'), el('input', { name: 'outcome' })),
    field(t('nextContact'), el('input', { type: 'date', name: 'next_contact' })),
    el('button', { type: 'submit', class: 'button' }, t('save')));
    const caseForm = keptForm?.dataset.form === 'case' ? keptForm : el('form', { class: 'card', 'data-form': 'case', 'data-testid': 'case-form', onsubmit: (e) => {
      e.preventDefault();
      const d = formData(e.target);
      const body = {};
      if (d.status !== c.status) body.status = d.status;
      if (d.status === 'closed') body.closed_reason = d.closed_reason;
      if ((d.next_contact || null) !== c.next_contact) body.next_contact = d.next_contact || null;
      if (d.agreements !== c.agreements) body.agreements = d.agreements;
      if ((d.mbo_verklaring === 'on') !== c.mbo_verklaring) body.mbo_verklaring = d.mbo_verklaring === 'on';
      write('PATCH', `/api/v1/cases/${id}`, body, e.target);
    } },
    el('h2', {}, t('changeCase')),
    field(t('status'), select('status', statuses, 'status', c.status)),
    field(t('closedReason'), el('input', { name: 'closed_reason' })),
    field(t('nextContact'), el('input', { type: 'date', name: 'next_contact', value: c.next_contact || '' })),
    field(t('agreements'), el('textarea', { name: 'agreements', rows: 2 }, c.agreements)),
    el('label', { class: 'check' }, el('input', { type: 'checkbox', name: 'mbo_verklaring', checked: c.mbo_verklaring }), t('mboVerklaring')),
    el('button', { type: 'submit', class: 'button' }, t('save')));
    const referralForm = el('form', { class: 'card', 'data-testid': 'referral-form', onsubmit: (e) => {
      e.preventDefault();
      const d = formData(e.target);
      write('POST', `/api/v1/cases/${id}/referrals`, { partner: d.partner, note: d.note }, e.target);
    } },
    el('h2', {}, t('referral')),
    field(t('partner'), select('partner', partners, 'partner', 'school')),
    field(t('note'), el('input', { name: 'note' })),
    el('button', { type: 'submit', class: 'button' }, t('referral')));
    const handoverForm = el('form', { class: 'card', 'data-testid': 'handover-form', onsubmit: (e) => {
      e.preventDefault();
      const d = formData(e.target);
      write('POST', `/api/v1/cases/${id}/handover`, { to_region: d.to_region, note: d.note }, e.target, true);
    } },
    el('h2', {}, t('handover')),
    field(t('toRegion'), el('input', { name: 'to_region', required: true, pattern: '[0-9]{1,2}', inputmode: 'numeric', size: 3 })),
    field(t('note'), el('input', { name: 'note' })),
    el('button', { type: 'submit', class: 'button' }, t('handOver')));
    const contacts = el('table', { class: 'data', 'data-testid': 'contacts' },
      el('thead', {}, el('tr', {}, [t('date'), t('channel'), t('withWhom'), t('summary'), t('outcome'), t('user')].map((h) => el('th', {}, h)))),
      el('tbody', {}, detail.contacts.map((k) => el('tr', {}, el('td', {}, k.date), el('td', {}, t(`channel:${k.channel}`)),
        el('td', {}, k.with_whom), el('td', {}, k.summary), el('td', {}, k.outcome), el('td', {}, k.author)))));
    const history = el('table', { class: 'data', 'data-testid': 'history' },
      el('thead', {}, el('tr', {}, [t('when'), t('user'), t('action'), '', '', t('region')].map((h) => el('th', {}, h)))),
      el('tbody', {}, detail.history.map((h) => el('tr', {}, el('td', {}, h.at), el('td', {}, h.user), el('td', {}, h.event),
        el('td', {}, h.old), el('td', {}, h.new), el('td', {}, pad2(h.region))))));
    const referrals = el('ul', {}, detail.referrals.map((r) => el('li', {}, `${r.date} ${t(`partner:${r.partner}`)}: ${r.note}`)));
    out.replaceChildren(note || '');
    root.replaceChildren(
      el('p', {}, el('a', { href: '#/worklist' }, t('back'))),
      el('h1', {}, t('caseTitle', { id: c.id }), ' ', el('small', { 'data-testid': 'case-version' }, t('version', { v: c.version }))),
      out, facts,
      canWrite && c.closed_on === null ? el('div', { class: 'forms' }, contactForm, caseForm, referralForm, handoverForm) : null,
      el('h2', {}, t('contacts')), contacts,
      el('h2', {}, t('referrals')), referrals,
      el('h2', {}, t('history')), history);
  }
  draw();
  return root;
}

async function overviewView(params) {
  const region = params.get('region') || (session.user.region ?? 1);
  const ov = await api('GET', `/api/v1/cases/overview?region=${region}`);
  const out = el('div');
  const statusRows = Object.entries(ov.by_status).map(([s, n]) => el('tr', {}, el('td', {}, t(`status:${s}`)), el('td', { class: 'num' }, n),
    el('td', { class: 'num' }, ov.after_3_months.by_status[s]), el('td', { class: 'num' }, ov.after_12_months.by_status[s])));
  const regionForm = el('form', { class: 'filters', onsubmit: (e) => { e.preventDefault(); window.location.hash = `#/overview?region=${formData(e.target).region}`; } },
    field(t('region'), el('input', { name: 'region', value: pad2(region), size: 3 })), el('button', { type: 'submit', class: 'button' }, t('filter')));
  const canSync = ['regional-coordinator', 'administrator'].includes(session.user.role);
  return el('section', { 'data-testid': 'overview' },
    el('h1', {}, t('overviewTitle', { region: pad2(ov.region) }), ' ', ov.region_name || ''),
    regionForm,
    el('div', { class: 'kpis' },
      [[t('open'), ov.open], [t('overdue'), ov.overdue], [t('due'), ov.due], [t('noNext'), ov.no_next_contact], [t('flagged'), ov.flagged]]
        .map(([k, v]) => el('div', { class: 'kpi' }, el('span', { class: 'label' }, k), el('strong', {}, v)))),
    el('table', { class: 'data' },
      el('thead', {}, el('tr', {}, el('th', {}, t('status')), el('th', {}, t('count')),
        el('th', {}, `${t('after3')} (${t('cohort')} ${ov.after_3_months.cohort})`), el('th', {}, `${t('after12')} (${t('cohort')} ${ov.after_12_months.cohort})`))),
      el('tbody', {}, statusRows)),
    el('h2', {}, t('contactsPerMonth')),
    el('table', { class: 'data' }, el('thead', {}, el('tr', {}, el('th', {}, t('month')), el('th', {}, t('count')))),
      el('tbody', {}, ov.contacts_per_month.map((m) => el('tr', {}, el('td', {}, m.month), el('td', { class: 'num' }, m.contacts))))),
    canSync ? el('p', {}, el('button', { type: 'button', class: 'button', 'data-testid': 'sync', onclick: async () => {
      try {
        const r = await api('POST', '/api/v1/cases/sync', { region: Number(ov.region) });
        out.replaceChildren(message('ok', t('syncDone', { created: r.created_new_leaver + r.created_oud_vsv, open: r.open_cases })));
      } catch (err) { out.replaceChildren(message('error', t('failed', { message: err.message }))); }
    } }, t('sync'))) : null, out);
}

async function usersView() {
  const data = await api('GET', '/api/v1/users');
  const out = el('div');
  const form = el('form', { class: 'card', 'data-testid': 'user-form', onsubmit: async (e) => {
    e.preventDefault();
    const d = formData(e.target);
    try {
      await api('POST', '/api/v1/users', { name: d.name, role: d.role, password: d.password,
        region: d.region ? Number(d.region) : null, school: d.school || null });
      render();
    } catch (err) { out.replaceChildren(message('error', t('failed', { message: err.message }))); }
  } },
  el('h2', {}, t('addUser')),
  field(t('name'), el('input', { name: 'name', required: true })),
  field(t('role'), select('role', roles, 'role', 'caseworker')),
  field(t('region'), el('input', { name: 'region', size: 3 })),
  field(t('school'), el('input', { name: 'school', size: 6 })),
  field(t('password'), el('input', { name: 'password', type: 'password', autocomplete: 'new-password', required: true, minlength: 12 })),
  el('button', { type: 'submit', class: 'button' }, t('addUser')), out);
  return el('section', {}, el('h1', {}, t('users')),
    el('table', { class: 'data', 'data-testid': 'users' },
      el('thead', {}, el('tr', {}, [t('name'), t('role'), t('region'), t('school'), t('active')].map((h) => el('th', {}, h)))),
      el('tbody', {}, data.users.map((u) => el('tr', {}, el('td', {}, u.name), el('td', {}, t(`role:${u.role}`)),
        el('td', {}, u.region === null ? '–' : pad2(u.region)), el('td', {}, u.school || '–'), el('td', {}, u.active ? t('yes') : t('no')))))),
    form);
}

async function auditView(params) {
  const q = new URLSearchParams();
  for (const k of ['person', 'user', 'from', 'to']) if (params.get(k)) q.set(k, params.get(k));
  q.set('limit', '500');
  const data = await api('GET', `/api/v1/audit?${q}`);
  const csv = new URLSearchParams(q);
  csv.set('format', 'csv');
  csv.delete('limit');
  const form = el('form', { class: 'filters', onsubmit: (e) => {
    e.preventDefault();
    window.location.hash = `#/audit?${new URLSearchParams(Object.entries(formData(e.target)).filter(([, v]) => v))}`;
  } },
  field(t('person'), el('input', { name: 'person', value: params.get('person') || '' })),
  field(t('user'), el('input', { name: 'user', value: params.get('user') || '' })),
  field(t('from'), el('input', { type: 'date', name: 'from', value: params.get('from') || '' })),
  field(t('to'), el('input', { type: 'date', name: 'to', value: params.get('to') || '' })),
  el('button', { type: 'submit', class: 'button' }, t('search')));
  return el('section', {}, el('h1', {}, t('audit')), form,
    el('p', {}, el('a', { href: `/api/v1/audit?${csv}`, download: 'vsv-auditlog.csv' }, t('exportCsv'))),
    el('table', { class: 'data', 'data-testid': 'audit' },
      el('thead', {}, el('tr', {}, [t('when'), t('user'), t('role'), t('action'), t('person'), t('region'), t('purpose')].map((h) => el('th', {}, h)))),
      el('tbody', {}, data.entries.slice().reverse().map((a) => el('tr', {}, el('td', {}, a.at), el('td', {}, a.user), el('td', {}, a.role),
        el('td', {}, a.action), el('td', {}, a.person_id), el('td', {}, a.region === null ? '' : pad2(a.region)), el('td', {}, a.purpose))))));
}

function passwordView() {
  const out = el('div');
  const form = el('form', { class: 'card narrow', onsubmit: async (e) => {
    e.preventDefault();
    const d = formData(e.target);
    try {
      await api('POST', '/api/v1/password', { old_password: d.old_password, new_password: d.new_password });
      out.replaceChildren(message('ok', t('passwordChanged')));
    } catch (err) { out.replaceChildren(message('error', t('failed', { message: err.message }))); }
  } },
  el('h1', {}, t('navPassword')),
  field(t('oldPassword'), el('input', { type: 'password', name: 'old_password', autocomplete: 'current-password', required: true })),
  field(t('newPassword'), el('input', { type: 'password', name: 'new_password', autocomplete: 'new-password', required: true, minlength: 12 })),
  el('button', { type: 'submit', class: 'button' }, t('save')), out);
  return form;
}

// ---- router ----------------------------------------------------------------------

let renderToken = 0;
async function render() {
  const token = ++renderToken;
  const [path, query] = (window.location.hash.slice(1) || '/worklist').split('?');
  const params = new URLSearchParams(query || '');
  if (!session) {
    try { session = await api('GET', '/api/v1/session'); } catch (e) { session = null; }
  }
  const main = el('main', { class: 'register' });
  app.replaceChildren(header(), main);
  if (!session) {
    main.append(loginView());
    return;
  }
  try {
    let view;
    const parts = path.split('/').filter(Boolean);
    if (parts[0] === 'case' && parts[1]) view = await caseView(parts[1]);
    else if (parts[0] === 'overview') view = await overviewView(params);
    else if (parts[0] === 'users') view = await usersView();
    else if (parts[0] === 'audit') view = await auditView(params);
    else if (parts[0] === 'password') view = passwordView();
    else view = await worklistView(params);
    if (token === renderToken) main.replaceChildren(view);
  } catch (err) {
    if (err.status === 401) { session = null; render(); return; }
    if (token === renderToken) main.replaceChildren(message('error', t('failed', { message: err.message })));
  }
}

window.addEventListener('hashchange', render);
render();
