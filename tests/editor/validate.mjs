// Validate a site's YAML against the JSON Schemas `gongkai schema` wrote, with Ajv: every content
// file (a Markdown document's front matter), gongkai.yaml and rules/*.yaml. Independent of
// gongkai's own code: the YAML is read by the `yaml` package (YAML 1.2 core schema, as gongkai
// reads it: dates stay text), the schemas by Ajv (draft-07).
//
//   node tests/editor/validate.mjs SCHEMA_DIR SITE_DIR
//
// Exit 0 when every file validates; 1 with each error otherwise.
import fs from "node:fs";
import path from "node:path";
import Ajv from "ajv";
import YAML from "yaml";

const [schemaDir, site] = process.argv.slice(2);
if (!schemaDir || !site) {
  console.error("usage: node validate.mjs SCHEMA_DIR SITE_DIR");
  process.exit(2);
}
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: true });
const validators = new Map();
for (const name of fs.readdirSync(schemaDir).filter((n) => n.endsWith(".schema.json")).sort()) {
  validators.set(name, ajv.compile(JSON.parse(fs.readFileSync(path.join(schemaDir, name), "utf8"))));
}

// which schema a file of a unit folder follows: the schemas are named after the document kinds,
// and the built-in kinds after their files: `fees.yaml` → fees, `services/x.md` → services
function schemaFor(inside) {
  const parts = inside.split("/");
  if (parts.length === 1 && /\.ya?ml$/.test(parts[0])) {
    const kind = parts[0].replace(/\.ya?ml$/, "");
    return validators.has(`${kind}.schema.json`) ? `${kind}.schema.json` : null;
  }
  if (parts.length === 2 && validators.has(`${parts[0]}.schema.json`) && /\.(md|markdown|ya?ml)$/.test(parts[1])) {
    return `${parts[0]}.schema.json`;
  }
  return null;
}

function yamlOf(text, markdown) {
  text = text.replace(/^\uFEFF/, "");
  if (markdown) {
    const lines = text.split(/\r?\n/);
    if (lines[0].trimEnd() !== "---") return undefined;
    const end = lines.findIndex((l, i) => i > 0 && ["---", "..."].includes(l.trimEnd()));
    text = lines.slice(1, end < 0 ? lines.length : end).join("\n");
  }
  return YAML.parse(text, { version: "1.2", schema: "core", uniqueKeys: true }) ?? null;
}

let checked = 0;
const failures = [];
function hold(file, schema, value) {
  const validate = validators.get(schema);
  checked += 1;
  if (!validate(value)) {
    failures.push(`${file} (${schema}):\n` + validate.errors.map((e) => `  ${e.instancePath || "/"} ${e.message}`).join("\n"));
  }
}

const content = path.join(site, "content");
for (const unit of fs.readdirSync(content, { withFileTypes: true }).filter((d) => d.isDirectory())) {
  const unitDir = path.join(content, unit.name);
  const walk = (dir, prefix) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith(".")) continue;
      const inside = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory() && !prefix && e.name !== "attachments") walk(path.join(dir, e.name), inside);
      else if (e.isFile()) {
        const schema = schemaFor(inside);
        if (!schema) continue;
        const file = path.join(dir, e.name);
        hold(path.relative(site, file), schema, yamlOf(fs.readFileSync(file, "utf8"), /\.(md|markdown)$/.test(e.name)));
      }
    }
  };
  walk(unitDir, "");
}
const config = path.join(site, "gongkai.yaml");
if (fs.existsSync(config)) hold("gongkai.yaml", "gongkai.schema.json", yamlOf(fs.readFileSync(config, "utf8"), false));
const rules = path.join(site, "rules");
if (fs.existsSync(rules)) {
  for (const name of fs.readdirSync(rules).filter((n) => /\.ya?ml$/.test(n)).sort()) {
    hold(`rules/${name}`, "pack.schema.json", yamlOf(fs.readFileSync(path.join(rules, name), "utf8"), false));
  }
}

if (failures.length) {
  console.error(`${failures.length} of ${checked} files do not follow their schema:\n${failures.join("\n")}`);
  process.exit(1);
}
if (checked < 10) {
  console.error(`only ${checked} files found under ${site}: wrong folder?`);
  process.exit(1);
}
console.log(`${checked} files follow their JSON Schemas (Ajv)`);
