// Netlify's own reading of a site's `_headers`, `_redirects` and `netlify.toml`, for
// tests/platform_oracles.rs. Reads one JSON request on standard input, prints one JSON answer.
//
// Request: { "projectDir": the site's folder, "publishDir": its publish folder (or null),
//            "configPath": its netlify.toml (or null), "probes": ["/path", ...] }
// Answer:  { "headerRules": [{for, values}], "headerErrors": [text],
//            "redirectRules": [{from, to, status, force}], "redirectErrors": [text],
//            "headerLines": {file: {line: "effective" | "ignored"}},
//            "redirectLines": {file: {line: "rule" | "error"}},
//            "probes": {path: {headers: {name: value}, headerErrors: [text],
//                              redirect: {status, to, force, from} | null}} }
//
// Everything is Netlify's code: `@netlify/headers-parser` (parseAllHeaders), `@netlify/headers`
// (HeadersHandler: the rules that match a path, merged as the dev server merges them),
// `@netlify/redirect-parser` (parseAllRedirects) and `netlify-redirector` (Netlify's redirect
// matcher, compiled to WebAssembly, as `@netlify/redirects` drives it). The glue below only
// feeds files in and reads results out.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { parseAllHeaders } from '@netlify/headers-parser';
import { HeadersHandler } from '@netlify/headers';
import { parseAllRedirects } from '@netlify/redirect-parser';
import redirector from 'netlify-redirector';

const request = JSON.parse(fs.readFileSync(0, 'utf8'));
const folders = [...new Set([request.projectDir, request.publishDir ?? request.projectDir])];
// The files the dev server reads (`HeadersHandler`, `createRewriter`), those that exist.
const existing = (name) =>
  folders.map((d) => path.resolve(d, name)).filter((f) => fs.existsSync(f));
request.headersFiles = existing('_headers');
request.redirectsFiles = existing('_redirects');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'corslint-netlify-'));

const message = (e) => (e instanceof Error ? e.message : String(e));
const plain = (headers) => headers.map((h) => ({ for: h.for, values: h.values }));

async function readHeaders(headersFiles, configPath) {
  const { headers, errors } = await parseAllHeaders({
    headersFiles,
    netlifyConfigPath: configPath ?? undefined,
    minimal: false,
  });
  return { headers, errors: errors.map(message) };
}

// A header line has an effect when the rules Netlify reads change without it.
async function headerLines(file) {
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const whole = JSON.stringify(plain((await readHeaders([file])).headers));
  const out = {};
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#') || line.startsWith('/')) continue;
    const without = lines.slice(0, i).concat(lines.slice(i + 1)).join('\n');
    const probe = path.join(scratch, `headers-${i}`);
    fs.writeFileSync(probe, without);
    const reduced = JSON.stringify(plain((await readHeaders([probe])).headers));
    if (reduced === whole) {
      out[i + 1] = 'ignored';
      continue;
    }
    // The parser keeps any name before the first colon; one that is not an HTTP field name
    // can never be sent: `Headers.set` (what the dev server calls) throws on it.
    const name = line.split(':')[0].trim();
    try {
      new Headers().set(name, 'x');
      out[i + 1] = 'effective';
    } catch {
      out[i + 1] = 'unsendable';
    }
  }
  return out;
}

// Each `_redirects` line stands alone: parsed by itself, it is a rule or an error.
async function redirectLines(file) {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const out = {};
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const probe = path.join(scratch, `redirects-${i}`);
    fs.writeFileSync(probe, lines[i] + '\n');
    const { redirects, errors } = await parseAllRedirects({ redirectsFiles: [probe], minimal: false });
    out[i + 1] = errors.length === 0 && redirects.length === 1 ? 'rule' : 'error';
  }
  return out;
}

const header = await readHeaders(request.headersFiles, request.configPath);
const parsedRedirects = await parseAllRedirects({
  redirectsFiles: request.redirectsFiles,
  netlifyConfigPath: request.configPath ?? undefined,
  minimal: false,
});

const answer = {
  headerRules: plain(header.headers),
  headerErrors: header.errors,
  redirectRules: parsedRedirects.redirects.map((r) => ({
    from: r.from,
    to: r.to,
    status: r.status ?? null,
    force: r.force,
  })),
  redirectErrors: parsedRedirects.errors.map(message),
  headerLines: {},
  redirectLines: {},
  probes: {},
};
for (const file of request.headersFiles) {
  if (fs.existsSync(file)) answer.headerLines[file] = await headerLines(file);
}
for (const file of request.redirectsFiles) {
  if (fs.existsSync(file)) answer.redirectLines[file] = await redirectLines(file);
}

// The matcher as `@netlify/redirects` builds it (`createRewriter`), without its dev-only
// removal of the SPA rule `/* /index.html 200`.
const rules = parsedRedirects.redirects.map(({ from, query, signed, conditions, ...rest }) => ({
  ...rest,
  origin: from,
  params: query,
  conditions,
  ...(signed && { sign: { jwt_secret: signed } }),
}));
const matcher =
  rules.length === 0
    ? { match: () => null }
    : await redirector.parseJSON(JSON.stringify(rules), {
        jwtSecret: 'corslint-oracle',
        jwtRoleClaim: 'app_metadata.authorization.roles',
      });

const handler = new HeadersHandler({
  configPath: request.configPath ?? undefined,
  projectDir: request.projectDir,
  publishDir: request.publishDir ?? undefined,
  logger: { error: () => {}, warn: () => {}, log: () => {} },
});

for (const probe of request.probes) {
  const url = new URL(`https://site.example${probe}`);
  // Matching rules merged by the handler, then set on a Headers object as the dev server
  // sets them on its response (`response.headers.set(key, value)`: case-insensitive).
  const matching = {};
  await handler.apply(new Request(url), undefined, (key, value) => {
    matching[key] = value;
  });
  const headers = new Headers();
  const headerErrors = [];
  for (const [key, value] of Object.entries(matching)) {
    try {
      headers.set(key, value);
    } catch (e) {
      headerErrors.push(`${key}: ${message(e)}`);
    }
  }
  const match = matcher.match({
    scheme: 'https',
    host: 'site.example',
    path: decodeURIComponent(url.pathname),
    query: '',
    headers: { 'x-language': 'en', 'x-country': 'us', origin: 'https://app.example.com' },
    cookieValues: {},
    getHeader: (name) => (name.toLowerCase() === 'origin' ? 'https://app.example.com' : ''),
    getCookie: () => '',
  });
  answer.probes[probe] = {
    headers: Object.fromEntries(headers.entries()),
    headerErrors,
    redirect: match
      ? { status: match.status ?? 301, to: match.to, force: match.force, from: match.from }
      : null,
  };
}

fs.rmSync(scratch, { recursive: true, force: true });
process.stdout.write(JSON.stringify(answer));
