// Cloudflare Pages itself, for tests/platform_oracles.rs: `wrangler pages dev` (workerd, the
// runtime Cloudflare runs, with the Pages asset server) serves a folder holding `_headers`,
// `_redirects` and an `index.html`; every probe is a real HTTP request on loopback. Reads one
// JSON request on standard input, prints one JSON answer.
//
// Request: { "dir": the folder to serve, "work": a scratch folder (wrangler's state),
//            "wrangler": path of the wrangler binary, "port", "inspectorPort": free loopback ports,
//            "probes": ["/path", ...], "origin": the Origin sent, "timeoutMs": number }
// Answer:  { "invalid": [{file, line, message}], "log": text,
//            "probes": {path: {GET: {status, headers: {name: value}}, OPTIONS: {...}}} }

import { spawn } from 'node:child_process';
import fs from 'node:fs';

const request = JSON.parse(fs.readFileSync(0, 'utf8'));
const deadline = Date.now() + request.timeoutMs;

const child = spawn(
  request.wrangler,
  [
    'pages',
    'dev',
    request.dir,
    '--ip',
    '127.0.0.1',
    '--port',
    String(request.port),
    // Its own inspector port too: the default (9229) is shared by every wrangler.
    '--inspector-port',
    String(request.inspectorPort),
    '--compatibility-date=2026-05-01',
    '--persist-to',
    `${request.work}/state`,
    '--log-level',
    'info',
  ],
  {
    cwd: request.work,
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: 'false',
      // No request for the `Request.cf` object to workers.cloudflare.com: loopback only.
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      WRANGLER_LOG_PATH: `${request.work}/logs`,
      NO_COLOR: '1',
      FORCE_COLOR: '0',
      CI: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  },
);
let log = '';
child.stdout.on('data', (d) => (log += d));
child.stderr.on('data', (d) => (log += d));
// wrangler's bin starts the real CLI as a child, which starts workerd and esbuild: stop the
// whole tree (every descendant, found through /proc), not just the first process. (Run by
// tests/platform_oracles.rs, everything is also in one process group its guard kills.)
function descendants(root) {
  const parents = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // gone meanwhile
    }
  }
  const out = [];
  const walk = (pid) => {
    for (const [p, pp] of parents) {
      if (pp === pid) {
        out.push(p);
        walk(p);
      }
    }
  };
  walk(root);
  return out;
}
const stop = () => {
  for (const pid of [child.pid, ...descendants(child.pid)]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
};
process.on('exit', stop);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function get(path, method) {
  const response = await fetch(`http://127.0.0.1:${request.port}${path}`, {
    method,
    redirect: 'manual',
    headers: method === 'OPTIONS'
      ? { origin: request.origin, 'access-control-request-method': 'PUT' }
      : { origin: request.origin },
  });
  await response.arrayBuffer();
  return { status: response.status, headers: Object.fromEntries(response.headers.entries()) };
}

async function main() {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler exited (${child.exitCode}):\n${log}`);
    if (Date.now() > deadline) throw new Error(`wrangler did not answer in time:\n${log}`);
    if (/Ready on/.test(log)) {
      try {
        await get('/', 'GET');
        break;
      } catch {
        // not yet
      }
    }
    await sleep(100);
  }
  const probes = {};
  for (const path of request.probes) {
    probes[path] = { GET: await get(path, 'GET'), OPTIONS: await get(path, 'OPTIONS') };
  }
  // "▶︎ message\n    at public/_headers:6 | line" for each rule wrangler ignores.
  const invalid = [];
  const plain = log.replace(/\u001b\[[0-9;]*m/g, '');
  const lines = plain.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*▶︎?\s*(.*)$/u.exec(lines[i]);
    if (!lines[i].includes('▶')) continue;
    const at = /at (\S*?(_headers|_redirects))(?::(\d+))? \| (.*)$/.exec(lines[i + 1] ?? '');
    invalid.push({
      file: at ? at[2] : null,
      line: at && at[3] ? Number(at[3]) : null,
      text: at ? at[4] : null,
      message: (m ? m[1] : lines[i]).trim(),
    });
  }
  return { invalid, log: plain, probes };
}

main()
  .then((answer) => {
    stop();
    process.stdout.write(JSON.stringify(answer));
    process.exit(0);
  })
  .catch((e) => {
    stop();
    process.stderr.write(String(e.stack ?? e));
    process.exit(1);
  });
