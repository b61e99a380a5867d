// A caseworker's day in headless Chromium (Debian chromium + playwright-core): a
// small synthetic registry, a SQLite register with an administrator, a coordinator
// and two caseworkers, the region's work list synced, then `vsv serve --db` and the
// register page: log in, open the work list, open a case, record a contact, set the
// next contact date, hand the case over to another region; two caseworkers change
// the same case in two browsers (the second gets a 409 and keeps the input); the
// coordinator sets the region's contact rule; the administrator deactivates a user,
// resets a password and runs the retention purge; a language switch keeps what was
// typed and the purge result; the command line cannot deactivate the only
// administrator; log out. Every step is checked
// against the API as the administrator/caseworker sees it; screenshots (the new
// screens in Dutch and English) go to --out.
//
//   node tests/register/register.e2e.mjs --vsv build/vsv --web web/dist --out build/e2e-register
//
// Exit code 0 = all checks passed; 77 = prerequisites missing (ctest: skipped).
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const require = createRequire(join(root, 'web', 'package.json'));
function skip(why) { console.log(`skipped: ${why}`); process.exit(77); }
let chromium;
try { ({ chromium } = require('playwright-core')); } catch { skip('playwright-core is not installed (npm ci in web/)'); }
function arg(name, fallback) { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : fallback; }
const vsv = resolve(arg('vsv', join(root, 'build', 'vsv')));
const web = resolve(arg('web', join(root, 'web', 'dist')));
const out = resolve(arg('out', join(root, 'build', 'e2e-register')));
mkdirSync(out, { recursive: true });
const browserPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(join(web, 'register.html'))) skip(`no register page in ${web} (./run build)`);
if (!existsSync(browserPath)) skip(`no browser at ${browserPath}`);
if (!existsSync(vsv)) skip(`no vsv binary at ${vsv}`);

let failures = 0;
function check(cond, what, detail = '') {
  console.log(`${cond ? 'ok  ' : 'FAIL'} ${what}${cond ? '' : ` — ${detail}`}`);
  if (!cond) failures++;
}

const REGION = 21, TO_REGION = 13;
const PASSWORD = 'correct horse battery';
const work = mkdtempSync(join(tmpdir(), 'vsv-e2e-register-'));
const data = join(work, 'registry');
const db = join(work, 'register.db');
execFileSync(vsv, ['synth', '--scale', '0.02', '--from', '2012', '--to', '2024', '--seed', '7', '--out', data, '--quiet']);
const users = [['admin', 'administrator', []], ['anna', 'caseworker', ['--region', String(REGION)]],
  ['bram', 'caseworker', ['--region', String(REGION)]], ['carla', 'regional-coordinator', ['--region', String(REGION)]]];
for (const [name, role, extra] of users) {
  execFileSync(vsv, ['users', 'add', '--db', db, '--name', name, '--role', role, ...extra], { input: `${PASSWORD}\n` });
}
execFileSync(vsv, ['cases', 'sync', '--data', data, '--db', db, '--region', String(REGION), '--date', '2024-10-01', '--quiet']);
// The only administrator cannot be deactivated, from the command line either.
try {
  execFileSync(vsv, ['users', 'deactivate', '--db', db, '--name', 'admin'], { stdio: 'pipe' });
  check(false, 'the command line refuses to deactivate the only administrator', 'it was deactivated');
} catch (e) {
  const said = String(e.stderr ?? '');
  check(said.includes('last active administrator'), 'the command line refuses to deactivate the only administrator', said);
}
// For the retention purge: one case closed six years ago. Nothing in the program
// closes a case in the past, so the fixture writes it with the sqlite3 shell when
// there is one (without it the purge is still run and must delete nothing).
let purgeable = 0;
try {
  const closedOn = Math.floor(Date.now() / 86400000) - 6 * 366;
  execFileSync('sqlite3', [db, `UPDATE cases SET status = 'closed', closed_reason = 'e2e: oud dossier', closed_on = ${closedOn}
    WHERE id = (SELECT MAX(id) FROM cases); SELECT changes();`]);
  purgeable = 1;
} catch (e) {
  console.log(`note: no sqlite3 shell (${e.code ?? e.message}); the purge is checked to delete nothing`);
}

const server = spawn(vsv, ['serve', '--data', data, '--db', db, '--port', '0', '--web', web, '--quiet', '--no-warm-up'],
  { stdio: ['ignore', 'pipe', 'inherit'] });
const base = await new Promise((ok, fail) => {
  let text = '';
  const timer = setTimeout(() => fail(new Error('vsv serve did not start')), 60000);
  server.stdout.on('data', (chunk) => {
    text += chunk;
    const m = text.match(/listening on (http:\/\/[^\s]+)/);
    if (m) { clearTimeout(timer); ok(m[1]); }
  });
  server.on('exit', (code) => fail(new Error(`vsv serve exited with ${code}`)));
});

// A login over the API beside the browser's: { status, get(path) -> body, status of a GET }.
async function apiLogin(name, password = PASSWORD) {
  const res = await fetch(new URL('/api/v1/login', base), { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, password }) });
  await res.arrayBuffer();
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  const get = async (path) => fetch(new URL(path, base), { headers: { Cookie: cookie } });
  return { status: res.status, get: async (path) => (await get(path)).json(), getStatus: async (path) => (await get(path)).status };
}
// The API as a logged-in user: a function from path to JSON body.
async function session(name) {
  const s = await apiLogin(name);
  if (s.status !== 200) throw new Error(`login ${name}: HTTP ${s.status}`);
  return s.get;
}

const browser = await chromium.launch({
  executablePath: browserPath, headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const origin = new URL(base).origin;
const foreign = [];
const problems = [];
// A browser context of its own (cookies, storage): one per person at the screen.
// `expected`: the HTTP errors this person's steps provoke on purpose (the console logs them).
async function newPage(who, expected = [401]) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'nl-NL', timezoneId: 'Europe/Amsterdam' });
  await ctx.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('data:')) return route.continue();
    foreign.push(url);
    return route.abort();
  });
  const p = await ctx.newPage();
  const allowed = new RegExp(`status of (${expected.join('|')})\\b`);
  p.on('console', (m) => { if (m.type() === 'error' && !allowed.test(m.text())) problems.push(`console (${who}): ${m.text()}`); });
  p.on('pageerror', (e) => problems.push(`pageerror (${who}): ${e.message}`));
  return p;
}
async function logIn(p, name, password = PASSWORD) {
  await p.goto(`${base}/register.html`);
  await p.waitForSelector('[data-testid="login-form"]');
  await p.fill('input[name="name"]', name);
  await p.fill('input[name="password"]', password);
  await p.click('[data-testid="login-form"] button[type="submit"]');
}
const page = await newPage('anna', [401, 409]); // 401: before the login; 409: the conflict
const shot = (name, p = page) => p.screenshot({ path: join(out, `${name}.png`), fullPage: true });
// Screenshots of a screen in Dutch and in English, back to Dutch after.
async function shotBoth(p, name, ready) {
  await shot(`${name}-nl`, p);
  await p.click('[data-testid="lang-en"]');
  await p.waitForFunction(ready);
  await shot(`${name}-en`, p);
  await p.click('[data-testid="lang-nl"]');
  await p.waitForFunction(() => document.querySelector('[data-testid="logout"]')?.textContent === 'Uitloggen');
}
const textOf = async (p, sel) => (await p.locator(sel).first().innerText()).trim();

try {
  // Log in.
  await page.goto(`${base}/register.html`);
  await page.waitForSelector('[data-testid="login-form"]');
  check(await page.locator('h1').first().innerText() === 'Inloggen', 'the login page is Dutch by default');
  await shot('1-login');
  await page.fill('input[name="name"]', 'anna');
  await page.fill('input[name="password"]', PASSWORD);
  await page.click('[data-testid="login-form"] button[type="submit"]');

  // The work list: due and overdue first, the count as the API says.
  await page.waitForSelector('[data-testid="worklist"]');
  const api = await session('anna');
  const list = await api(`/api/v1/cases`);
  const rows = await page.locator('[data-testid="case-row"]').count();
  check(rows === list.count && rows > 0, 'the work list shows every open case of the region', `${rows} rows, API ${list.count}`);
  const firstPerson = await page.locator('[data-testid="case-row"] td a').first().innerText();
  check(firstPerson === list.cases[0].person.id, 'the first row is the first case of the API (due first)');
  check((await page.locator('[data-testid="who"]').innerText()).includes('anna'), 'the header names the user');
  await shot('2-worklist');

  // Filter: overdue only.
  await page.selectOption('[data-testid="filters"] select[name="due"]', 'overdue');
  await page.click('[data-testid="filters"] button[type="submit"]');
  await page.waitForFunction(() => window.location.hash.includes('due=overdue'));
  await page.waitForSelector('[data-testid="case-count"]');
  const overdueApi = await api('/api/v1/cases?due=overdue');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="case-row"]').length === n || (n === 0 && document.querySelector('[data-testid="worklist"]') === null), overdueApi.count);
  check(true, `the overdue filter shows the API's ${overdueApi.count} cases`);

  // Open the first case.
  await page.goto(`${base}/register.html#/worklist`);
  await page.waitForSelector('[data-testid="case-row"]');
  await page.locator('[data-testid="case-row"] td a').first().click();
  await page.waitForSelector('[data-testid="case-page"] [data-testid="contact-form"]');
  const id = list.cases[0].id;
  check(page.url().endsWith(`#/case/${id}`), 'the case page opens', page.url());

  // Switching the language keeps what was typed and not saved: a contact and the case
  // form's agreements stay through English and back to Dutch; nothing is saved.
  const typed = { channel: 'chat', with_whom: 'jongere en vader', summary: 'Nog niet opgeslagen: gebeld over een bbl-plek.' };
  const typedAgreements = 'Afspraak: volgende week cv sturen.';
  const agreementsBefore = await page.inputValue('[data-testid="case-form"] textarea[name="agreements"]');
  await page.selectOption('[data-testid="contact-form"] select[name="channel"]', typed.channel);
  await page.fill('[data-testid="contact-form"] input[name="with_whom"]', typed.with_whom);
  await page.fill('[data-testid="contact-form"] textarea[name="summary"]', typed.summary);
  await page.fill('[data-testid="case-form"] textarea[name="agreements"]', typedAgreements);
  const stillTyped = async () => ({
    channel: await page.inputValue('[data-testid="contact-form"] select[name="channel"]'),
    with_whom: await page.inputValue('[data-testid="contact-form"] input[name="with_whom"]'),
    summary: await page.inputValue('[data-testid="contact-form"] textarea[name="summary"]'),
    agreements: await page.inputValue('[data-testid="case-form"] textarea[name="agreements"]'),
  });
  const want = JSON.stringify({ ...typed, agreements: typedAgreements });
  await page.click('[data-testid="lang-en"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="contact-form"] h2')?.textContent === 'Record a contact');
  const inEnglish = await stillTyped();
  check(JSON.stringify(inEnglish) === want, 'after switching to English the unsaved contact and agreements are still in their forms',
    JSON.stringify(inEnglish));
  await shot('3a-language-keeps-input-en');
  await page.click('[data-testid="lang-nl"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="contact-form"] h2')?.textContent === 'Contactmoment vastleggen');
  const backInDutch = await stillTyped();
  check(JSON.stringify(backInDutch) === want, 'switched back to Dutch, the input is still there', JSON.stringify(backInDutch));
  const untouched = await api(`/api/v1/cases/${id}`);
  check(untouched.contacts.length === 0 && untouched.case.agreements === agreementsBefore, 'switching the language saved nothing',
    JSON.stringify({ contacts: untouched.contacts.length, agreements: untouched.case.agreements }));
  await page.fill('[data-testid="case-form"] textarea[name="agreements"]', agreementsBefore);

  // Record a contact.
  const cf = '[data-testid="contact-form"]';
  await page.selectOption(`${cf} select[name="channel"]`, 'visit');
  await page.fill(`${cf} input[name="with_whom"]`, 'jongere en moeder');
  await page.fill(`${cf} textarea[name="summary"]`, 'Huisbezoek: wil een mbo-opleiding zorg beginnen.');
  await page.fill(`${cf} input[name="outcome"]`, 'aanmelding samen doen');
  await page.click(`${cf} button[type="submit"]`);
  await page.waitForSelector('.msg.ok');
  const afterContact = await api(`/api/v1/cases/${id}`);
  check(afterContact.contacts.length === 1 && afterContact.contacts[0].with_whom === 'jongere en moeder',
    'the contact is stored once', JSON.stringify(afterContact.contacts));
  check((await page.locator('[data-testid="contacts"] tbody tr').count()) === 1, 'the contact shows on the case page');
  await shot('3-contact');

  // Set the next contact date.
  const next = new Date(Date.now() + 20 * 86400000).toISOString().slice(0, 10);
  await page.fill('[data-testid="case-form"] input[name="next_contact"]', next);
  await page.click('[data-testid="case-form"] button[type="submit"]');
  await page.waitForFunction((v) => document.querySelector('[data-testid="case-version"]')?.textContent.includes(String(v)),
    afterContact.case.version + 1);
  const afterNext = await api(`/api/v1/cases/${id}`);
  check(afterNext.case.next_contact === next, 'the next contact date is saved', `${afterNext.case.next_contact} != ${next}`);
  await shot('4-next-date');

  // Hand the case over to another region.
  await page.fill('[data-testid="handover-form"] input[name="to_region"]', String(TO_REGION));
  await page.fill('[data-testid="handover-form"] input[name="note"]', 'verhuisd naar familie');
  await page.click('[data-testid="handover-form"] button[type="submit"]');
  await page.waitForSelector('[data-testid="worklist"]');
  await page.waitForSelector('.msg.ok');
  check(!(await page.locator('[data-testid="case-row"] td a').allInnerTexts()).includes(afterNext.case.person.id),
    'the handed-over case left the work list');
  const admin = await session('admin');
  const audit = await admin(`/api/v1/audit?person=${encodeURIComponent(afterNext.case.person.id)}`);
  check(audit.entries.some((e) => e.action === 'hand-over' && e.user === 'anna'), 'the handover is in the audit log');
  const mine = await api(`/api/v1/cases/${id}`);
  check(mine.error?.code === 'forbidden', 'after the handover the case is no longer the caseworker\'s', JSON.stringify(mine).slice(0, 200));
  const history = await api(`/api/v1/cases/history`);
  check(history.history.some((h) => h.case_id === id && h.event === 'handover-out'), 'the old region sees the handover');
  await shot('5-handover');

  // ---- Two caseworkers change the same case (optimistic check, 409) ------------------
  const pageB = await newPage('bram', [401, 409]);
  await logIn(pageB, 'bram');
  await pageB.waitForSelector('[data-testid="worklist"]');
  const target = (await api('/api/v1/cases')).cases[0];
  const v0 = target.version;
  const caseUrl = `${base}/register.html#/case/${target.id}`;
  await page.goto(caseUrl);
  await pageB.goto(caseUrl);
  for (const p of [page, pageB]) await p.waitForSelector('[data-testid="case-form"]');
  // Bram starts: new agreements, and a contact he has not saved yet.
  const bramAgreements = 'Bram: samen naar de open dag van het ROC op dinsdag.';
  const bramSummary = 'Gebeld met Bram: wil eerst werken, daarna bbl.';
  await pageB.fill('[data-testid="case-form"] textarea[name="agreements"]', bramAgreements);
  await pageB.fill('[data-testid="contact-form"] input[name="with_whom"]', 'jongere');
  await pageB.fill('[data-testid="contact-form"] textarea[name="summary"]', bramSummary);
  // Anna saves first: a new next contact date.
  const annaNext = new Date(Date.now() + 30 * 86400000).toISOString().slice(0, 10);
  await page.fill('[data-testid="case-form"] input[name="next_contact"]', annaNext);
  await page.click('[data-testid="case-form"] button[type="submit"]');
  await page.waitForFunction((v) => document.querySelector('[data-testid="case-version"]')?.textContent.includes(String(v)), v0 + 1);
  // Bram saves on the version he read: refused, told why, nothing lost.
  await pageB.click('[data-testid="case-form"] button[type="submit"]');
  await pageB.waitForSelector('[data-testid="case-form"] .msg.error');
  const conflictText = await textOf(pageB, '[data-testid="case-form"] .msg.error');
  check(conflictText.startsWith('Iemand anders heeft dit dossier intussen gewijzigd') && conflictText.includes('anna'),
    'the second caseworker is told in Dutch that someone else (anna) changed the case', conflictText);
  check(await pageB.inputValue('[data-testid="case-form"] textarea[name="agreements"]') === bramAgreements,
    'after the conflict the agreements typed are still in the form');
  check(await pageB.inputValue('[data-testid="contact-form"] textarea[name="summary"]') === bramSummary,
    'after the conflict the unsaved contact is still in its form');
  check((await textOf(pageB, '[data-testid="case-version"]')).includes(String(v0 + 1)), 'the page now shows the current version',
    await textOf(pageB, '[data-testid="case-version"]'));
  check((await textOf(pageB, '[data-testid="facts"]')).includes(annaNext), 'the page shows the other caseworker\'s change');
  check(await pageB.inputValue('[data-testid="case-form"] input[name="next_contact"]') === annaNext,
    'a field the second caseworker left alone follows the current case');
  const between = await api(`/api/v1/cases/${target.id}`);
  check(between.case.version === v0 + 1 && between.case.agreements === target.agreements,
    'nothing of the refused save was stored', JSON.stringify(between.case).slice(0, 300));
  await shot('7-conflict-nl', pageB);
  // Saving again (now on the current version) stores Bram's change and keeps Anna's.
  await pageB.click('[data-testid="case-form"] button[type="submit"]');
  await pageB.waitForSelector('[data-testid="case-form"] .msg.ok');
  const merged = await api(`/api/v1/cases/${target.id}`);
  check(merged.case.version === v0 + 2 && merged.case.agreements === bramAgreements && merged.case.next_contact === annaNext,
    'saved again: the second caseworker\'s agreements and the first one\'s date are both kept',
    JSON.stringify({ v: merged.case.version, a: merged.case.agreements, n: merged.case.next_contact }));
  check(await pageB.inputValue('[data-testid="contact-form"] textarea[name="summary"]') === bramSummary,
    'saving the case form keeps the contact typed in the other form');
  // Anna's page is now stale: her contact is refused, kept, and saved on the second try.
  const annaSummary = 'Moeder gebeld: afspraak verzet naar volgende week.';
  await page.fill('[data-testid="contact-form"] input[name="with_whom"]', 'moeder');
  await page.fill('[data-testid="contact-form"] textarea[name="summary"]', annaSummary);
  await page.click('[data-testid="contact-form"] button[type="submit"]');
  await page.waitForSelector('[data-testid="contact-form"] .msg.error');
  check((await textOf(page, '[data-testid="contact-form"] .msg.error')).includes('bram'), 'a stale contact is refused and names bram');
  check(await page.inputValue('[data-testid="contact-form"] textarea[name="summary"]') === annaSummary,
    'the refused contact is still in the form');
  check((await api(`/api/v1/cases/${target.id}`)).contacts.length === merged.contacts.length, 'the refused contact was not stored');
  await page.click('[data-testid="contact-form"] button[type="submit"]');
  await page.waitForSelector('[data-testid="contact-form"] .msg.ok');
  const withContact = await api(`/api/v1/cases/${target.id}`);
  check(withContact.contacts.filter((k) => k.summary === annaSummary).length === 1, 'saved again, the contact is stored once');
  check(await page.inputValue('[data-testid="contact-form"] textarea[name="summary"]') === '', 'a saved contact empties its form');
  await page.click('[data-testid="lang-en"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="logout"]')?.textContent === 'Log out');
  check(await page.locator('[data-testid="nav-rule"], [data-testid="nav-users"], [data-testid="nav-purge"]').count() === 0,
    'a caseworker sees no contact rule, users or retention in the menu');
  await page.goto(`${base}/register.html#/rule`);
  await page.waitForSelector('[data-testid="rule-current"]');
  check(await page.locator('[data-testid="rule-form"]').count() === 0, 'a caseworker reads the rule but gets no form');
  await page.goto(`${base}/register.html#/worklist`);
  await page.waitForSelector('[data-testid="worklist"]');

  // ---- The coordinator sets the region's contact rule ------------------------------
  const pageC = await newPage('carla', [401, 400]); // 400: the refused rule
  await logIn(pageC, 'carla');
  await pageC.waitForSelector('[data-testid="nav-rule"]');
  check(await pageC.locator('[data-testid="nav-users"], [data-testid="nav-purge"]').count() === 0,
    'a coordinator sees the contact rule but not users or retention');
  await pageC.click('[data-testid="nav-rule"]');
  await pageC.waitForSelector('[data-testid="rule-form"]');
  const ruleBefore = await api(`/api/v1/cases/rule?region=${REGION}`);
  check((await textOf(pageC, '[data-testid="rule-current"]')).includes(`elke ${ruleBefore.oud_vsv_interval_months} maanden`),
    'the rule page shows the current rule', await textOf(pageC, '[data-testid="rule-current"]'));
  // Out of range: the server's 400 is shown, the rule is unchanged.
  await pageC.fill('[data-testid="rule-form"] input[name="oud_vsv_interval_months"]', '13');
  await pageC.fill('[data-testid="rule-form"] input[name="new_leaver_interval_days"]', '10');
  await pageC.click('[data-testid="rule-form"] button[type="submit"]');
  await pageC.waitForSelector('[data-testid="rule-form"] .msg.error');
  const ruleError = await textOf(pageC, '[data-testid="rule-form"] .msg.error');
  check(ruleError.includes('niet goedgekeurd') && ruleError.includes('1-12 months'), 'a refused rule shows what the server said', ruleError);
  check(await pageC.inputValue('[data-testid="rule-form"] input[name="oud_vsv_interval_months"]') === '13', 'the refused input stays');
  const ruleSame = await api(`/api/v1/cases/rule?region=${REGION}`);
  check(ruleSame.oud_vsv_interval_months === ruleBefore.oud_vsv_interval_months, 'the refused rule was not stored');
  await shot('8-rule-error-nl', pageC);
  await pageC.fill('[data-testid="rule-form"] input[name="oud_vsv_interval_months"]', '2');
  await pageC.click('[data-testid="rule-form"] button[type="submit"]');
  await pageC.waitForSelector('[data-testid="rule-form"] .msg.ok');
  const ruleAfter = await api(`/api/v1/cases/rule?region=${REGION}`);
  check(ruleAfter.oud_vsv_interval_months === 2 && ruleAfter.new_leaver_interval_days === 10,
    'the coordinator\'s rule is stored (2 months, 10 days)', JSON.stringify(ruleAfter));
  check((await textOf(pageC, '[data-testid="rule-current"]')).includes('elke 2 maanden'), 'the page shows the new rule');
  await shotBoth(pageC, '8-rule', () => document.querySelector('[data-testid="rule-form"] h2')?.textContent === 'Change the rule');
  await pageC.click('[data-testid="nav-overview"]');
  await pageC.waitForSelector('[data-testid="overview-rule"]');
  check((await textOf(pageC, '[data-testid="overview-rule"]')).includes('elke 2 maanden; nieuwe vsv\'ers binnen 10 dagen'),
    'the region overview states the new rule', await textOf(pageC, '[data-testid="overview-rule"]'));
  await shot('8-overview-rule-nl', pageC);

  // ---- The administrator: users, password reset, retention -------------------------
  check((await admin('/api/v1/audit?user=carla')).entries.some((e) => e.action === 'set-region-rule' && e.region === REGION),
    'the rule change is in the audit log');
  const bramApi = await apiLogin('bram');
  check(await bramApi.getStatus('/api/v1/cases') === 200, 'bram has a session before the deactivation');
  const pageA = await newPage('admin');
  await logIn(pageA, 'admin');
  await pageA.waitForSelector('[data-testid="users"]');
  check(await pageA.locator('[data-testid="nav-worklist"]').count() === 0, 'an administrator has no work list');
  for (const n of ['rule', 'users', 'purge', 'audit']) {
    check(await pageA.locator(`[data-testid="nav-${n}"]`).count() === 1, `an administrator sees ${n} in the menu`);
  }
  check(await pageA.locator('[data-testid="user-row"][data-user="admin"] button').count() === 0,
    'the administrator cannot deactivate the own account from the page');
  const bramRow = '[data-testid="user-row"][data-user="bram"]';
  await pageA.click(`${bramRow} [data-testid="deactivate"]`);
  await pageA.waitForSelector(`${bramRow} [data-testid="activate"]`);
  check(await textOf(pageA, `${bramRow} [data-testid="user-active"]`) === 'nee', 'the user list shows bram inactive');
  check((await textOf(pageA, '.msg.ok')).includes('bram is gedeactiveerd'), 'the page confirms the deactivation');
  check(await bramApi.getStatus('/api/v1/cases') === 401, 'the deactivated user\'s session ended');
  check((await apiLogin('bram')).status === 401, 'the deactivated user cannot log in over the API');
  await pageB.goto(`${base}/register.html#/worklist`);
  await pageB.reload();
  await pageB.waitForSelector('[data-testid="login-form"]');
  await logIn(pageB, 'bram');
  await pageB.waitForSelector('[data-testid="login-form"] .msg.error');
  check((await textOf(pageB, '[data-testid="login-form"] .msg.error')).startsWith('Inloggen mislukt'),
    'the deactivated user cannot log in on the page');
  // A password reset: two different entries are refused on the page, then it is set.
  const newPassword = 'paarse olifant op de fiets';
  await pageA.selectOption('[data-testid="reset-form"] select[name="name"]', 'carla');
  await pageA.fill('[data-testid="reset-form"] input[name="password"]', newPassword);
  await pageA.fill('[data-testid="reset-form"] input[name="password2"]', `${newPassword}!`);
  await pageA.click('[data-testid="reset-form"] button[type="submit"]');
  await pageA.waitForSelector('[data-testid="reset-form"] .msg.error');
  check((await apiLogin('carla')).status === 200, 'two different entries change nothing');
  await pageA.fill('[data-testid="reset-form"] input[name="password2"]', newPassword);
  await pageA.click('[data-testid="reset-form"] button[type="submit"]');
  await pageA.waitForSelector('[data-testid="reset-form"] .msg.ok');
  check((await apiLogin('carla', newPassword)).status === 200 && (await apiLogin('carla')).status === 401,
    'after the reset only the new password works');
  await shotBoth(pageA, '9-users', () => document.querySelector('[data-testid="reset-form"] h2')?.textContent === 'Reset a password');
  // Retention.
  const audited = (await admin('/api/v1/audit?user=admin')).entries.length;
  await pageA.click('[data-testid="nav-purge"]');
  await pageA.waitForSelector('[data-testid="purge-form"]');
  await pageA.click('[data-testid="purge-form"] button[type="submit"]');
  check(await pageA.locator('[data-testid="purge-result"]').count() === 0 &&
    await pageA.$eval('[data-testid="purge-form"] input[name="confirm"]', (i) => !i.validity.valid),
    'the purge waits for the confirmation');
  await pageA.check('[data-testid="purge-form"] input[name="confirm"]');
  await pageA.click('[data-testid="purge-form"] button[type="submit"]');
  await pageA.waitForSelector('[data-testid="purge-result"]');
  const purged = Number(await pageA.getAttribute('[data-testid="purge-result"]', 'data-cases'));
  check(purged === purgeable, `the purge deletes the ${purgeable} case(s) closed before the period`, `${purged}`);
  check((await textOf(pageA, '[data-testid="purge-result"]')).startsWith(`${purgeable} ${purgeable === 1 ? 'dossier met' : 'dossiers met'}`),
    'the page says how many were deleted', await textOf(pageA, '[data-testid="purge-result"]'));
  const purgeAudit = (await admin('/api/v1/audit?user=admin')).entries;
  check(purgeAudit.some((e) => e.action === 'purge' && e.detail.includes(`${purgeable} cases`)) &&
    purgeAudit.filter((e) => e.action === 'purge-case').length === purgeable && purgeAudit.length > audited,
    'the purge is in the audit log (one row per case and a summary)');
  // The result stays on the page through a language switch, said in the new language.
  await shot('10-purge-nl', pageA);
  await pageA.click('[data-testid="lang-en"]');
  await pageA.waitForFunction(() => document.querySelector('[data-testid="purge"] h1')?.textContent === 'Retention');
  const purgeEn = await pageA.locator('[data-testid="purge-result"]').count() ? await textOf(pageA, '[data-testid="purge-result"]') : '';
  check(purgeEn.startsWith(`${purgeable} ${purgeable === 1 ? 'case with' : 'cases with'}`),
    'after switching to English the purge result is still shown, in English', purgeEn || '(gone)');
  await shot('10-purge-en', pageA);
  await pageA.click('[data-testid="lang-nl"]');
  await pageA.waitForFunction(() => document.querySelector('[data-testid="logout"]')?.textContent === 'Uitloggen');
  await pageA.click('[data-testid="logout"]');
  await pageA.waitForSelector('[data-testid="login-form"]');

  // English, then log out.
  await page.click('[data-testid="lang-en"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="logout"]')?.textContent === 'Log out');
  check(true, 'the page switches to English');
  await page.click('[data-testid="logout"]');
  await page.waitForSelector('[data-testid="login-form"]');
  const after = await fetch(new URL('/api/v1/session', base), {
    headers: { Cookie: (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ') } });
  check(after.status === 401, 'the session ended', `HTTP ${after.status}`);
  const cookie = (await page.context().cookies()).find((c) => c.name === 'vsv_session');
  check(!cookie || cookie.value === '', 'the session cookie is cleared');
  await shot('6-logged-out');

  check(foreign.length === 0, 'no request leaves the machine', foreign.join(', '));
  check(problems.length === 0, 'no console or page errors', problems.join('; '));
} catch (e) {
  check(false, 'the walk completes', e.stack);
  await shot('error').catch(() => {});
} finally {
  await browser.close();
  server.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
console.log(failures ? `${failures} check(s) failed; screenshots in ${out}` : `all checks passed; screenshots in ${out}`);
process.exit(failures ? 1 : 0);
