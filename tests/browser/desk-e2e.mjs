// The request desk end to end, in Chromium with JavaScript off, against the real `gongkai-desk`.
// Usage: node desk-e2e.mjs   (after `cargo build --release -p gongkai -p gongkai-desk`)
//
// Builds the example portal with `受理平台` pointing at a desk on 127.0.0.1, starts the release
// desk there on a fresh SQLite file (a staff account and a campaign made with its own commands),
// and plays the story:
//   - a citizen submits the request form of a built page and gets the receipt (受理编号, the
//     deadline 20 working days on, the 查询码); the desk's own form, sent without a contact,
//     comes back with the problem and what was typed;
//   - staff log in, take the case step by step to 答复 (予以公开);
//   - the citizen looks the status up with the 受理编号 and 查询码 and sees the reply;
//   - a questionnaire is submitted from the unit's 评议结果 page during the campaign;
//   - `gongkai-desk export` writes into the site, `gongkai build` again, and the tally is on the
//     unit's 评议结果 page.
// Every desk page met on the way (public and staff) is checked with axe-core (WCAG 2.1 A/AA) in
// the normal, dark and forced-colours (high contrast) modes, exactly as the browser got it; the
// public ones also at 320 px without horizontal scrolling; all of them with the Nu Html Checker.
//
// Environment: GONGKAI_BIN_DIR (default $CARGO_TARGET_DIR/release or ../../target/release),
// CHROMIUM (default /usr/bin/chromium), ARTIFACTS (screenshots; default ../../target/browser-artifacts).
import { chromium } from 'playwright-core';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const bins = path.resolve(process.env.GONGKAI_BIN_DIR
  ?? path.join(process.env.CARGO_TARGET_DIR ?? path.join(repo, 'target'), 'release'));
const gongkai = path.join(bins, 'gongkai');
const deskBin = path.join(bins, 'gongkai-desk');
const artifacts = path.resolve(process.env.ARTIFACTS ?? path.join(repo, 'target/browser-artifacts'));
fs.mkdirSync(artifacts, { recursive: true });

const failures = [];
const fail = (msg) => { failures.push(msg); console.error(`FAIL ${msg}`); };
const check = (ok, msg) => { if (!ok) fail(msg); };

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    throw new Error(`${path.basename(cmd)} ${args.join(' ')}: exit ${r.status}\n${r.stdout}${r.stderr}`);
  }
  return `${r.stdout}${r.stderr}`;
}

const freePort = () => new Promise((ok, no) => {
  const s = net.createServer();
  s.once('error', no);
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
});

// ---- the site, built with the desk's address ---------------------------------------------------
for (const b of [gongkai, deskBin]) {
  if (!fs.existsSync(b)) throw new Error(`${b} is missing: cargo build --release -p gongkai -p gongkai-desk`);
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'desk-e2e-'));
const site = path.join(tmp, 'site');
const pub = path.join(site, 'public');
fs.cpSync(path.join(repo, 'content'), path.join(site, 'content'), { recursive: true });
const deskPort = await freePort();
const desk = `http://127.0.0.1:${deskPort}`;
const config = fs.readFileSync(path.join(repo, 'tests/fixtures/desk_form/gongkai.yaml'), 'utf8')
  .replace(/^受理平台:.*$/m, `受理平台: ${desk}/`);
if (!config.includes(desk)) throw new Error('tests/fixtures/desk_form/gongkai.yaml has no 受理平台 line to point at the desk');
fs.writeFileSync(path.join(site, 'gongkai.yaml'), config);
const build = () => run(gongkai, ['build', site, '--output', pub, '--quiet']);
build();

// ---- the desk: migrated, a clerk of the water company, a campaign, then serving ---------------
const db = `sqlite:${path.join(tmp, 'desk.db')}`;
const today = '2026-11-27'; // the example site's today (gongkai.yaml)
const password = 'e2e-口令-0123456789';
run(deskBin, ['migrate', '--db', db]);
run(deskBin, ['user', 'add', 'clerk', '--db', db, '--unit', 'qingyuan-water'], { GONGKAI_DESK_PASSWORD: password });
run(deskBin, ['campaign', 'add', '--db', db, '--id', 'e2e-2026', '--name', '2026年11月社会评议（端到端）',
  '--from', '2026-11-01', '--to', today, '--unit', 'qingyuan-water']);
const server = spawn(deskBin, ['serve', '--site', site, '--db', db, '--listen', `127.0.0.1:${deskPort}`,
  '--insecure-cookie', '--today', today], { stdio: ['ignore', 'inherit', 'pipe'] });
let deskLog = '';
server.stderr.on('data', (d) => { deskLog += d; });
const exited = new Promise((ok) => server.once('exit', ok));
for (let i = 0; !deskLog.includes('受理平台已启动'); i++) {
  if (server.exitCode !== null || i > 600) throw new Error(`the desk did not start:\n${deskLog}`);
  await new Promise((ok) => setTimeout(ok, 50));
}

// ---- the static site on loopback ---------------------------------------------------------------
const types = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json', '.xml': 'application/xml' };
const siteServer = http.createServer((req, res) => {
  let file = path.join(pub, path.normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)));
  if (file.startsWith(pub) && fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
  if (!file.startsWith(pub) || !fs.existsSync(file)) { res.writeHead(404); return res.end(); }
  res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
  res.end(fs.readFileSync(file));
});
await new Promise((ok) => siteServer.listen(0, '127.0.0.1', ok));
const origin = `http://127.0.0.1:${siteServer.address().port}`;
const at = (rel) => `${origin}/${rel.split('/').map(encodeURIComponent).join('/')}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});
// the pages may reach the site and the desk, nothing else
async function context(options) {
  const ctx = await browser.newContext({ locale: 'zh-CN', ...options });
  await ctx.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.origin === origin || u.origin === desk) return route.continue();
    fail(`${u.href}: a request to another host`);
    return route.abort();
  });
  return ctx;
}

// every desk page as the browser got it: [name, url, html, public?]
const seen = [];
async function keep(page, name, isPublic) {
  seen.push([name, page.url(), await page.content(), isPublic]);
  await page.screenshot({ path: path.join(artifacts, `desk-${name}.png`), fullPage: true });
}
const text = (page, sel) => page.locator(sel).innerText();

try {
  // ---- a citizen applies from the built request page, JavaScript off ----------------------------
  const citizen = await context({ javaScriptEnabled: false, viewport: { width: 800, height: 900 } });
  const page = await citizen.newPage();
  await page.goto(at('qingyuan-water/request.html'));
  await page.fill('#f-applicant', '张三');
  await page.fill('#f-id_doc', '居民身份证');
  await page.fill('#f-email', 'zhangsan@example.com');
  await page.fill('#f-info', '2025年第三季度水质检测报告');
  await page.check('input[name="medium"][value="电子"]');
  await page.check('input[name="delivery"][value="电子邮件"]');
  await Promise.all([page.waitForURL(`${desk}/u/qingyuan-water/apply`), page.click('button[type="submit"]')]);
  const receipt = await text(page, '.receipt');
  const number = (await text(page, '.receipt strong')).trim();
  const code = (await text(page, '.receipt .code')).trim();
  check(number === 'qingyuan-water-2026-00001', `receipt: 受理编号 ${number}`);
  check(/^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$/.test(code), `receipt: 查询码 ${code}`);
  // received on 2026-11-27, 20 working days on the built-in calendar (no holiday between)
  check(receipt.includes('答复期限：2026-12-25'), `receipt without the deadline 2026-12-25:\n${receipt}`);
  check(receipt.includes('收到日期：2026-11-27'), `receipt without the date of receipt:\n${receipt}`);
  await keep(page, 'receipt', true);
  console.log(`applied from the built page: ${number}, due 2026-12-25`);

  // the desk's own form, without any contact: the problem, and what was typed kept
  await page.goto(`${desk}/u/qingyuan-water/apply`);
  await keep(page, 'apply-form', true);
  await page.fill('#applicant', '李四 <b>');
  await page.fill('#id_doc', '居民身份证');
  await page.fill('#info', '供水管网改造计划');
  await page.check('input[name="medium"][value="纸质"]');
  await page.check('input[name="delivery"][value="邮寄"]');
  await Promise.all([page.waitForLoadState(), page.click('button[type="submit"]')]);
  check((await text(page, '.errors')).includes('联系电话、电子邮箱、通信地址至少填写一项'), 'the form without a contact was not refused');
  check(await page.inputValue('#applicant') === '李四 <b>', 'the refused form lost what was typed');
  await keep(page, 'apply-refused', true);

  // ---- staff log in and reply ---------------------------------------------------------------------
  const staffCtx = await context({ javaScriptEnabled: false, viewport: { width: 1000, height: 900 } });
  const staff = await staffCtx.newPage();
  await staff.goto(`${desk}/staff/login`);
  await keep(staff, 'staff-login', false);
  await staff.fill('#name', 'clerk');
  await staff.fill('#password', 'wrong');
  await Promise.all([staff.waitForLoadState(), staff.click('button[type="submit"]')]);
  check((await staff.locator('.errors').count()) === 1, 'a wrong password was not refused');
  await staff.fill('#name', 'clerk');
  await staff.fill('#password', password);
  await Promise.all([staff.waitForURL(`${desk}/staff/`), staff.click('button[type="submit"]')]);
  await keep(staff, 'staff-list', false);
  await Promise.all([staff.waitForURL(`${desk}/staff/case/${number}`), staff.click(`a[href="case/${number}"]`)]);
  await keep(staff, 'staff-case', false);
  for (const step of ['登记', '审核', '办理']) {
    await Promise.all([staff.waitForLoadState(), staff.click(`button:has-text("确认：${step}")`)]);
  }
  await staff.check('input[name="outcome"][value="予以公开"]');
  await staff.fill('#reason', '已按申请人选择的电子邮件发送');
  await Promise.all([staff.waitForLoadState(), staff.click('button:has-text("确认：答复")')]);
  const trail = await text(staff, 'main');
  for (const step of ['登记', '审核', '办理', '答复：予以公开']) check(trail.includes(step), `the audit trail lacks ${step}`);
  await keep(staff, 'staff-replied', false);
  console.log('staff took the case to 答复 (予以公开)');

  // ---- the citizen looks the status up --------------------------------------------------------------
  await page.goto(at('qingyuan-water/request.html'));
  await Promise.all([page.waitForURL(`${desk}/lookup`), page.click('a:has-text("申请查询")')]);
  await keep(page, 'lookup-form', true);
  await page.fill('#number', number);
  await page.fill('#code', code.toLowerCase());
  await Promise.all([page.waitForLoadState(), page.click('button[type="submit"]')]);
  const status = await text(page, 'main');
  check(/办理进度\s*答复/.test(status) && /处理结果\s*予以公开/.test(status), `lookup shows:\n${status}`);
  check(!status.includes('张三'), 'the status page shows the applicant');
  await keep(page, 'lookup-status', true);
  console.log('the citizen sees 答复 / 予以公开');

  // ---- a questionnaire, from the unit's 评议结果 page ----------------------------------------------
  await page.goto(at('qingyuan-water/evaluation.html'));
  await Promise.all([page.waitForURL(`${desk}/u/qingyuan-water/evaluate`), page.click('a:has-text("填写评议问卷")')]);
  await keep(page, 'evaluate-form', true);
  const questions = await page.locator('fieldset').count();
  check(questions === 6, `the questionnaire has ${questions} questions, not 6`);
  for (let n = 0; n < questions; n++) {
    await page.locator('fieldset').nth(n).locator(`input[value="${n === 2 ? '基本满意' : '满意'}"]`).check();
  }
  await page.fill('#remark', '网站上的停水通知很及时');
  await Promise.all([page.waitForLoadState(), page.click('button[type="submit"]')]);
  check((await text(page, 'h1')).includes('问卷已提交'), `after the questionnaire: ${await text(page, 'main')}`);
  await keep(page, 'evaluate-done', true);
  await citizen.close();
  await staffCtx.close();

  // ---- export into the site, build, and the tally is published ---------------------------------------
  const exported = run(deskBin, ['export', '--site', site, '--db', db, '--year', '2026']);
  const file = path.join(site, 'content/qingyuan-water/evaluations/e2e-2026.yaml');
  check(fs.existsSync(file), `export wrote no ${file}:\n${exported}`);
  check(!fs.readFileSync(file, 'utf8').includes('停水通知'), 'the export holds the free text');
  build();
  const results = await (await context({ javaScriptEnabled: false })).newPage();
  await results.goto(at('qingyuan-water/evaluation.html'));
  const section = results.locator('#campaign-e2e-2026');
  if (await section.count() !== 1) fail('the 评议结果 page has no section for the exported campaign');
  else {
    const s = await section.innerText();
    check(s.includes('收到问卷 1 份') && s.includes('数据由受理平台导出'), `the exported campaign reads:\n${s}`);
    const row = (await section.locator('tbody tr').nth(2).innerText()).replace(/\s+/g, ' ');
    check(/基本满意/.test(await section.locator('thead').innerText()) && /^\S+ 0（0(\.0)?%） 1（100(\.0)?%） 0（0(\.0)?%） 1$/.test(row),
      `question 3's tally: ${row}`);
    await results.screenshot({ path: path.join(artifacts, 'desk-e2e-evaluation.png'), fullPage: true });
    console.log(`the 评议结果 page shows the campaign: ${row}`);
  }

  // ---- axe over every desk page as it was served, in the suite's three modes; 320 px -----------
  const axeSource = fs.readFileSync(path.join(here, 'node_modules/axe-core/axe.min.js'), 'utf8');
  const wide = await context({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const narrow = await context({ viewport: { width: 320, height: 640 } });
  const replay = async (ctx, url, html) => {
    const p = await ctx.newPage();
    await p.route(url, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
    await p.goto(url);
    return p;
  };
  for (const [name, url, html, isPublic] of seen) {
    const p = await replay(wide, url, html);
    for (const mode of [{}, { colorScheme: 'dark' }, { colorScheme: 'light', forcedColors: 'active' }]) {
      await p.emulateMedia(mode);
      await p.addScriptTag({ content: axeSource });
      const result = await p.evaluate(() => window.axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      }));
      for (const v of result.violations) {
        fail(`desk ${name} ${JSON.stringify(mode)}: axe ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join('; ')}`);
      }
    }
    const styled = await p.evaluate(() => document.styleSheets.length > 0 && document.styleSheets[0].cssRules.length > 0);
    check(styled, `desk ${name}: its stylesheet did not load`);
    await p.close();
    if (isPublic) {
      const small = await replay(narrow, url, html);
      const { scroll, client } = await small.evaluate(() => ({
        scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
      check(scroll <= client, `desk ${name} at 320 px: ${scroll} px wide (horizontal scrolling)`);
      await small.close();
    }
  }
  console.log(`axe (normal, dark, forced colours) over ${seen.length} desk pages`);

  // ---- the Nu Html Checker over the same pages --------------------------------------------------------
  const vnuDir = path.join(tmp, 'vnu');
  fs.mkdirSync(vnuDir);
  for (const [name, , html] of seen) {
    fs.writeFileSync(path.join(vnuDir, `${name}.html`), /^<!DOCTYPE/i.test(html) ? html : `<!DOCTYPE html>\n${html}`);
  }
  const vnu = spawnSync('java', ['-jar', path.join(here, 'node_modules/vnu-jar/build/dist/vnu.jar'),
    '--errors-only', '--format', 'gnu', vnuDir], { encoding: 'utf8' });
  const vnuOut = `${vnu.stdout}${vnu.stderr}`.trim();
  if (vnu.status !== 0 || vnuOut) for (const line of vnuOut.split('\n').slice(0, 30)) fail(`vnu: ${line}`);
} catch (e) {
  fail(`stopped: ${e.stack ?? e}`);
} finally {
  await browser.close();
  siteServer.close();
  server.kill('SIGINT');
  await exited;
  fs.rmSync(tmp, { recursive: true, force: true });
}
check(!/张三|zhangsan/.test(deskLog), 'the desk logged personal data');

if (failures.length) {
  console.error(`desk end to end: ${failures.length} problem(s)`);
  process.exit(1);
}
console.log('desk end to end passed');
