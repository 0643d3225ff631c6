// tests/browser/console_flow.mjs: the console's whole publishing flow in headless Chromium
// (Debian's /usr/bin/chromium driven by puppeteer-core), as people do it: an editor signs
// in through the /login form, writes a draft in the editor, submits it and signs out; a
// reviewer signs in, opens the draft from "待我审核", sees the preview, ticks 保密审查 and
// approves; then the article is loaded from the public site and its h1 checked.
// tests/e2e/test_console_browser.py runs it with everything in the environment:
//   ADMIN_URL   the console (http://127.0.0.1:PORT)
//   PUBLIC_URL  the public listener as a reader reaches it (http://HOST:PORT)
//   HOST_RULES  Chromium --host-resolver-rules mapping the public host to loopback
//   EDITOR, REVIEWER, PASSWORD   the two accounts
//   TITLE       the article's title; STEPS=signin to stop after the sign-in and lists
//   BODY        the article's Markdown; ID_SAMPLE, when set, the masked ID number the
//               body shows: the editor's and the reviewer's pages must warn with it, and
//               approval must be held by the browser until 个人信息核查 is ticked too
// Every wait is bounded (STEP_MS); the first failure ends the run with exit status 1.
import puppeteer from 'puppeteer-core';

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`missing environment variable ${k}`);
  return v;
};
const ADMIN = env('ADMIN_URL');
const PUBLIC = process.env.PUBLIC_URL || '';
const PASSWORD = env('PASSWORD');
const TITLE = process.env.TITLE || '浏览器测试稿件';
const STEP_MS = Number(process.env.STEP_MS || 15000);
const ONLY_SIGNIN = process.env.STEPS === 'signin';
const BODY = process.env.BODY || '# 段落标题\n\n这是通过浏览器写的**正文**。\n';
const ID_SAMPLE = process.env.ID_SAMPLE || '';

const log = (msg) => console.log(`ok: ${msg}`);
function expect(cond, msg) {
  if (!cond) throw new Error(`expected: ${msg}`);
}

async function text(page, sel) {
  return page.$eval(sel, (e) => e.textContent.trim());
}

// Clicks and waits for the navigation the click starts (a form's post and its 303).
async function clickAndWait(page, sel) {
  await Promise.all([page.waitForNavigation({ timeout: STEP_MS }), page.click(sel)]);
}

async function signIn(page, user) {
  await page.goto(`${ADMIN}/login`, { timeout: STEP_MS });
  expect((await text(page, 'h1')) === '登录', 'the sign-in page');
  await page.type('#user', user);
  await page.type('#password', PASSWORD);
  await clickAndWait(page, '#signin');
  expect(new URL(page.url()).pathname === '/', `signed in as ${user}, on my sites: ${page.url()}`);
  expect((await text(page, 'h1')) === '我的站点', 'my sites');
  expect((await text(page, '.who')) === `当前用户：${user}`, 'the account named');
  log(`signed in as ${user}`);
}

async function signOut(page) {
  await clickAndWait(page, '#logout');
  expect(new URL(page.url()).pathname === '/login', 'back on the sign-in page');
  await page.goto(`${ADMIN}/drafts`, { timeout: STEP_MS });
  expect(new URL(page.url()).pathname === '/login', 'signed out: pages ask for a sign-in');
  log('signed out');
}

const browser = await puppeteer.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  timeout: STEP_MS,
  protocolTimeout: 2 * STEP_MS,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync',
         ...(process.env.HOST_RULES ? [`--host-resolver-rules=${process.env.HOST_RULES}`] : [])],
});
let status = 0;
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(STEP_MS);
  const blocked = [];
  page.on('console', (m) => { if (/Content Security Policy/.test(m.text())) blocked.push(m.text()); });

  // ---- the editor ----
  const EDITOR = env('EDITOR');
  await signIn(page, EDITOR);
  await page.goto(`${ADMIN}/drafts`, { timeout: STEP_MS });
  expect((await text(page, 'h1')) === '稿件', 'the drafts page');
  log('drafts list');
  if (ONLY_SIGNIN) {
    await signOut(page);
  } else {
    await page.goto(`${ADMIN}/drafts/new`, { timeout: STEP_MS });
    expect((await text(page, 'h1')) === '新建稿件', 'the editor');
    await page.type('#title', TITLE);
    await page.select('#column', 'news');
    await page.type('#source', '浏览器测试');
    await page.type('#body', BODY);
    await clickAndWait(page, '#save');
    const m = new URL(page.url()).pathname.match(/^\/drafts\/(\d+)$/);
    expect(m, `the new draft's page: ${page.url()}`);
    const id = m[1];
    expect((await text(page, '#state')) === '草稿', 'a draft');
    expect((await page.$eval('#title', (e) => e.value)) === TITLE, 'the title kept');
    log(`draft ${id} written`);
    if (ID_SAMPLE) {
      const warn = await text(page, '#personal-ids');
      expect(warn.includes(ID_SAMPLE), `the editor is warned with the masked number: ${warn}`);
      log(`editor warned: ${ID_SAMPLE}`);
    }
    await clickAndWait(page, '#submit');
    expect(new URL(page.url()).pathname === `/drafts/${id}`, 'back on the draft');
    expect((await text(page, '#state')) === '待审核', 'submitted');
    log(`draft ${id} submitted`);
    await signOut(page);

    // ---- the reviewer ----
    await signIn(page, env('REVIEWER'));
    await page.goto(`${ADMIN}/drafts`, { timeout: STEP_MS });
    const link = await page.$(`#queue a[href="/review/${id}"]`);
    expect(link, 'the draft awaiting my review');
    expect((await link.evaluate((e) => e.textContent)) === TITLE, 'listed by its title');
    await Promise.all([page.waitForNavigation({ timeout: STEP_MS }), link.click()]);
    expect((await text(page, 'h1')) === '审核稿件', 'the review page');
    // the preview: the public article page, framed
    const frameHandle = await page.$('#preview');
    const frame = await frameHandle.contentFrame();
    await frame.waitForSelector('article h1', { timeout: STEP_MS });
    expect((await frame.$eval('article h1', (e) => e.textContent)) === TITLE, 'the preview shows the title');
    expect((await frame.$eval('.body h1', (e) => e.textContent)) === '段落标题', 'the preview shows the body');
    log('preview seen');
    await page.click('#secrecy_review');
    if (ID_SAMPLE) {
      expect((await text(page, '#personal-ids')).includes(ID_SAMPLE), 'the reviewer is warned too');
      // the browser holds the form: the second box is required while ID numbers show
      await page.click('#approve-button');
      await new Promise((r) => setTimeout(r, 300));
      expect(new URL(page.url()).pathname === `/review/${id}`, 'still on the review page');
      expect(await page.$eval('#personal_data', (e) => e.validity.valueMissing), 'the 个人信息核查 box is asked for');
      await page.click('#personal_data');
      log('approval held until 个人信息核查 was ticked');
    }
    await clickAndWait(page, '#approve-button');
    expect(new URL(page.url()).pathname === `/drafts/${id}`, 'back on the draft');
    expect((await text(page, '#state')) === '已发布', 'published');
    const url = await page.$eval('#published', (e) => e.getAttribute('href'));
    log(`approved: ${url}`);
    await page.goto(`${ADMIN}/history?site=edu`, { timeout: STEP_MS });
    expect((await text(page, 'h1')) === '发布记录' && (await text(page, '#history td:nth-child(3)')).startsWith(TITLE), 'the history page lists it');
    await signOut(page);

    // ---- a reader ----
    const pub = url.startsWith('http') ? url : `${PUBLIC}${url}`;
    const resp = await page.goto(pub, { timeout: STEP_MS });
    expect(resp.status() === 200, `the public page answers 200: ${resp.status()} ${pub}`);
    expect((await text(page, 'article h1')) === TITLE, 'the public page shows the title');
    log(`public page ${pub}`);
  }
  expect(blocked.length === 0, `no CSP violation: ${blocked.join(' | ')}`);
} catch (e) {
  console.error(`FAILED: ${e.message}`);
  status = 1;
} finally {
  await browser.close();
}
process.exit(status);
