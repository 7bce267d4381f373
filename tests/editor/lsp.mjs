// What an editor shows: Red Hat's yaml-language-server (the engine of VS Code's YAML extension)
// over a site made by `gongkai init`, through its own protocol. Every YAML file init scaffolds
// (each with its `# yaml-language-server: $schema=…` line) gets no diagnostic; a file with a
// misspelt key, an unknown sector, a wrong date and a draft flag that is neither yes nor no gets
// each at its line, in Chinese where the schema gives the words; `行业: ` completes to the
// sectors.
//
//   node tests/editor/lsp.mjs SITE_DIR
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const site = path.resolve(process.argv[2] ?? "");
const bin = createRequire(import.meta.url).resolve("yaml-language-server/bin/yaml-language-server");
const server = spawn(process.execPath, [bin, "--stdio"], { stdio: ["pipe", "pipe", "inherit"] });
let buf = Buffer.alloc(0);
let nextId = 0;
const pending = new Map();
const diagnostics = new Map();
const waiting = new Map();
const send = (msg) => {
  const body = Buffer.from(JSON.stringify({ jsonrpc: "2.0", ...msg }));
  server.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
  server.stdin.write(body);
};
const request = (method, params) =>
  new Promise((resolve) => {
    nextId += 1;
    pending.set(nextId, resolve);
    send({ id: nextId, method, params });
  });
server.stdout.on("data", (chunk) => {
  buf = Buffer.concat([buf, chunk]);
  for (;;) {
    const head = buf.indexOf("\r\n\r\n");
    if (head < 0) return;
    const length = Number(/Content-Length: (\d+)/i.exec(buf.subarray(0, head).toString())[1]);
    if (buf.length < head + 4 + length) return;
    const msg = JSON.parse(buf.subarray(head + 4, head + 4 + length).toString());
    buf = buf.subarray(head + 4 + length);
    if (msg.id !== undefined && !msg.method && pending.has(msg.id)) {
      pending.get(msg.id)(msg.result);
      pending.delete(msg.id);
    } else if (msg.method === "textDocument/publishDiagnostics") {
      diagnostics.set(msg.params.uri, msg.params.diagnostics);
      waiting.get(msg.params.uri)?.();
    } else if (msg.method === "workspace/configuration") {
      send({ id: msg.id, result: msg.params.items.map(() => ({ validate: true, completion: true, hover: true })) });
    } else if (msg.id !== undefined && msg.method) {
      send({ id: msg.id, result: null });
    }
  }
});

const failures = [];
let version = 0;
async function open(file, text) {
  const uri = pathToFileURL(file).href;
  const published = new Promise((resolve) => waiting.set(uri, resolve));
  version += 1;
  send({ method: "textDocument/didOpen", params: { textDocument: { uri, languageId: "yaml", version, text } } });
  // the server publishes a file's diagnostics (an empty list when clean) once it has read it
  const answered = await Promise.race([published.then(() => true), new Promise((r) => setTimeout(() => r(false), 60000))]);
  if (!answered) failures.push(`${file}: the server published no diagnostics`);
  return { uri, found: (diagnostics.get(uri) ?? []).map((d) => [d.range.start.line + 1, d.message]) };
}

await request("initialize", { processId: process.pid, rootUri: pathToFileURL(site).href, capabilities: { workspace: { configuration: true } } });
send({ method: "initialized", params: {} });
send({ method: "workspace/didChangeConfiguration", params: { settings: { yaml: { validate: true, completion: true, hover: true } } } });

const scaffolded = [];
const walk = (dir) => {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && !e.name.startsWith(".")) walk(p);
    else if (e.isFile() && e.name.endsWith(".yaml")) scaffolded.push(p);
  }
};
walk(site);
for (const file of scaffolded.sort()) {
  const started = Date.now();
  const text = fs.readFileSync(file, "utf8");
  if (!text.startsWith("# yaml-language-server: $schema=")) failures.push(`${file}: no schema line`);
  const { found } = await open(file, text);
  if (found.length) failures.push(`${file}: ${JSON.stringify(found)}`);
}

const unit = fs.readdirSync(path.join(site, "content"))[0];
const bad = path.join(site, "content", unit, "mistakes.yaml");
const { uri, found } = await open(
  bad,
  "# yaml-language-server: $schema=../../.gongkai/schema/unit.schema.json\n单位名称: 白银市第一中学\n单位名: 甲\n行业: 博物馆\n更新日期: 三月\n",
);
const expect = [
  [3, "单位名"],
  [4, "不认识的行业"],
  [5, "日期写成 2024-03-01 或 2024年3月1日"],
];
for (const [line, words] of expect) {
  if (!found.some(([l, m]) => l === line && m.includes(words))) failures.push(`mistakes.yaml line ${line}: no diagnostic with ${words}: ${JSON.stringify(found)}`);
}
if (found.length !== expect.length) failures.push(`mistakes.yaml: ${found.length} diagnostics, expected ${expect.length}: ${JSON.stringify(found)}`);
const completion = await request("textDocument/completion", { textDocument: { uri }, position: { line: 3, character: 4 } });
const labels = (completion?.items ?? completion ?? []).map((i) => i.label);
if (!labels.includes("幼儿园") || !labels.includes("供水")) failures.push(`行业 completes to ${JSON.stringify(labels.slice(0, 10))}`);

server.kill();
if (failures.length) {
  console.error(`yaml-language-server disagrees:\n${failures.join("\n")}`);
  process.exit(1);
}
console.log(`yaml-language-server: ${scaffolded.length} scaffolded files clean, ${expect.length} mistakes found at their lines, 行业 completes to ${labels.length} words`);
process.exit(0);
