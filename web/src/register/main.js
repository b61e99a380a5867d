// The caseworkers' register: login, my work list, the case page, the region
// overview, the region's contact rule, users, retention and the audit log. Routes
// live in the URL hash (#/worklist, #/case/12, #/rule, …); every write sends the
// session's CSRF token (X-CSRF-Token) and the case version it read, and a 409 shows
// the current case while the user's input stays in the form. Switching the language
// draws the page again and carries over what was typed and what the page said
// (carryPage / restorePage).
import '../style.css';
import './register.css';
import { t, setLanguage, languages, addWords, language } from '../i18n.js';
import { el } from '../dom.js';
import { formatInt } from '../format.js';
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

let hintIds = 0;
// A labelled field; `hint` (text or a node) is tied to the input with aria-describedby.
function field(label, input, hint) {
  let hintNode = null;
  if (hint !== undefined) {
    hintNode = el('small', { class: 'hint', id: `hint-${++hintIds}` }, hint);
    input.setAttribute('aria-describedby', hintNode.id);
  }
  return el('label', { class: 'field' }, el('span', {}, label), input, hintNode);
}
function select(name, values, prefix, value, extra = {}) {
  return el('select', { name, ...extra }, values.map((v) => el('option', { value: v, selected: v === value },
    v === '' ? '–' : t(prefix ? `${prefix}:${v}` : v))));
}
function message(kind, text) {
  return el('p', { class: `msg ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}
// A failed request as the user should read it: what kind of failure (in the page's
// language) and what the server said, word for word.
// A refusal by a rule of the register (409 with its own code) has its own sentence.
function failure(err) {
  const kind = { own_account: 'errOwnAccount', last_administrator: 'errLastAdmin' }[err.body?.error?.code]
    || { 400: 'errInvalid', 401: 'errSession', 403: 'errForbidden', 404: 'errNotFound', 423: 'errLocked' }[err.status]
    || 'errOther';
  return message('error', [t(kind), ' ', t('serverSaid'), ' ', el('q', { class: 'server-said' }, err.message)]);
}
function formData(form) {
  return Object.fromEntries(new FormData(form).entries());
}

// What the page says in a slot (a result or an error), kept as a function that makes
// it, so that after a language switch it is said again in the new language. A slot
// has a data-say key; `make` null empties it.
function say(slot, make) {
  slot.vsvSay = make || null;
  slot.replaceChildren(...(make ? [make()].flat() : []));
}
const saySlot = (key, attrs = {}) => el('div', { class: 'form-msg', 'aria-live': 'polite', 'data-say': key, ...attrs });

// ---- a language switch keeps the page ----------------------------------------------
// Switching the language draws the page again. Before that, carryPage takes from every
// form with a data-testid what the user typed, and from every slot what it said;
// restorePage puts it back into the new page of the same address. Password fields are
// not carried: they are empty after a switch. A form may bring its own `vsvDraft`
// ({ save() -> draft, restore(draft) }), as the case form does.
let carried = null;
function draftOf(form) {
  const values = {};
  for (const e of form.elements) {
    if (!e.name || e.type === 'password' || e.type === 'submit' || e.type === 'button') continue;
    values[e.name] = e.type === 'checkbox' || e.type === 'radio' ? e.checked : e.value;
  }
  return values;
}
function putDraft(form, values) {
  for (const [name, value] of Object.entries(values)) {
    const e = form.elements[name];
    if (!e) continue;
    if (e.type === 'checkbox' || e.type === 'radio') e.checked = value;
    else if (e.tagName !== 'SELECT' || [...e.options].some((o) => o.value === value)) e.value = value;
  }
}
function carryPage() {
  // Still waiting for the page drawn at the last switch: what it carries is the newest.
  if (carried && carried.address === window.location.hash) return;
  const forms = new Map();
  const said = new Map();
  for (const f of app.querySelectorAll('form[data-testid]')) forms.set(f.dataset.testid, f.vsvDraft ? f.vsvDraft.save() : draftOf(f));
  for (const s of app.querySelectorAll('[data-say]')) if (s.vsvSay) said.set(s.dataset.say, s.vsvSay);
  carried = { address: window.location.hash, forms, said };
}
function restorePage(root) {
  const c = carried;
  carried = null;
  if (!c || c.address !== window.location.hash) return;
  const all = (selector) => [root, ...root.querySelectorAll(selector)].filter((n) => n.matches(selector));
  for (const f of all('form[data-testid]')) {
    const draft = c.forms.get(f.dataset.testid);
    if (draft) (f.vsvDraft ? f.vsvDraft.restore(draft) : putDraft(f, draft));
  }
  for (const s of all('[data-say]')) {
    const make = c.said.get(s.dataset.say);
    if (make) say(s, make);
  }
}
// "2024-10-01T09:30:00Z" as the reader writes a moment: 01-10-2024 11:30 or 01/10/2024, 11:30.
const moment = (iso) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso
    : d.toLocaleString(language() === 'nl' ? 'nl-NL' : 'en-GB', { dateStyle: 'short', timeStyle: 'short' });
};
// "1 dossier", "2 dossiers", "1.250 contactmomenten".
const count = (n, what) => `${formatInt(n)} ${t(n === 1 ? `${what}One` : `${what}Many`)}`;
const mayManage = (u) => u?.role === 'administrator';
const maySetRule = (u) => u?.role === 'administrator' || u?.role === 'regional-coordinator';

const currentPath = () => (window.location.hash.slice(1) || '/worklist').split('?')[0].replace(/^\//, '');

function header() {
  const u = session?.user;
  const nav = [];
  if (u) {
    const r = u.role;
    if (['regional-coordinator', 'caseworker', 'school-mentor'].includes(r)) nav.push(['#/worklist', t('navWorklist')]);
    if (['regional-coordinator', 'caseworker', 'administrator', 'national-analyst'].includes(r)) nav.push(['#/overview', t('navOverview')]);
    if (maySetRule(u)) nav.push(['#/rule', t('navRule')]);
    if (r !== 'school-mentor') nav.push(['#/programme', t('navProgramme')], ['#/effect-report', t('navEffectReport')]);
    if (mayManage(u)) nav.push(['#/users', t('navUsers')], ['#/purge', t('navPurge')], ['#/audit', t('navAudit')]);
    nav.push(['#/password', t('navPassword')]);
  }
  nav.push(['/', t('navDashboard')]);
  const langs = el('div', { class: 'langs', role: 'group', 'aria-label': t('language') },
    languages.map((l) => el('a', { href: '#', class: l === language() ? 'active' : undefined, 'data-testid': `lang-${l}`,
      onclick: (e) => {
        e.preventDefault();
        if (l === language()) return;
        carryPage();
        localStorage.setItem('vsv-lang', l);
        setLanguage(l);
        render();
      } }, l.toUpperCase())));
  return el('header', { class: 'topbar' },
    el('div', { class: 'brand' }, el('strong', {}, 'vsv'), el('span', {}, t('regTitle'))),
    el('nav', { class: 'main-nav', 'aria-label': t('navLabel') }, nav.map(([href, text]) => el('a', {
      href, 'data-testid': href.startsWith('#/') ? `nav-${href.slice(2)}` : undefined,
      class: href === `#/${currentPath().split('/')[0]}` ? 'active' : undefined,
      'aria-current': href === `#/${currentPath().split('/')[0]}` ? 'page' : undefined }, text))),
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
  const out = saySlot('login');
  const form = el('form', { class: 'card narrow', 'data-testid': 'login-form', onsubmit: async (e) => {
    e.preventDefault();
    const d = formData(form);
    try {
      session = await api('POST', '/api/v1/login', { name: d.name, password: d.password });
      window.location.hash = session.user.role === 'administrator' ? '#/users'
        : session.user.role === 'national-analyst' ? '#/overview' : '#/worklist';
      render();
    } catch (err) {
      say(out, () => message('error', t('loginFailed', { message: err.message })));
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

// The case page. The forms are made once and kept while the page is open: whatever a
// user typed stays in them until it is saved — after another form's save, after an
// error and after a conflict (409: someone saved in between). On a conflict the page
// loads the current case and shows it; the user's input stays, and saving again sends
// it with the new version.
async function caseView(id) {
  let detail = await api('GET', `/api/v1/cases/${id}`);
  const root = el('section', { 'data-testid': 'case-page' });
  const canWrite = ['regional-coordinator', 'caseworker'].includes(session.user.role);
  const slot = (key) => saySlot(key);

  // The case form sends only the fields the user changed from `base`, the values it
  // was filled from, so a save after a conflict does not undo another user's change of
  // a field this user left alone. A field the user did not touch follows the case.
  const caseFields = {
    status: { get: (f) => f.elements.status.value, set: (f, v) => { f.elements.status.value = v; }, of: (c) => c.status,
      show: (v) => t(`status:${v}`) },
    next_contact: { get: (f) => f.elements.next_contact.value || null, set: (f, v) => { f.elements.next_contact.value = v || ''; },
      of: (c) => c.next_contact, show: (v) => v || '–' },
    agreements: { get: (f) => f.elements.agreements.value, set: (f, v) => { f.elements.agreements.value = v; },
      of: (c) => c.agreements, show: (v) => v || '–' },
    mbo_verklaring: { get: (f) => f.elements.mbo_verklaring.checked, set: (f, v) => { f.elements.mbo_verklaring.checked = v; },
      of: (c) => c.mbo_verklaring, show: (v) => (v ? t('yes') : t('no')) },
  };
  const base = {};
  const hints = {};
  const hint = (name) => { hints[name] = el('span', { class: 'changed', 'data-testid': `changed-${name}` }); return hints[name]; };

  const contactForm = el('form', { class: 'card', 'data-testid': 'contact-form', onsubmit: (e) => {
    e.preventDefault();
    const d = formData(contactForm);
    const body = { date: d.date, channel: d.channel, with_whom: d.with_whom, summary: d.summary, outcome: d.outcome,
      client_key: `${id}-${Date.now()}-${Math.random()}` };
    if (d.next_contact) body.next_contact = d.next_contact;
    write('POST', `/api/v1/cases/${id}/contacts`, body, contactForm, () => contactForm.reset());
  } },
  el('h2', {}, t('recordContact')),
  field(t('date'), el('input', { type: 'date', name: 'date', required: true, value: new Date().toISOString().slice(0, 10) })),
  field(t('channel'), select('channel', channels, 'channel', 'phone')),
  field(t('withWhom'), el('input', { name: 'with_whom', required: true })),
  field(t('summary'), el('textarea', { name: 'summary', required: true, rows: 3 })),
  field(t('outcome'), el('input', { name: 'outcome' })),
  field(t('nextContact'), el('input', { type: 'date', name: 'next_contact' }), t('nextContactHint')),
  el('button', { type: 'submit', class: 'button' }, t('save')), slot('contact'));

  const caseForm = el('form', { class: 'card', 'data-testid': 'case-form', onsubmit: (e) => {
    e.preventDefault();
    const body = {};
    for (const [name, f] of Object.entries(caseFields)) if (f.get(caseForm) !== base[name]) body[name] = f.get(caseForm);
    if (caseForm.elements.status.value === 'closed') body.closed_reason = caseForm.elements.closed_reason.value;
    if (!Object.keys(body).length) {
      say(caseForm.querySelector('.form-msg'), () => message('ok', t('nothingChanged')));
      return;
    }
    write('PATCH', `/api/v1/cases/${id}`, body, caseForm, (d) => fillCaseForm(d.case));
  } },
  el('h2', {}, t('changeCase')),
  field(t('status'), select('status', statuses, 'status', detail.case.status), hint('status')),
  field(t('closedReason'), el('input', { name: 'closed_reason' })),
  field(t('nextContact'), el('input', { type: 'date', name: 'next_contact' }), hint('next_contact')),
  field(t('agreements'), el('textarea', { name: 'agreements', rows: 2 }), hint('agreements')),
  el('label', { class: 'check' }, el('input', { type: 'checkbox', name: 'mbo_verklaring' }), t('mboVerklaring'), hint('mbo_verklaring')),
  el('button', { type: 'submit', class: 'button' }, t('save')), slot('case'));

  const referralForm = el('form', { class: 'card', 'data-testid': 'referral-form', onsubmit: (e) => {
    e.preventDefault();
    const d = formData(referralForm);
    write('POST', `/api/v1/cases/${id}/referrals`, { partner: d.partner, note: d.note }, referralForm, () => referralForm.reset());
  } },
  el('h2', {}, t('referral')),
  field(t('partner'), select('partner', partners, 'partner', 'school')),
  field(t('note'), el('input', { name: 'note' })),
  el('button', { type: 'submit', class: 'button' }, t('referral')), slot('referral'));

  const handoverForm = el('form', { class: 'card', 'data-testid': 'handover-form', onsubmit: (e) => {
    e.preventDefault();
    const d = formData(handoverForm);
    write('POST', `/api/v1/cases/${id}/handover`, { to_region: d.to_region, note: d.note }, handoverForm, null, true);
  } },
  el('h2', {}, t('handover')),
  field(t('toRegion'), el('input', { name: 'to_region', required: true, pattern: '[0-9]{1,2}', inputmode: 'numeric', size: 3 })),
  field(t('note'), el('input', { name: 'note' })),
  el('button', { type: 'submit', class: 'button' }, t('handOver')), slot('handover'));

  const allForms = [contactForm, caseForm, referralForm, handoverForm];
  const formsBox = el('div', { class: 'forms' }, allForms);
  let formsShown = false;

  function fillCaseForm(c) {
    for (const [name, f] of Object.entries(caseFields)) {
      base[name] = f.of(c);
      f.set(caseForm, base[name]);
      hints[name].replaceChildren();
    }
    caseForm.elements.closed_reason.value = '';
  }
  // The case changed under the form: fields the user left alone take the new value;
  // a field the user changed keeps the input and says what the case holds now.
  function followCase(c) {
    for (const [name, f] of Object.entries(caseFields)) {
      const now = f.of(c);
      if (f.get(caseForm) === base[name]) {
        base[name] = now;
        f.set(caseForm, now);
        hints[name].replaceChildren();
      } else {
        hints[name].replaceChildren(now !== base[name] ? t('nowInCase', { value: f.show(now) }) : '');
      }
    }
  }
  fillCaseForm(detail.case);
  // Across a language switch the case form carries only the fields the user changed,
  // each with the value it was changed from: a field left alone follows the case as
  // it is loaded now, and a changed field the case changed under says so.
  caseForm.vsvDraft = {
    save: () => {
      const changed = {};
      for (const [name, f] of Object.entries(caseFields)) {
        if (f.get(caseForm) !== base[name]) changed[name] = { value: f.get(caseForm), from: base[name] };
      }
      return { changed, closed_reason: caseForm.elements.closed_reason.value };
    },
    restore: (draft) => {
      for (const [name, { value, from }] of Object.entries(draft.changed)) {
        caseFields[name].set(caseForm, value);
        base[name] = from;
      }
      caseForm.elements.closed_reason.value = draft.closed_reason;
      followCase(detail.case);
    },
  };

  async function write(method, path, body, form, onSaved, leave = false) {
    const out = form.querySelector('.form-msg');
    const button = form.querySelector('button[type="submit"]');
    for (const f of allForms) say(f.querySelector('.form-msg'), null);
    button.disabled = true;
    try {
      await api(method, path, { ...body, version: detail.case.version });
      if (leave) { // handed over: the case is now another region's
        window.location.hash = '#/worklist?handed-over=1';
        return;
      }
      detail = await api('GET', `/api/v1/cases/${id}`);
      if (onSaved) onSaved(detail);
      draw();
      say(out, () => message('ok', t('saved')));
    } catch (err) {
      if (err.status !== 409) {
        say(out, () => failure(err));
        return;
      }
      // Someone saved in between: nothing of this save was stored. Show the case as
      // it is now; the input stays in the form.
      try {
        detail = await api('GET', `/api/v1/cases/${id}`);
      } catch (again) {
        say(out, () => [message('error', t('conflictGone')), failure(again)]);
        return;
      }
      draw();
      const last = detail.history.reduce((a, h) => (!a || h.id > a.id ? h : a), null);
      const v = detail.case.version;
      say(out, () => message('error', t('conflict', { user: last?.user ?? '?', at: last ? moment(last.at) : '', v })));
    } finally {
      button.disabled = false;
    }
  }

  const title = el('h1', {});
  const factsBox = el('div');
  const closedNote = el('div');
  const contactsBox = el('div');
  const referralsBox = el('div');
  const historyBox = el('div');
  root.append(el('p', {}, el('a', { href: '#/worklist' }, t('back'))), title, factsBox, closedNote, formsBox,
    el('h2', {}, t('contacts')), contactsBox, el('h2', {}, t('referrals')), referralsBox, el('h2', {}, t('history')), historyBox);

  function draw() {
    const c = detail.case;
    const p = c.person;
    title.replaceChildren(t('caseTitle', { id: c.id }), ' ', el('small', { 'data-testid': 'case-version' }, t('version', { v: c.version })));
    factsBox.replaceChildren(el('dl', { class: 'facts', 'data-testid': 'facts' },
      [[t('person'), p.id], [t('kind'), t(`kind:${c.kind}`)], [t('status'), t(`status:${c.status}`)],
        [t('nextContact'), c.next_contact || '–'], [t('owner'), c.owner || '–'], [t('region'), pad2(c.region)],
        [t('birthDate'), p.birth_date || '–'], [t('lastSchool'), `${p.last_school} ${p.last_sector} ${p.last_program}`],
        [t('leftOn'), p.left_on || '–'], [t('mboVerklaring'), c.mbo_verklaring ? t('yes') : t('no')],
        [t('agreements'), c.agreements || '–'], [t('flag'), c.registry_flag || '–']]
        .flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])));
    const open = c.closed_on === null;
    // Forms stay on the page when the case was closed under them, so no input vanishes.
    formsShown = canWrite && (open || formsShown);
    formsBox.hidden = !formsShown;
    for (const f of allForms) f.querySelector('button[type="submit"]').disabled = !open;
    closedNote.replaceChildren(formsShown && !open ? message('error', t('closedUnderYou')) : '');
    followCase(c);
    contactsBox.replaceChildren(el('table', { class: 'data', 'data-testid': 'contacts' },
      el('thead', {}, el('tr', {}, [t('date'), t('channel'), t('withWhom'), t('summary'), t('outcome'), t('user')].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, detail.contacts.map((k) => el('tr', {}, el('td', {}, k.date), el('td', {}, t(`channel:${k.channel}`)),
        el('td', {}, k.with_whom), el('td', {}, k.summary), el('td', {}, k.outcome), el('td', {}, k.author))))));
    referralsBox.replaceChildren(el('ul', {}, detail.referrals.map((r) => el('li', {}, `${r.date} ${t(`partner:${r.partner}`)}: ${r.note}`))));
    historyBox.replaceChildren(el('table', { class: 'data', 'data-testid': 'history' },
      el('thead', {}, el('tr', {}, [t('when'), t('user'), t('action'), '', '', t('region')].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, detail.history.map((h) => el('tr', {}, el('td', {}, h.at), el('td', {}, h.user), el('td', {}, h.event),
        el('td', {}, h.old), el('td', {}, h.new), el('td', {}, pad2(h.region)))))));
  }
  draw();
  return root;
}

async function overviewView(params) {
  const region = params.get('region') || (session.user.region ?? 1);
  const [ov, rule] = await Promise.all([api('GET', `/api/v1/cases/overview?region=${region}`),
    api('GET', `/api/v1/cases/rule?region=${region}`)]);
  const out = saySlot('sync');
  const statusRows = Object.entries(ov.by_status).map(([s, n]) => el('tr', {}, el('td', {}, t(`status:${s}`)), el('td', { class: 'num' }, n),
    el('td', { class: 'num' }, ov.after_3_months.by_status[s]), el('td', { class: 'num' }, ov.after_12_months.by_status[s])));
  const regionForm = el('form', { class: 'filters', 'data-testid': 'overview-region', onsubmit: (e) => { e.preventDefault(); window.location.hash = `#/overview?region=${formData(e.target).region}`; } },
    field(t('region'), el('input', { name: 'region', value: pad2(region), size: 3 })), el('button', { type: 'submit', class: 'button' }, t('filter')));
  const canSync = ['regional-coordinator', 'administrator'].includes(session.user.role);
  return el('section', { 'data-testid': 'overview' },
    el('h1', {}, t('overviewTitle', { region: pad2(ov.region) }), ' ', ov.region_name || ''),
    regionForm,
    el('p', { 'data-testid': 'overview-rule' }, ruleText(rule), ' ',
      maySetRule(session.user) ? el('a', { href: `#/rule?region=${ov.region}` }, t('ruleChangeLink')) : null),
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
        say(out, () => message('ok', t('syncDone', { created: r.created_new_leaver + r.created_oud_vsv, open: r.open_cases })));
      } catch (err) { say(out, () => failure(err)); }
    } }, t('sync'))) : null, out);
}

const ruleText = (r) => t('ruleText', { m: r.oud_vsv_interval_months, d: r.new_leaver_interval_days });

// The region's contact rule. The coordinator sets the own region's rule, an
// administrator any region's; others (caseworkers) read it.
async function ruleView(params) {
  const u = session.user;
  const admin = mayManage(u);
  const region = admin ? Number(params.get('region') || 1) : u.region;
  if (region === null || region === undefined) return message('error', t('noRegion'));
  const rule = await api('GET', `/api/v1/cases/rule?region=${region}`);
  const current = el('p', { 'data-testid': 'rule-current' }, ruleText(rule));
  const head = [el('h1', {}, t('ruleTitle', { region: pad2(region) })), el('p', { class: 'intro' }, t('ruleIntro')), current];
  if (!maySetRule(u)) return el('section', { 'data-testid': 'rule' }, head, el('p', {}, t('ruleReadOnly')));
  const picker = admin ? el('form', { class: 'filters', 'data-testid': 'rule-region', onsubmit: (e) => {
    e.preventDefault();
    window.location.hash = `#/rule?region=${Number(formData(e.target).region)}`;
  } },
  field(t('region'), el('input', { name: 'region', type: 'number', min: 1, max: 40, required: true, value: region, inputmode: 'numeric' })),
  el('button', { type: 'submit', class: 'button' }, t('show'))) : null;
  const out = saySlot('rule');
  const form = el('form', { class: 'card narrow-left', 'data-testid': 'rule-form', onsubmit: async (e) => {
    e.preventDefault();
    const months = Number(form.elements.oud_vsv_interval_months.value);
    const days = Number(form.elements.new_leaver_interval_days.value);
    say(out, null);
    try {
      const r = await api('PUT', '/api/v1/cases/rule', { region, oud_vsv_interval_months: months, new_leaver_interval_days: days });
      current.replaceChildren(ruleText(r));
      say(out, () => message('ok', t('ruleSaved')));
    } catch (err) { say(out, () => failure(err)); }
  } },
  el('h2', {}, t('ruleChange')),
  field(t('ruleMonths'), el('input', { name: 'oud_vsv_interval_months', type: 'number', min: 1, step: 1, required: true,
    inputmode: 'numeric', value: rule.oud_vsv_interval_months }), t('ruleMonthsHint')),
  field(t('ruleDays'), el('input', { name: 'new_leaver_interval_days', type: 'number', min: 1, step: 1, required: true,
    inputmode: 'numeric', value: rule.new_leaver_interval_days }), t('ruleDaysHint')),
  el('button', { type: 'submit', class: 'button' }, t('save')), out);
  return el('section', { 'data-testid': 'rule' }, head, picker, form);
}

// Retention (administrator): delete cases closed longer ago than the period. Final,
// so it asks for a confirmation; the purge is in the audit log.
function purgeView() {
  if (!mayManage(session.user)) return message('error', t('adminOnly'));
  const out = saySlot('purge');
  const form = el('form', { class: 'card narrow-left', 'data-testid': 'purge-form', onsubmit: async (e) => {
    e.preventDefault();
    const years = Number(form.elements.retention_years.value);
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    say(out, null);
    try {
      const r = await api('POST', '/api/v1/cases/purge', { retention_years: years });
      say(out, () => message('ok', [el('span', { 'data-testid': 'purge-result', 'data-cases': r.cases },
        t('purgeDone', { cases: count(r.cases, 'case'), contacts: count(r.contacts, 'contact'), cutoff: r.cutoff })), ' ',
      el('a', { href: '#/audit' }, t('purgeAudit'))]));
      form.elements.confirm.checked = false;
    } catch (err) { say(out, () => failure(err)); } finally { button.disabled = false; }
  } },
  el('h2', {}, t('purgeRun')),
  field(t('retentionYears'), el('input', { name: 'retention_years', type: 'number', min: 1, step: 1, required: true,
    inputmode: 'numeric', value: 5 }), t('retentionHint')),
  el('label', { class: 'check' }, el('input', { type: 'checkbox', name: 'confirm', required: true }), t('purgeConfirm')),
  el('button', { type: 'submit', class: 'button danger' }, t('purgeButton')), out);
  return el('section', { 'data-testid': 'purge' }, el('h1', {}, t('purgeTitle')), el('p', { class: 'intro' }, t('purgeIntro')), form);
}

// Users (administrator): the list, deactivate/activate, reset a password, add a user.
async function usersView() {
  const me = session.user.name;
  const tbody = el('tbody', {});
  const listMsg = saySlot('users');
  const resetUser = el('select', { name: 'name', required: true });
  async function refresh() {
    const data = await api('GET', '/api/v1/users');
    const chosen = resetUser.value;
    resetUser.replaceChildren(el('option', { value: '' }, '–'),
      ...data.users.map((u) => el('option', { value: u.name, selected: u.name === chosen }, u.name)));
    tbody.replaceChildren(...data.users.map((u) => el('tr', { 'data-testid': 'user-row', 'data-user': u.name, class: u.active ? undefined : 'inactive' },
      el('td', {}, u.name), el('td', {}, t(`role:${u.role}`)),
      el('td', {}, u.region === null ? '–' : pad2(u.region)), el('td', {}, u.school || '–'),
      el('td', { 'data-testid': 'user-active' }, u.active ? t('yes') : t('no')),
      el('td', {}, u.name === me ? el('span', { class: 'muted' }, t('thisIsYou')) : el('button', {
        type: 'button', class: `button${u.active ? ' danger' : ''}`, 'data-testid': u.active ? 'deactivate' : 'activate',
        'aria-label': t(u.active ? 'deactivateUser' : 'activateUser', { name: u.name }),
        onclick: async (e) => {
          e.target.disabled = true;
          try {
            await api('POST', `/api/v1/users/${encodeURIComponent(u.name)}/active`, { active: !u.active });
            await refresh();
            say(listMsg, () => message('ok', t(u.active ? 'deactivated' : 'activated', { name: u.name })));
          } catch (err) { say(listMsg, () => failure(err)); e.target.disabled = false; }
        } }, u.active ? t('deactivate') : t('activate'))))));
  }
  await refresh();

  const resetMsg = saySlot('reset');
  const resetForm = el('form', { class: 'card', 'data-testid': 'reset-form', onsubmit: async (e) => {
    e.preventDefault();
    const d = formData(resetForm);
    say(resetMsg, null);
    if (d.password !== d.password2) {
      say(resetMsg, () => message('error', t('passwordsDiffer')));
      resetForm.elements.password2.focus();
      return;
    }
    try {
      await api('POST', `/api/v1/users/${encodeURIComponent(d.name)}/password`, { password: d.password });
      resetForm.reset();
      say(resetMsg, () => message('ok', t('passwordReset', { name: d.name })));
    } catch (err) { say(resetMsg, () => failure(err)); }
  } },
  el('h2', {}, t('resetPassword')),
  field(t('user'), resetUser),
  field(t('newPassword'), el('input', { name: 'password', type: 'password', autocomplete: 'new-password', required: true, minlength: 12 }),
    t('passwordHint')),
  field(t('repeatPassword'), el('input', { name: 'password2', type: 'password', autocomplete: 'new-password', required: true, minlength: 12 })),
  el('button', { type: 'submit', class: 'button' }, t('resetPasswordButton')), resetMsg);

  const addMsg = saySlot('add-user');
  const addForm = el('form', { class: 'card', 'data-testid': 'user-form', onsubmit: async (e) => {
    e.preventDefault();
    const d = formData(addForm);
    say(addMsg, null);
    try {
      await api('POST', '/api/v1/users', { name: d.name, role: d.role, password: d.password,
        region: d.region ? Number(d.region) : null, school: d.school || null });
      addForm.reset();
      await refresh();
      say(addMsg, () => message('ok', t('userAdded', { name: d.name })));
    } catch (err) { say(addMsg, () => failure(err)); }
  } },
  el('h2', {}, t('addUser')),
  field(t('name'), el('input', { name: 'name', required: true, autocomplete: 'off' })),
  field(t('role'), select('role', roles, 'role', 'caseworker')),
  field(t('region'), el('input', { name: 'region', size: 3, inputmode: 'numeric' }), t('regionHint')),
  field(t('school'), el('input', { name: 'school', size: 6 }), t('schoolHint')),
  field(t('password'), el('input', { name: 'password', type: 'password', autocomplete: 'new-password', required: true, minlength: 12 }),
    t('passwordHint')),
  el('button', { type: 'submit', class: 'button' }, t('addUser')), addMsg);

  return el('section', {}, el('h1', {}, t('users')), el('p', { class: 'intro' }, t('usersIntro')),
    el('table', { class: 'data', 'data-testid': 'users' },
      el('thead', {}, el('tr', {}, [t('name'), t('role'), t('region'), t('school'), t('active'), t('actions')].map((h) => el('th', { scope: 'col' }, h)))),
      tbody),
    listMsg,
    el('div', { class: 'forms' }, resetForm, addForm));
}

async function auditView(params) {
  const q = new URLSearchParams();
  for (const k of ['person', 'user', 'from', 'to']) if (params.get(k)) q.set(k, params.get(k));
  q.set('limit', '500');
  const data = await api('GET', `/api/v1/audit?${q}`);
  const csv = new URLSearchParams(q);
  csv.set('format', 'csv');
  csv.delete('limit');
  const form = el('form', { class: 'filters', 'data-testid': 'audit-filters', onsubmit: (e) => {
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
  const out = saySlot('password');
  const form = el('form', { class: 'card narrow', 'data-testid': 'password-form', onsubmit: async (e) => {
    e.preventDefault();
    const d = formData(e.target);
    try {
      await api('POST', '/api/v1/password', { old_password: d.old_password, new_password: d.new_password });
      say(out, () => message('ok', t('passwordChanged')));
    } catch (err) { say(out, () => failure(err)); }
  } },
  el('h1', {}, t('navPassword')),
  field(t('oldPassword'), el('input', { type: 'password', name: 'old_password', autocomplete: 'current-password', required: true })),
  field(t('newPassword'), el('input', { type: 'password', name: 'new_password', autocomplete: 'new-password', required: true, minlength: 12 })),
  el('button', { type: 'submit', class: 'button' }, t('save')), out);
  return form;
}

// ---- the regional programme and the effect report (issue 16) -----------------------

function regionOf(params) {
  const u = session.user;
  return u.region ?? Number(params.get('region') || 1);
}

function regionPicker(route, region, extra = {}) {
  if (session.user.region !== null && session.user.region !== undefined) return null;
  return el('form', { class: 'filters', 'data-testid': `${route}-region`, onsubmit: (e) => {
    e.preventDefault();
    window.location.hash = `#/${route}?${new URLSearchParams({ ...extra, ...formData(e.target) })}`;
  } },
  field(t('region'), el('input', { name: 'region', type: 'number', min: 1, max: 40, required: true, value: region, inputmode: 'numeric' })),
  el('button', { type: 'submit', class: 'button' }, t('show')));
}

// Programma: per topic the agreements and measures; a topic without an agreement is
// marked missing. The region's coordinator (and the administrator) adds agreements.
async function programmeView(params) {
  const region = regionOf(params);
  const p = await api('GET', `/api/v1/programme?region=${region}`);
  const en = language() === 'en';
  const topics = p.topics.map((tp) => el('section', { class: 'card', 'data-testid': `topic-${tp.topic}` },
    el('h2', {}, en ? tp.label_en : tp.label_nl),
    tp.missing ? message('error', t('topicMissing')) : null,
    el('ul', {}, tp.agreements.map((a) => el('li', {}, a.text))),
    tp.measures.length ? el('table', {}, el('thead', {}, el('tr', {}, [t('measure'), t('plannedParticipants'), t('year'), t('budget'), t('spent'), t('participants')].map((h) => el('th', {}, h)))),
      el('tbody', {}, tp.measures.flatMap((m) => (m.years.length ? m.years : [{ year: '', budget: 0, spent_total: 0, participants: 0 }]).map((y) => el('tr', {},
        el('td', {}, m.title), el('td', { class: 'num' }, formatInt(m.planned_participants)), el('td', {}, String(y.year)),
        el('td', { class: 'num' }, formatInt(y.budget)), el('td', { class: 'num' }, formatInt(y.spent_total)),
        el('td', { class: 'num' }, formatInt(y.participants))))))) : null));
  const head = [el('h1', {}, t('programmeTitle', { region: pad2(region) })), el('p', { class: 'intro' }, t('programmeIntro'))];
  if (!maySetRule(session.user)) return el('section', { 'data-testid': 'programme' }, head, regionPicker('programme', region), topics);
  const out = saySlot('programme');
  const form = el('form', { class: 'card narrow-left', 'data-testid': 'agreement-form', onsubmit: async (e) => {
    e.preventDefault();
    const d = formData(form);
    say(out, null);
    try {
      await api('POST', '/api/v1/programme/agreements', { region, topic: d.topic, text: d.text });
      render();
    } catch (err) { say(out, () => failure(err)); }
  } },
  el('h2', {}, t('addAgreement')),
  field(t('topic'), el('select', { name: 'topic' }, p.topics.map((tp) => el('option', { value: tp.topic }, en ? tp.label_en : tp.label_nl)))),
  field(t('agreement'), el('textarea', { name: 'text', required: true, rows: 3 })),
  el('button', { type: 'submit', class: 'button' }, t('save')), out);
  return el('section', { 'data-testid': 'programme' }, head, regionPicker('programme', region), topics, form);
}

// Effectrapportage: every figure of the report as the API gives it, the texts still
// empty, and the PDF / XLSX downloads.
async function effectReportView(params) {
  const region = regionOf(params);
  const year = Number(params.get('year') || new Date().getFullYear());
  const r = await api('GET', `/api/v1/effect-report?region=${region}&year=${year}`);
  const en = language() === 'en';
  const q = `region=${region}&year=${year}&lang=${language()}`;
  return el('section', { 'data-testid': 'effect-report' },
    el('h1', {}, t('effectTitle', { region: pad2(region), year: String(year) })),
    el('p', { class: 'intro' }, t('effectIntro', { schoolYear: r.school_year })),
    regionPicker('effect-report', region, { year: String(year) }),
    el('p', {}, el('a', { class: 'button', href: `/api/v1/effect-report?${q}&format=pdf`, 'data-testid': 'effect-pdf' }, 'PDF'), ' ',
      el('a', { class: 'button', href: `/api/v1/effect-report?${q}&format=xlsx`, 'data-testid': 'effect-xlsx' }, 'XLSX')),
    r.missing_topics.length ? message('error', t('topicsMissing', { topics: r.missing_topics.join(', ') })) : null,
    r.empty_texts.length ? message('error', t('textsEmpty', { texts: r.empty_texts.join(', ') })) : null,
    el('table', { 'data-testid': 'effect-figures' }, el('tbody', {}, r.figures.map((f) => el('tr', { 'data-key': f.key },
      el('td', {}, f.section), el('td', {}, en ? f.label_en : f.label_nl), el('td', { class: 'num' }, f.text))))));
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
    restorePage(main);
    return;
  }
  try {
    let view;
    const parts = path.split('/').filter(Boolean);
    if (parts[0] === 'case' && parts[1]) view = await caseView(parts[1]);
    else if (parts[0] === 'overview') view = await overviewView(params);
    else if (parts[0] === 'users') view = await usersView();
    else if (parts[0] === 'rule') view = await ruleView(params);
    else if (parts[0] === 'purge') view = purgeView();
    else if (parts[0] === 'programme') view = await programmeView(params);
    else if (parts[0] === 'effect-report') view = await effectReportView(params);
    else if (parts[0] === 'audit') view = await auditView(params);
    else if (parts[0] === 'password') view = passwordView();
    else view = await worklistView(params);
    if (token === renderToken) {
      restorePage(view);
      main.replaceChildren(view);
    }
  } catch (err) {
    if (err.status === 401) { session = null; render(); return; }
    if (token === renderToken) main.replaceChildren(failure(err));
  }
}

window.addEventListener('hashchange', render);
render();
