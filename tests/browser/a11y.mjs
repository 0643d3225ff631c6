// tests/browser/a11y.mjs: accessibility (无障碍) and the 适老化 mode of every page the
// default theme renders, in one headless Chromium (Debian's /usr/bin/chromium driven by
// puppeteer-core). For each page, in the normal and then the 适老化 (关怀版) mode:
//   - axe-core with the WCAG 2.0/2.1 A and AA rules: zero violations; in the 适老化 mode
//     also color-contrast-enhanced (7:1);
//   - what axe cannot see: a skip link to <main id="main">, the landmarks, one h1, lang
//     zh-CN, the mode switch visible in the header, fields with visible labels, errors tied
//     by aria-describedby, tables with header cells, Markdown images with their alt text;
//   - 360x740: no horizontal scroll; print: no navigation;
//   - the 适老化 mode: text of 18px or more, line spacing 1.5x or more, click targets of
//     the navigation 44px or more, nothing animated.
// Then the keyboard: Tab from the top of a column page reaches the skip link, the search
// box, the navigation and the article links in document order, each with a visible focus
// ring, and the message form's fields on the form page. The mode is switched the way a
// visitor does it, by following the header's link with JavaScript off. The console's pages
// (sign-in and CONSOLE): axe in both modes (7:1 in the 适老化 one), the switch in the
// header, the 适老化 sizes; its switch followed with JavaScript off on the sign-in page and
// on the console's home.
// tests/e2e/test_a11y.py runs it with everything in the environment:
//   PAGES       JSON list of {name, url, status, checks?: [...], landmarks?: false}
//               (checks: img-alt=TEXT, invalid, th, related)
//   CONSOLE     JSON list of console page URLs (after signing in), may be empty
//   ADMIN_URL, USER, PASSWORD   the console and an account (when CONSOLE is not empty)
//   KEYS_URL    a column page for the keyboard test; FORM_URL the message form
//   HOST_RULES  Chromium --host-resolver-rules mapping the cluster's hosts to loopback
//   MODES       "normal,care" (default) or one of them
// Every failure is collected; the run ends with exit status 1 and one line per failure.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import puppeteer from 'puppeteer-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const STEP_MS = Number(process.env.STEP_MS || 15000);
const PAGES = JSON.parse(process.env.PAGES || '[]');
const CONSOLE = JSON.parse(process.env.CONSOLE || '[]');
const MODES = (process.env.MODES || 'normal,care').split(',');
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

const failures = [];
const fail = (where, msg) => failures.push(`${where}: ${msg}`);
const log = (msg) => console.log(`ok: ${msg}`);

const browser = await puppeteer.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  timeout: STEP_MS,
  protocolTimeout: 4 * STEP_MS,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--disable-quic',
         ...(process.env.HOST_RULES ? [`--host-resolver-rules=${process.env.HOST_RULES}`] : [])],
});

async function axe(page, where, care) {
  await page.evaluate(AXE_SOURCE);
  const res = await page.evaluate(async (wcag, care) => {
    const one = (r) => ({ id: r.id, impact: r.impact, help: r.help,
      nodes: r.nodes.slice(0, 3).map((n) => n.target.join(' ') + ' ' + (n.failureSummary || '').replace(/\s+/g, ' ').slice(0, 160)) });
    const a = await window.axe.run(document, { runOnly: { type: 'tag', values: wcag },
                                               resultTypes: ['violations'] });
    let v = a.violations.map(one);
    let rules = a.passes.length + a.violations.length + a.incomplete.length + a.inapplicable.length;
    if (care) { // 适老化: contrast of at least 7:1
      const b = await window.axe.run(document, { runOnly: { type: 'rule', values: ['color-contrast-enhanced'] },
                                                 resultTypes: ['violations'] });
      v = v.concat(b.violations.map(one));
      rules += 1;
    }
    return { v, rules };
  }, WCAG, care);
  for (const x of res.v)
    fail(where, `axe ${x.id} (${x.impact}): ${x.help}: ${x.nodes.join(' | ')}`);
  return res.rules;
}

// What axe does not check, in the page as the browser built it.
async function structure(page, where, spec, care) {
  const r = await page.evaluate((landmarks) => {
    const out = [];
    const q = (s) => document.querySelector(s);
    if (document.documentElement.lang !== 'zh-CN') out.push(`lang is "${document.documentElement.lang}"`);
    const first = document.querySelector('body a, body button, body input, body select, body textarea');
    if (!first || !first.matches('a.skip[href="#main"]')) out.push('the first focusable element is not the skip link to #main');
    const main = document.getElementById('main');
    if (!main || main.tagName !== 'MAIN') out.push('#main is not the <main>');
    if (document.querySelectorAll('main').length !== 1) out.push(`${document.querySelectorAll('main').length} <main>`);
    for (const l of landmarks) if (!q(l)) out.push(`no <${l}> landmark`);
    if (q('main footer, main header')) out.push('a header or footer inside <main>');
    const h1 = document.querySelectorAll('h1');
    if (h1.length !== 1) out.push(`${h1.length} h1`);
    const sw = document.querySelector('header a.care-switch');
    if (!sw) out.push('no mode switch (a.care-switch) in the header');
    else {
      const b = sw.getBoundingClientRect();
      if (b.width < 1 || b.height < 1 || getComputedStyle(sw).visibility === 'hidden') out.push('the mode switch is not visible');
    }
    for (const f of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
      if (f.closest('[aria-hidden=true]')) continue;
      const l = f.id && document.querySelector(`label[for="${f.id}"]`);
      if (!l || !l.textContent.trim()) out.push(`field ${f.name || f.id} has no label`);
      else if (l.classList.contains('sr-only') && !f.closest('header')) out.push(`field ${f.name} has no visible label`);
      if (f.getAttribute('aria-invalid') === 'true') {
        const ids = (f.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
        const tied = ids.map((i) => document.getElementById(i)).filter((e) => e && e.textContent.trim());
        if (!tied.length) out.push(`invalid field ${f.name} has no error tied by aria-describedby`);
      }
    }
    for (const t of document.querySelectorAll('main table')) {
      if (!t.querySelector('th')) out.push('a table without header cells');
    }
    for (const img of document.querySelectorAll('main img')) {
      if (!img.hasAttribute('alt')) out.push(`an image without alt: ${img.getAttribute('src')}`);
    }
    return out;
  }, spec.landmarks === false ? ['header', 'main', 'footer'] : ['header', 'nav', 'main', 'footer']);
  for (const m of r) fail(where, m);
  for (const c of spec.checks || []) {
    if (c.startsWith('img-alt=')) { // a Markdown image keeps its text
      const want = c.slice(8);
      const alts = await page.$$eval('main img', (l) => l.map((i) => i.getAttribute('alt')));
      if (!alts.includes(want)) fail(where, `no image with alt "${want}": ${JSON.stringify(alts)}`);
    } else if (c === 'invalid') { // a refused form: every error tied to its field
      const n = await page.$$eval('[aria-invalid=true][aria-describedby]', (l) => l.length);
      if (n < 1) fail(where, 'no field marked invalid with its error');
    } else if (c === 'th') {
      const n = await page.$$eval('main table th', (l) => l.length);
      if (n < 2) fail(where, 'the table has no header cells');
    } else if (c === 'related') { // the related searches (相关搜索) are there for axe to see
      const n = await page.$$eval('main section.related h2 + ul li a', (l) => l.length);
      if (n < 1) fail(where, 'no related searches under a heading');
    }
  }
  await modeChecks(page, where, care);
}

// The rendering matches the mode; the 适老化 one: text of 18px or more, line spacing 1.5x
// or more, click targets of the navigation and the switch 44px or more, nothing animated.
async function modeChecks(page, where, care) {
  if (care) {
    const c = await page.evaluate(() => {
      const out = [];
      if (!document.documentElement.classList.contains('care')) out.push('html is not class="care"');
      const b = getComputedStyle(document.body);
      const fs = parseFloat(b.fontSize), lh = parseFloat(b.lineHeight);
      if (!(fs >= 18)) out.push(`body text is ${b.fontSize}`);
      if (!(lh >= 1.5 * fs)) out.push(`line height ${b.lineHeight} for ${b.fontSize}`);
      for (const p of document.querySelectorAll('main p, main li')) {
        const s = getComputedStyle(p);
        if (p.offsetParent && parseFloat(s.fontSize) < 18) { out.push(`text of ${s.fontSize}: ${p.textContent.trim().slice(0, 20)}`); break; }
      }
      for (const a of document.querySelectorAll('nav.nav a, header nav a, header a.care-switch, header button')) {
        const h = a.getBoundingClientRect().height;
        if (h < 44) { out.push(`click target of ${h}px: ${a.textContent.trim()}`); break; }
      }
      const anim = document.getAnimations().length;
      if (anim) out.push(`${anim} animations`);
      return out;
    });
    for (const m of c) fail(where, `适老化: ${m}`);
  } else {
    const on = await page.evaluate(() => document.documentElement.classList.contains('care'));
    if (on) fail(where, 'the normal mode renders class="care"');
  }
}

async function narrowAndPrint(page, where) {
  await page.setViewport({ width: 360, height: 740 });
  const sw = await page.evaluate(() => document.documentElement.scrollWidth);
  if (sw > 360) {
    const wide = await page.evaluate(() => [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > 361).slice(0, 3)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className}`).join(', '));
    fail(where, `360px: scrollWidth ${sw} (${wide})`);
  }
  await page.emulateMediaType('print');
  const shown = await page.evaluate(() => [...document.querySelectorAll('nav.nav, .care-switch, .skip')]
    .filter((n) => getComputedStyle(n).display !== 'none').map((n) => n.className));
  if (shown.length) fail(where, `print shows ${shown.join(', ')}`);
  await page.emulateMediaType(null);
  await page.setViewport({ width: 1280, height: 900 });
}

async function visit(page, spec, mode) {
  const where = `${mode} ${spec.name}`;
  let resp;
  if (spec.submit) { // a form filled and sent as a visitor does (fields by id)
    await page.goto(spec.url, { timeout: STEP_MS });
    await page.evaluate((fields) => {
      for (const [id, v] of Object.entries(fields)) {
        const f = document.getElementById(id);
        f.removeAttribute('required');
        f.value = v;
      }
    }, spec.submit);
    [resp] = await Promise.all([page.waitForNavigation({ timeout: STEP_MS }),
                                page.click('form.msg-form button[type=submit]')]);
  } else {
    resp = await page.goto(spec.url, { timeout: STEP_MS });
  }
  // 304: the browser's copy was still good (its ETag is this mode's: a copy of the other
  // mode's rendering would fail the mode's checks below)
  const got = resp.status() === 304 && spec.status === 200 ? 200 : resp.status();
  if (got !== spec.status) {
    fail(where, `status ${resp.status()}, not ${spec.status}: ${page.url()}`);
    return 0;
  }
  const rules = await axe(page, where, mode === 'care');
  await structure(page, where, spec, mode === 'care');
  await narrowAndPrint(page, where);
  return rules;
}

// Switches the mode as a visitor does: the header's link, with JavaScript off.
async function switchMode(page, url, want, where = 'mode switch') {
  await page.setJavaScriptEnabled(false);
  await page.goto(url, { timeout: STEP_MS });
  const now = await page.evaluate(() => document.documentElement.classList.contains('care'));
  if (now === want) {
    await page.setJavaScriptEnabled(true);
    return;
  }
  const before = await page.$eval('header a.care-switch', (a) => a.textContent.trim());
  await Promise.all([page.waitForNavigation({ timeout: STEP_MS }), page.click('header a.care-switch')]);
  const back = new URL(page.url());
  if (back.href !== new URL(url).href) fail(where, `came back to ${back.href}, not ${url}`);
  const on = await page.evaluate(() => document.documentElement.classList.contains('care'));
  if (on !== want) fail(where, `"${before}" left the page ${on ? 'in' : 'out of'} the 适老化 mode`);
  await page.setJavaScriptEnabled(true);
  log(`${where}: switched with "${before}" (JavaScript off): care=${on}`);
}

// Tab through a page: the focus moves forward in document order, every stop shows a
// focus ring, and the stops include what `want` names (selectors), in that order.
async function keyboard(page, url, want, where) {
  await page.goto(url, { timeout: STEP_MS });
  await page.evaluate(() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); });
  const seen = [];
  for (let i = 0; i < 120; i++) {
    await page.keyboard.press('Tab');
    const s = await page.evaluate((want) => {
      const e = document.activeElement;
      if (!e || e === document.body) return null;
      window.__stops = window.__stops || [];
      const prev = window.__stops[window.__stops.length - 1];
      const forward = !prev || !!(prev.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING);
      window.__stops.push(e);
      const st = getComputedStyle(e);
      const ring = (st.outlineStyle !== 'none' && parseFloat(st.outlineWidth) >= 2) || st.boxShadow !== 'none';
      return { tag: e.tagName.toLowerCase(), id: e.id, text: (e.textContent || e.name || '').trim().slice(0, 16),
               forward, ring, hits: want.map((w) => e.matches(w)) };
    }, want);
    if (!s) break;
    seen.push(s);
    if (s.hits[s.hits.length - 1]) break;
  }
  for (const s of seen) {
    if (!s.forward) fail(where, `focus went back to ${s.tag}#${s.id} "${s.text}"`);
    if (!s.ring) fail(where, `no visible focus on ${s.tag}#${s.id} "${s.text}"`);
  }
  let at = -1;
  for (let w = 0; w < want.length; w++) {
    const k = seen.findIndex((s, i) => i > at && s.hits[w]);
    if (k < 0) { fail(where, `Tab never reached ${want[w]} after stop ${at}`); return; }
    at = k;
  }
  log(`${where}: ${seen.length} Tab stops in document order, each with a visible focus`);
}

let status = 0;
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(STEP_MS);
  await page.setBypassCSP(true); // axe is injected into the page
  await page.setViewport({ width: 1280, height: 900 });
  let checked = 0, rules = 0;
  for (const mode of MODES) {
    if (PAGES.length) await switchMode(page, PAGES[0].url, mode === 'care');
    for (const spec of PAGES) {
      rules = Math.max(rules, await visit(page, spec, mode));
      checked++;
    }
    if (process.env.KEYS_URL) {
      await keyboard(page, process.env.KEYS_URL,
                     ['a.skip', 'header input[type=search]', 'nav.nav a', 'main ul.list a'], `${mode} keyboard column`);
    }
    if (process.env.FORM_URL) {
      await keyboard(page, process.env.FORM_URL,
                     ['a.skip', 'header input[type=search]', 'nav.nav a', '#f-title', '#f-body', 'form.msg-form button'],
                     `${mode} keyboard form`);
    }
    log(`${mode}: ${PAGES.length} pages`);
  }
  if (CONSOLE.length) {
    // The sign-in page in both modes (switched there, before signing in), then every page
    // signed in in the 适老化 mode, switched back from the console's home, and in the normal.
    const ADMIN = process.env.ADMIN_URL;
    const consolePage = async (u, care) => {
      const where = `console ${care ? 'care' : 'normal'} ${u}`;
      const resp = await page.goto(`${ADMIN}${u}`, { timeout: STEP_MS });
      if (resp.status() !== 200) { fail(where, `status ${resp.status()}`); return; }
      rules = Math.max(rules, await axe(page, where, care));
      const sw = await page.$$eval('header a.care-switch', (l) => l.filter((a) => {
        const b = a.getBoundingClientRect();
        return b.width >= 1 && b.height >= 1 && getComputedStyle(a).visibility !== 'hidden';
      }).length);
      if (sw !== 1) fail(where, `${sw} visible mode switches in the header`);
      await modeChecks(page, where, care);
      checked++;
    };
    await switchMode(page, `${ADMIN}/login`, false, 'console switch');
    await consolePage('/login', false);
    await switchMode(page, `${ADMIN}/login`, true, 'console switch');
    await consolePage('/login', true);
    await page.type('#user', process.env.USER_NAME);
    await page.type('#password', process.env.PASSWORD);
    await Promise.all([page.waitForNavigation({ timeout: STEP_MS }), page.click('#signin')]);
    for (const u of CONSOLE) await consolePage(u, true);
    await switchMode(page, `${ADMIN}/`, false, 'console switch');
    for (const u of CONSOLE) await consolePage(u, false);
    log(`console: ${CONSOLE.length + 1} pages in both modes`);
  }
  log(`checked ${checked} page renderings with ${rules} axe rules`);
} catch (e) {
  fail('run', e.stack || e.message);
} finally {
  await browser.close();
}
if (failures.length) {
  for (const f of failures) console.error(`FAILED: ${f}`);
  status = 1;
}
process.exit(status);
