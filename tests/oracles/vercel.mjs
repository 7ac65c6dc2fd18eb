// Vercel's own reading of a `vercel.json`, for tests/platform_oracles.rs. Reads one JSON
// request on standard input, prints one JSON answer.
//
// Request: { "text": the file's text, "probes": ["/path", ...],
//            "headers": {name: value} sent with every probe (lowercase names) }
// Answer:  { "parse": null | error, "schema": [{path, message}], "routesError": null | {code, message},
//            "routes": [compiled routes],
//            "probes": {path: {headers: {name: value}, redirect: {status, location} | null,
//                              status: number | null, stop: index of the route that ended routing}} }
//
// Vercel's code: the schemas of `@vercel/routing-utils` (what `vercel deploy` validates the
// routing keys with, through ajv) and `getTransformedRoutes` (the ordered routes Vercel runs).
// The loop that runs a request through those routes is written here, after the dev server's
// router (`packages/cli/src/util/dev/router.ts`): routes in order until the `filesystem`
// handle; a matching route adds its headers (lowercased names, `$1` / `$name` replaced) and
// its `status`; a route without `continue` ends routing (a redirect: a 3xx with `Location`).

import fs from 'node:fs';

import Ajv from 'ajv';
import {
  cleanUrlsSchema,
  getTransformedRoutes,
  headersSchema,
  redirectsSchema,
  rewritesSchema,
  routesSchema,
  trailingSlashSchema,
} from '@vercel/routing-utils';

const request = JSON.parse(fs.readFileSync(0, 'utf8'));
const answer = { parse: null, schema: [], routesError: null, routes: [], probes: {} };

let config;
try {
  config = JSON.parse(request.text);
} catch (e) {
  answer.parse = e.message;
}

if (config !== undefined) {
  const ajv = new Ajv({ allErrors: true });
  const schema = {
    type: 'object',
    properties: {
      routes: routesSchema,
      rewrites: rewritesSchema,
      redirects: redirectsSchema,
      headers: headersSchema,
      cleanUrls: cleanUrlsSchema,
      trailingSlash: trailingSlashSchema,
    },
  };
  const validate = ajv.compile(schema);
  if (!validate(config)) {
    answer.schema = validate.errors.map((e) => ({ path: e.dataPath, message: e.message }));
  }
  if (config !== null && typeof config === 'object' && !Array.isArray(config)) {
    const { routes, error } = getTransformedRoutes(config);
    if (error) answer.routesError = { code: error.code, message: error.message };
    answer.routes = routes ?? [];
  }
}

const fill = (template, match) =>
  template.replace(/\$(\d+|[A-Za-z_]\w*)/g, (whole, name) => {
    const value = /^\d+$/.test(name) ? match[Number(name)] : match.groups?.[name];
    return value === undefined ? '' : value;
  });

function conditionHolds(cond, headers) {
  let actual;
  if (cond.type === 'host') actual = headers.host;
  else if (cond.type === 'header') actual = headers[cond.key.toLowerCase()];
  else actual = undefined; // no cookies, no query on a probe
  if (actual === undefined) return { hit: false };
  if (cond.value === undefined) return { hit: true };
  if (typeof cond.value === 'string') {
    const m = new RegExp(cond.value).exec(actual);
    return { hit: m !== null, groups: m?.groups };
  }
  if (cond.value.eq !== undefined) return { hit: String(cond.value.eq) === actual };
  if (cond.value.re !== undefined) {
    const m = new RegExp(cond.value.re).exec(actual);
    return { hit: m !== null, groups: m?.groups };
  }
  return { hit: false };
}

// A rejected file is not deployed: no routes run.
const rejected = answer.parse !== null || answer.schema.length > 0 || answer.routesError !== null;
for (const probe of rejected ? [] : request.probes) {
  const headers = {};
  let path = probe;
  let status = null;
  let stop = null;
  for (let i = 0; i < answer.routes.length; i++) {
    const route = answer.routes[i];
    if (route.handle) {
      if (route.handle === 'filesystem') break;
      continue;
    }
    if (Array.isArray(route.methods) && !route.methods.includes('GET')) continue;
    // Case-sensitive, as `sourceToRegex` compiles sources (`sensitive: true`); the dev server
    // adds the `i` flag unless its project is case-sensitive, which production is not known
    // to do.
    const match = new RegExp(route.src).exec(path);
    if (!match) continue;
    let groups = { ...(match.groups ?? {}) };
    let holds = true;
    for (const cond of route.has ?? []) {
      const r = conditionHolds(cond, request.headers);
      holds &&= r.hit;
      if (r.groups) groups = { ...groups, ...r.groups };
    }
    for (const cond of route.missing ?? []) holds &&= !conditionHolds(cond, request.headers).hit;
    if (!holds) continue;
    const values = Object.assign([...match], { groups });
    for (const [key, value] of Object.entries(route.headers ?? {})) {
      headers[key.toLowerCase()] = fill(value, values);
    }
    if (route.status) status = route.status;
    if (route.continue) {
      if (route.dest) path = fill(route.dest, values).split('?')[0];
      continue;
    }
    stop = i;
    break;
  }
  const location = headers.location;
  const redirect =
    stop !== null && status >= 300 && status < 400 && location !== undefined
      ? { status, location }
      : null;
  answer.probes[probe] = { headers, redirect, status, stop };
}

process.stdout.write(JSON.stringify(answer));
