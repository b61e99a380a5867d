// A caseworker's day in headless Chromium (Debian chromium + playwright-core): a
// small synthetic registry, a SQLite register with an administrator and a
// caseworker, the region's work list synced, then `vsv serve --db` and the
// register page: log in, open the work list, open a case, record a contact, set the
// next contact date, hand the case over to another region, log out. Every step is
// checked against the API as the administrator/caseworker sees it; screenshots go
// to --out.
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
const users = [['admin', 'administrator', []], ['anna', 'caseworker', ['--region', String(REGION)]]];
for (const [name, role, extra] of users) {
  execFileSync(vsv, ['users', 'add', '--db', db, '--name', name, '--role', role, ...extra], { input: `${PASSWORD}\n` });
}
execFileSync(vsv, ['cases', 'sync', '--data', data, '--db', db, '--region', String(REGION), '--date', '2024-10-01', '--quiet']);

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

// The API as a logged-in user (a second session beside the browser's).
async function session(name) {
  const res = await fetch(new URL('/api/v1/login', base), { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, password: PASSWORD }) });
  const body = await res.json();
  const cookie = res.headers.get('set-cookie').split(';')[0];
  return async (path) => (await fetch(new URL(path, base), { headers: { Cookie: cookie } })).json();
}

const context = await chromium.launchPersistentContext(join(work, 'profile'), {
  executablePath: browserPath, headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
  viewport: { width: 1280, height: 900 },
});
const page = context.pages()[0] ?? await context.newPage();
const origin = new URL(base).origin;
const foreign = [];
await context.route('**/*', (route) => {
  const url = route.request().url();
  if (url.startsWith(origin) || url.startsWith('data:')) return route.continue();
  foreign.push(url);
  return route.abort();
});
const problems = [];
page.on('console', (m) => { if (m.type() === 'error' && !m.text().includes('401')) problems.push(`console: ${m.text()}`); });
page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
const shot = (name) => page.screenshot({ path: join(out, `${name}.png`), fullPage: true });

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

  // English, then log out.
  await page.click('[data-testid="lang-en"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="logout"]')?.textContent === 'Log out');
  check(true, 'the page switches to English');
  await page.click('[data-testid="logout"]');
  await page.waitForSelector('[data-testid="login-form"]');
  const after = await fetch(new URL('/api/v1/session', base), {
    headers: { Cookie: (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ') } });
  check(after.status === 401, 'the session ended', `HTTP ${after.status}`);
  const cookie = (await context.cookies()).find((c) => c.name === 'vsv_session');
  check(!cookie || cookie.value === '', 'the session cookie is cleared');
  await shot('6-logged-out');

  check(foreign.length === 0, 'no request leaves the machine', foreign.join(', '));
  check(problems.length === 0, 'no console or page errors', problems.join('; '));
} catch (e) {
  check(false, 'the walk completes', e.stack);
  await shot('error').catch(() => {});
} finally {
  await context.close();
  server.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
console.log(failures ? `${failures} check(s) failed; screenshots in ${out}` : `all checks passed; screenshots in ${out}`);
process.exit(failures ? 1 : 0);
