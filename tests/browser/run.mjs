// The built site in a real browser. Usage: node run.mjs [SITE_DIR] (default ../../public)
//
// Serves SITE_DIR on 127.0.0.1 and checks every HTML page in Chromium:
//   - zero axe-core violations for WCAG 2.1 A and AA, in the normal, the dark and the high-contrast mode;
//   - no horizontal scrolling at 320 px wide, in the normal and the large-text mode;
//   - no request to any other host;
//   - the large-text and high-contrast switches work with JavaScript turned off, without :has(),
//     and (with JavaScript) stay on from page to page;
//   - every supervision page and every 申请表 (request-form.html) prints on one A4 sheet;
//   - the site search finds 停水 and a fee item name, and points to the 公开目录 without JavaScript;
//   - with DESK_SITE (a second build whose gongkai.yaml names a desk): the request form posts to the
//     desk with JavaScript off under the page's CSP, the 申请表 prints on one A4 sheet; and when
//     that site was built twice with a notice changed between, its archived version (beside its
//     page) passes the same checks with its stylesheet loaded, and its former address under
//     archive/ leads to it without JavaScript;
// then runs the Nu Html Checker (vnu) over every page, and keeps screenshots and a printed
// (A4 PDF) unit page in ARTIFACTS (default ../../target/browser-artifacts).
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { chromium } from 'playwright-core';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(process.argv[2] ?? path.join(here, '../../public'));
const artifacts = path.resolve(process.env.ARTIFACTS ?? path.join(here, '../../target/browser-artifacts'));
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
fs.mkdirSync(artifacts, { recursive: true });

const failures = [];
const fail = (msg) => { failures.push(msg); console.error(`FAIL ${msg}`); };

// ---- a static server on loopback -------------------------------------------------------------
const types = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.xml': 'application/xml; charset=utf-8',
  '.json': 'application/json; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg',
  '.pdf': 'application/pdf',
};
const serveDir = (root) => http.createServer((req, res) => {
  let rel;
  try { rel = decodeURIComponent(new URL(req.url, 'http://x').pathname); } catch { rel = '/'; }
  let file = path.join(root, path.normalize(rel));
  if (!file.startsWith(root)) { res.writeHead(404); return res.end(); }
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
  if (!fs.existsSync(file)) {
    res.writeHead(404, { 'content-type': types['.html'] });
    return res.end(fs.readFileSync(path.join(root, '404.html')));
  }
  res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
  res.end(fs.readFileSync(file));
});
const server = serveDir(root);
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const origin = `http://127.0.0.1:${server.address().port}`;

const pages = [];
(function walk(dir) {
  for (const name of fs.readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (fs.statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.html')) pages.push(path.relative(root, p).split(path.sep).join('/'));
  }
})(root);
const url = (rel) => `${origin}/${rel.split('/').map(encodeURIComponent).join('/')}`;
console.log(`${pages.length} pages from ${root} at ${origin}`);

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});

async function context(options) {
  const ctx = await browser.newContext({ locale: 'zh-CN', ...options });
  await ctx.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.origin !== origin) { fail(`${u.href}: a request to another host`); return route.abort(); }
    return route.continue();
  });
  return ctx;
}

const axeSource = fs.readFileSync(path.join(here, 'node_modules/axe-core/axe.min.js'), 'utf8');
async function axe(page, where) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  }));
  for (const v of result.violations) {
    fail(`${where}: axe ${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join('; ')}`);
  }
}

async function noHorizontalScroll(page, where) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,
  }));
  if (scroll > client) fail(`${where}: ${scroll} px wide content in a ${client} px window (horizontal scrolling)`);
}

// ---- every page: accessibility and layout ----------------------------------------------------
// bypassCSP lets the test inject axe; the pages' own policy forbids every script
const wide = await context({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
const narrow = await context({ viewport: { width: 320, height: 640 } });
for (const rel of pages) {
  const page = await wide.newPage();
  const response = await page.goto(url(rel));
  if (!response.ok() && rel !== '404.html') fail(`${rel}: HTTP ${response.status()}`);
  const type = response.headers()['content-type'];
  if (type !== 'text/html; charset=utf-8') fail(`${rel}: content type ${type}`);
  await axe(page, rel);
  await page.emulateMedia({ colorScheme: 'dark' });
  await axe(page, `${rel} (dark)`);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.click('label[for="pref-contrast"]');
  await axe(page, `${rel} (high contrast)`);
  await page.close();

  const small = await narrow.newPage();
  await small.goto(url(rel));
  await noHorizontalScroll(small, `${rel} at 320 px`);
  await small.click('label[for="pref-large"]');
  await noHorizontalScroll(small, `${rel} at 320 px, large text`);
  await small.close();
}

// ---- the reading switches work with JavaScript off --------------------------------------------
const nojs = await context({ javaScriptEnabled: false, viewport: { width: 800, height: 900 } });
{
  const page = await nojs.newPage();
  const unit = pages.find((p) => /\/fees\.html$/.test(p)) ?? pages[0];
  await page.goto(url(unit));
  const before = (await page.locator('h1').boundingBox()).height;
  await page.click('label[for="pref-large"]');
  const after = (await page.locator('h1').boundingBox()).height;
  if (!(after > before * 1.15)) fail(`large-text switch without JavaScript: heading ${before} px → ${after} px`);
  if (!(await page.locator('#pref-large').isChecked())) fail('large-text switch is not a working checkbox');
  await page.screenshot({ path: path.join(artifacts, 'unit-large-text-nojs.png'), fullPage: false });
  await page.close();
}

// ---- the reading switches stay on from page to page (prefs.js), and need no :has() ---------------
{
  const css = fs.readFileSync(path.join(root, 'static/style.css'), 'utf8');
  if (css.includes(':has(')) fail('style.css uses :has(), which old phones and kiosks (Chrome < 105) lack');
  const ctx = await context({ viewport: { width: 800, height: 900 } });
  const page = await ctx.newPage();
  const [first, second] = pages.filter((p) => /\/(fees|services)\.html$/.test(p));
  await page.goto(url(first));
  const before = (await page.locator('h1').boundingBox()).height;
  await page.click('label[for="pref-large"]');
  await page.click('label[for="pref-contrast"]');
  await page.goto(url(second));
  if (!(await page.locator('#pref-large').isChecked())) fail(`${second}: the large-text setting did not carry over from ${first}`);
  if (!(await page.locator('#pref-contrast').isChecked())) fail(`${second}: the high-contrast setting did not carry over`);
  const bg = await page.locator('.page').evaluate((e) => getComputedStyle(e).backgroundColor);
  if (bg !== 'rgb(0, 0, 0)') fail(`${second}: high contrast carried over but the page is ${bg}`);
  await page.click('label[for="pref-large"]');
  await page.goto(url(first));
  if (await page.locator('#pref-large').isChecked()) fail('switching large text off did not carry over');
  const after = (await page.locator('h1').boundingBox()).height;
  if (Math.abs(after - before) > 1) fail(`large text off again, but the heading is ${after} px, was ${before} px`);
  await ctx.close();
}

// ---- the supervision page prints on one A4 sheet (第五条(六), 第十一条: a notice-board sheet), and so
// does the 申请表 (request-form.html) to fill in by hand --------------------------------------------
{
  const page = await wide.newPage();
  for (const rel of pages.filter((p) => /\/(supervision|request-form)\.html$/.test(p))) {
    await page.goto(url(rel));
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    const sheets = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    if (sheets !== 1) fail(`${rel}: printed on ${sheets} A4 sheets, not one`);
  }
  await page.close();
}

// ---- screenshots and the printed notice ------------------------------------------------------
{
  const unitPage = pages.find((p) => /^[^/]+\/index\.html$/.test(p));
  const page = await wide.newPage();
  await page.goto(url('index.html'));
  await page.screenshot({ path: path.join(artifacts, 'portal-home.png'), fullPage: true });
  // the portal's columns a bureau looks for: a unit's 公开指南 and 公开目录, and the portal's 公开目录
  const unitDir = unitPage.split('/')[0];
  for (const [rel, shot] of [[`${unitDir}/guide.html`, 'unit-guide.png'], [`${unitDir}/catalog.html`, 'unit-catalog.png'],
    ['catalog.html', 'portal-catalog.png']]) {
    if (!pages.includes(rel)) { fail(`${rel}: missing`); continue; }
    await page.goto(url(rel));
    await page.screenshot({ path: path.join(artifacts, shot), fullPage: true });
  }
  await page.goto(url(unitPage));
  await page.screenshot({ path: path.join(artifacts, 'unit-page.png'), fullPage: true });
  await page.emulateMedia({ media: 'print' });
  const qr = await page.locator('.print-qr svg').count();
  if (qr === 1) {
    if (!(await page.locator('.print-qr').isVisible())) fail('the QR code is not shown on the printed page');
    // the printed code must scan to the page's own address
    const png = PNG.sync.read(await page.locator('.print-qr svg').screenshot());
    const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    const canonical = await page.locator('link[rel=canonical]').getAttribute('href');
    if (!decoded) fail(`${unitPage}: the printed QR code does not scan`);
    else if (decoded.data !== canonical) fail(`${unitPage}: the QR code says ${decoded.data}, the page is ${canonical}`);
    else console.log(`printed QR code scans to ${decoded.data}`);
  }
  if (await page.locator('.unit-nav').isVisible()) fail('the unit navigation is printed');
  await page.pdf({ path: path.join(artifacts, 'unit-page-A4.pdf'), format: 'A4', printBackground: true });
  await page.close();
  // a 年度报告, on screen and printed on A4 without the navigation
  const reportPage = pages.find((p) => /^[^/]+\/reports\/\d{4}\.html$/.test(p));
  if (!reportPage) fail('no 年度报告 page in the build');
  else {
    const report = await wide.newPage();
    await report.goto(url(reportPage));
    await report.screenshot({ path: path.join(artifacts, 'annual-report.png'), fullPage: true });
    await report.emulateMedia({ media: 'print' });
    if (await report.locator('.unit-nav').isVisible()) fail(`${reportPage}: the unit navigation is printed`);
    if (!(await report.locator('.print-only').isVisible())) fail(`${reportPage}: the printed report lacks the unit's name and complaint phone`);
    await report.pdf({ path: path.join(artifacts, 'annual-report-A4.pdf'), format: 'A4', printBackground: true });
    await report.close();
  }
  const phone = await narrow.newPage();
  await phone.goto(url(unitPage));
  await phone.screenshot({ path: path.join(artifacts, 'unit-page-320px.png'), fullPage: true });
  await phone.close();
}
// ---- site search: Chinese queries find the right pages; without JavaScript, the 公开目录 --------
if (pages.includes('search.html')) {
  for (const rel of pages) {
    // every page may run the reading-settings script (static/prefs.js); only the search page runs more
    const scripts = fs.readFileSync(path.join(root, rel), 'utf8').match(/<script[^>]*>/gi) ?? [];
    const others = scripts.filter((t) => !/^<script src="(\.\.\/|\/)*static\/prefs\.js">$/.test(t));
    if (rel !== 'search.html' && others.length) fail(`${rel}: a script outside the search page: ${others[0]}`);
  }
  // a fee item name from content/*/fees.yaml, and the outage notice of the water company
  const queries = [
    ['停水', /qingyuan-water\/notices\/.*停水/],
    ['居民生活用水', /qingyuan-water\/fees\.html$/],
  ];
  const page = await wide.newPage();
  await page.goto(url('search.html'));
  if (await page.locator('#search-nojs').isVisible()) fail('search.html: the no-JavaScript text is shown with JavaScript on');
  for (const [query, want] of queries) {
    await page.fill('#search-q', query);
    await page.click('.search-form button');
    await page.waitForFunction(() => /找到|没有找到|没有加载/.test(document.getElementById('search-status').textContent));
    const hrefs = await page.locator('#search-results a').evaluateAll((as) => as.map((a) => decodeURIComponent(a.href)));
    if (!hrefs.some((h) => want.test(h))) fail(`search for ${query}: no result matches ${want} (got ${hrefs.join(', ') || 'nothing'})`);
    else console.log(`search for ${query}: ${hrefs.length} result(s), first ${hrefs[0]}`);
  }
  await page.goto(url('search.html') + '?q=' + encodeURIComponent('停水'));
  await page.waitForSelector('#search-results a');
  await axe(page, 'search.html (with results)');
  await page.screenshot({ path: path.join(artifacts, 'search-results.png'), fullPage: true });
  await page.close();
  const off = await nojs.newPage();
  await off.goto(url('search.html'));
  if (!(await off.locator('#search-nojs').isVisible()) || (await off.locator('#search-nojs a[href$="catalog.html"]').count()) === 0) {
    fail('search.html without JavaScript does not point to the 公开目录');
  }
  await off.screenshot({ path: path.join(artifacts, 'search-nojs.png'), fullPage: true });
  await off.close();
} else {
  console.log('search.html not built (search: false): search checks skipped');
}
// ---- the request desk's pages (DESK_SITE: the example built with tests/fixtures/desk_form) -----
// The request page's form posts to the desk with JavaScript off, under the page's own CSP (whose
// form-action allows the desk's origin); the browser refuses an incomplete form without a
// script; the honeypot is out of sight; the 申请表 prints on one A4 sheet; the 评议结果 page prints
// without the navigation. The desk is stood in for by answering its address in the browser.
const deskRoot = process.env.DESK_SITE ? path.resolve(process.env.DESK_SITE) : null;
const deskPages = ['qingyuan-water/request.html', 'qingyuan-water/request-form.html', 'qingyuan-water/evaluation.html'];
// archived versions (`<page>.v<date>-<hash8>.html`) and the pages left at their former addresses
const versionName = /\.v\d{4}-\d{2}-\d{2}-[0-9a-f]{8}\.html$/;
const archived = [];
const moved = [];
if (deskRoot) {
  (function walk(dir) {
    for (const name of fs.readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      const rel = path.relative(deskRoot, p).split(path.sep).join('/');
      if (fs.statSync(p).isDirectory()) walk(p);
      else if (rel.startsWith('archive/') && name.endsWith('.html')) moved.push(rel);
      else if (versionName.test(name)) archived.push(rel);
    }
  })(deskRoot);
  deskPages.push(...archived);
  console.log(`desk site: ${archived.length} archived version(s), ${moved.length} former address(es)`);
}
if (deskRoot) {
  const deskServer = serveDir(deskRoot);
  await new Promise((ok) => deskServer.listen(0, '127.0.0.1', ok));
  const deskSite = `http://127.0.0.1:${deskServer.address().port}`;
  const at = (rel) => `${deskSite}/${rel.split('/').map(encodeURIComponent).join('/')}`;
  const posted = [];
  const deskContext = async (options) => {
    const ctx = await browser.newContext({ locale: 'zh-CN', ...options });
    await ctx.route('**/*', (route) => {
      const req = route.request();
      const u = new URL(req.url());
      if (u.origin === deskSite) return route.continue();
      if (u.hostname === 'shenqing.baiyin.example' && req.method() === 'POST') {
        posted.push({ url: u.href, body: req.postData() ?? '' });
        return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8',
          body: '<!DOCTYPE html><html lang="zh-CN"><title>回执</title><h1>已受理</h1></html>' });
      }
      fail(`${u.href}: a request to another host`);
      return route.abort();
    });
    return ctx;
  };
  const deskWide = await deskContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const deskNarrow = await deskContext({ viewport: { width: 320, height: 640 } });
  for (const rel of deskPages) {
    const page = await deskWide.newPage();
    const response = await page.goto(at(rel));
    if (!response.ok()) fail(`desk site ${rel}: HTTP ${response.status()}`);
    await axe(page, `desk site ${rel}`);
    await page.emulateMedia({ colorScheme: 'dark' });
    await axe(page, `desk site ${rel} (dark)`);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.click('label[for="pref-contrast"]');
    await axe(page, `desk site ${rel} (high contrast)`);
    await page.close();
    const small = await deskNarrow.newPage();
    await small.goto(at(rel));
    await noHorizontalScroll(small, `desk site ${rel} at 320 px`);
    await small.click('label[for="pref-large"]');
    await noHorizontalScroll(small, `desk site ${rel} at 320 px, large text`);
    await small.close();
  }
  // an archived version is styled (its stylesheet resolves from beside its page), and its former
  // address leads to it with JavaScript off
  {
    const ctx = await deskContext({ javaScriptEnabled: false, viewport: { width: 800, height: 900 } });
    const page = await ctx.newPage();
    for (const rel of archived) {
      await page.goto(at(rel));
      const styled = await page.locator('.site-header').evaluate((e) => getComputedStyle(e).backgroundColor !== 'rgba(0, 0, 0, 0)');
      if (!styled) fail(`desk site ${rel}: the archived version is shown without its stylesheet`);
    }
    for (const rel of moved) {
      await page.goto(at(rel));
      await page.waitForURL(versionName, { timeout: 5000 }).catch(() => {});
      const now = decodeURIComponent(new URL(page.url()).pathname).slice(1);
      if (!archived.includes(now)) fail(`desk site ${rel}: leads to ${now}, not to an archived version`);
      else console.log(`${rel} leads to ${now}`);
    }
    if (archived.length) {
      await page.goto(at(archived[0]));
      await page.screenshot({ path: path.join(artifacts, 'archived-version.png'), fullPage: true });
    }
    await ctx.close();
  }
  // the application, with JavaScript off and the page's CSP in force
  const off = await deskContext({ javaScriptEnabled: false, viewport: { width: 800, height: 900 } });
  const page = await off.newPage();
  await page.goto(at('qingyuan-water/request.html'));
  const hp = await page.locator('input[name="homepage"]').boundingBox();
  if (!hp || hp.x + hp.width > 0) fail(`request.html: the honeypot field is on the screen (${JSON.stringify(hp)})`);
  await page.click('button[type="submit"]');
  await page.waitForTimeout(300);
  if (posted.length) fail('request.html: an empty application was sent; the browser should have refused it');
  await page.fill('#f-applicant', '张三');
  await page.fill('#f-id_doc', '居民身份证');
  await page.fill('#f-email', 'zhangsan@example.com');
  await page.fill('#f-info', '2025年第三季度水质检测报告');
  await page.check('input[name="medium"][value="电子"]');
  await page.check('input[name="delivery"][value="电子邮件"]');
  await page.screenshot({ path: path.join(artifacts, 'request-form-nojs.png'), fullPage: true });
  await Promise.all([page.waitForURL(/shenqing\.baiyin\.example/), page.click('button[type="submit"]')]);
  if (posted.length !== 1) fail(`request.html: ${posted.length} posts reached the desk, not 1`);
  else {
    const sent = new URLSearchParams(posted[0].body);
    if (!posted[0].url.endsWith('/gongkai/u/qingyuan-water/apply')) fail(`request.html posted to ${posted[0].url}`);
    if (sent.get('applicant') !== '张三' || sent.get('medium') !== '电子' || sent.get('homepage') !== '') {
      fail(`request.html posted ${posted[0].body}`);
    } else console.log(`the request form posted to ${posted[0].url} without JavaScript`);
  }
  await page.close();
  await off.close();
  // on paper
  const print = await deskWide.newPage();
  await print.goto(at('qingyuan-water/request-form.html'));
  await print.emulateMedia({ media: 'print' });
  const pdf = await print.pdf({ path: path.join(artifacts, 'request-form-A4.pdf'), format: 'A4', printBackground: true });
  const sheets = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
  if (sheets !== 1) fail(`request-form.html: printed on ${sheets} A4 sheets, not one`);
  await print.goto(at('qingyuan-water/evaluation.html'));
  await print.emulateMedia({ media: 'print' });
  if (await print.locator('.unit-nav').isVisible()) fail('evaluation.html: the unit navigation is printed');
  await print.pdf({ path: path.join(artifacts, 'evaluation-A4.pdf'), format: 'A4', printBackground: true });
  await print.close();
  deskServer.close();
} else {
  console.log('DESK_SITE not set: the request desk\'s form is not checked');
}
await browser.close();
server.close();

// ---- Nu Html Checker --------------------------------------------------------------------------
const vnu = spawnSync('java', ['-jar', path.join(here, 'node_modules/vnu-jar/build/dist/vnu.jar'),
  '--errors-only', '--format', 'gnu', '--skip-non-html', root,
  ...(deskRoot ? [...deskPages, ...moved].map((p) => path.join(deskRoot, p)) : [])], { encoding: 'utf8' });
const vnuOut = `${vnu.stdout}${vnu.stderr}`.trim();
if (vnu.status !== 0 || vnuOut) {
  for (const line of vnuOut.split('\n').slice(0, 50)) fail(`vnu: ${line}`);
  if (vnu.error) fail(`vnu: ${vnu.error.message}`);
}

console.log(`\n${pages.length} pages checked; artefacts in ${artifacts}`);
if (failures.length) {
  console.error(`${failures.length} problem(s)`);
  process.exit(1);
}
console.log('browser suite passed');
