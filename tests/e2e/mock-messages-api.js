#!/usr/bin/env node
// A local stand-in for the Anthropic Messages API, enough for Claude Code to
// do one tool-use round trip: the first turn of the main conversation gets a
// tool_use of the Write tool, the turn that carries its tool_result gets a
// final "done". Any request that offers no Write tool (title, topic and other
// side requests) gets a plain text reply.
//
// No dependencies; runs on node 18 (Debian bookworm) and later.
//
// Usage: node mock-messages-api.js [--port N] [--host H] [--log FILE]
//   --port / MOCK_PORT            port to listen on (default 8080; 0 = any free port)
//   --host / MOCK_HOST            address to bind (default 0.0.0.0)
//   --log  / MOCK_LOG             JSON-lines request log (default ./mock-messages-api.log)
//   MOCK_WRITE_PATH               file the Write tool_use asks for (default /workspace/hello.txt),
//                                 unless the prompt says "write NAME.txt": /workspace/NAME.txt
//   MOCK_WRITE_CONTENT            its content (default "hello from claude\n"; "NAME.txt from claude\n")
//   MOCK_FINAL_TEXT               text of the reply after a tool_result (default "done")
//   MOCK_SIDE_TEXT                text of the reply to side requests (default "Mock reply")
// On listening it prints one line to stdout: "mock-messages-api listening on HOST:PORT".
// GET /healthz answers {"ok":true} (for readiness polls); it is not logged.

'use strict';

const http = require('http');
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const crypto = require('crypto');

function argValue(name) {
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name && i + 1 < args.length) return args[i + 1];
    if (args[i].startsWith(name + '=')) return args[i].slice(name.length + 1);
  }
  return undefined;
}

const env = process.env;
const config = {
  port: Number(argValue('--port') ?? env.MOCK_PORT ?? 8080),
  host: argValue('--host') ?? env.MOCK_HOST ?? '0.0.0.0',
  log: argValue('--log') ?? env.MOCK_LOG ?? path.resolve('mock-messages-api.log'),
  writePath: env.MOCK_WRITE_PATH ?? '/workspace/hello.txt',
  writeContent: env.MOCK_WRITE_CONTENT ?? 'hello from claude\n',
  finalText: env.MOCK_FINAL_TEXT ?? 'done',
  sideText: env.MOCK_SIDE_TEXT ?? 'Mock reply',
};

if (!Number.isInteger(config.port) || config.port < 0 || config.port > 65535) {
  console.error(`mock-messages-api: bad port ${config.port}`);
  process.exit(2);
}

fs.mkdirSync(path.dirname(config.log), { recursive: true });

let seq = 0;
function nextId(prefix) {
  seq += 1;
  return `${prefix}_mock${String(seq).padStart(4, '0')}${crypto.randomBytes(6).toString('hex')}`;
}

// One JSON object per line; written synchronously so the log is complete
// even if the process is killed right after a reply.
function logEntry(entry) {
  fs.appendFileSync(config.log, JSON.stringify({ ts: new Date().toISOString(), ...entry }) + '\n');
}

function truncate(s, n = 500) {
  if (typeof s !== 'string') return s;
  return s.length > n ? s.slice(0, n) + `...[${s.length - n} more chars]` : s;
}

// ---- reading requests ------------------------------------------------------

const MAX_BODY = 64 * 1024 * 1024;

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      let buf = Buffer.concat(chunks);
      const enc = String(req.headers['content-encoding'] || '').toLowerCase();
      try {
        if (enc === 'gzip') buf = zlib.gunzipSync(buf);
        else if (enc === 'deflate') buf = zlib.inflateSync(buf);
        else if (enc === 'br') buf = zlib.brotliDecompressSync(buf);
      } catch (e) {
        reject(e);
        return;
      }
      resolve(buf.toString('utf8'));
    });
    req.on('error', reject);
  });
}

function blocksOf(message) {
  if (!message) return [];
  if (typeof message.content === 'string') return [{ type: 'text', text: message.content }];
  return Array.isArray(message.content) ? message.content : [];
}

function lastUserMessage(body) {
  const msgs = Array.isArray(body.messages) ? body.messages : [];
  for (let i = msgs.length - 1; i >= 0; i--) if (msgs[i] && msgs[i].role === 'user') return msgs[i];
  return null;
}

function toolResultsOf(message) {
  return blocksOf(message)
    .filter((b) => b && b.type === 'tool_result')
    .map((b) => ({
      tool_use_id: b.tool_use_id,
      is_error: b.is_error === true,
      content:
        typeof b.content === 'string'
          ? b.content
          : Array.isArray(b.content)
            ? b.content.map((c) => (c && c.type === 'text' ? c.text : `[${c && c.type}]`)).join('')
            : b.content,
    }));
}

function textOf(message) {
  return blocksOf(message)
    .filter((b) => b && b.type === 'text')
    .map((b) => b.text)
    .join('\n');
}

function systemText(body) {
  if (typeof body.system === 'string') return body.system;
  if (Array.isArray(body.system)) return body.system.map((b) => (b && b.text) || '').join('\n');
  return '';
}

function findWriteTool(body) {
  const tools = Array.isArray(body.tools) ? body.tools : [];
  return tools.find((t) => t && t.name === 'Write') || null;
}

// The file to write: "write NAME.txt" in the prompt names it (so one mock
// serves several turns of a test), else MOCK_WRITE_PATH / MOCK_WRITE_CONTENT.
function target(prompt) {
  const m = /\bwrite ([A-Za-z0-9._-]+\.txt)\b/.exec(prompt || '');
  if (!m) return { path: config.writePath, content: config.writeContent };
  return { path: `/workspace/${m[1]}`, content: `${m[1]} from claude\n` };
}

// The Write tool's input, with field names taken from its schema.
function writeInput(tool, prompt) {
  const props = Object.keys((tool.input_schema && tool.input_schema.properties) || {});
  const pick = (candidates, fallback) =>
    candidates.find((c) => props.includes(c)) ||
    props.find((p) => candidates.some((c) => p.toLowerCase().includes(c))) ||
    fallback;
  const pathField = pick(['file_path', 'path', 'filename', 'file'], 'file_path');
  const contentField = pick(['content', 'contents', 'text', 'data'], 'content');
  const t = target(prompt);
  return { [pathField]: t.path, [contentField]: t.content };
}

// ---- building replies --------------------------------------------------------

function estimateTokens(raw) {
  return Math.max(1, Math.ceil(raw.length / 4));
}

// Decide what the assistant says: a list of content blocks and a stop reason.
function plan(body) {
  const write = findWriteTool(body);
  const lastUser = lastUserMessage(body);
  const results = toolResultsOf(lastUser);
  if (!write) return { kind: 'side-text', blocks: [{ type: 'text', text: config.sideText }], stop: 'end_turn' };
  if (results.length > 0) return { kind: 'final-text', blocks: [{ type: 'text', text: config.finalText }], stop: 'end_turn' };
  return {
    kind: 'tool_use',
    blocks: [{ type: 'tool_use', id: nextId('toolu'), name: write.name, input: writeInput(write, textOf(lastUser)) }],
    stop: 'tool_use',
  };
}

function outputTokens(blocks) {
  return blocks.reduce((n, b) => n + estimateTokens(b.type === 'text' ? b.text : JSON.stringify(b.input)), 0);
}

function usage(inputTokens, outTokens) {
  return {
    input_tokens: inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: outTokens,
  };
}

function sendJson(res, status, obj, extraHeaders = {}) {
  const data = JSON.stringify(obj);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(data),
    'request-id': nextId('req'),
    ...extraHeaders,
  });
  res.end(data);
}

function sendError(res, status, type, message) {
  sendJson(res, status, { type: 'error', error: { type, message } });
}

// Split a string into a few pieces, as the real API streams partial JSON/text.
function pieces(s, n = 3) {
  if (s.length === 0) return [''];
  const size = Math.max(1, Math.ceil(s.length / n));
  const out = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}

function sendStream(res, message) {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'request-id': nextId('req'),
  });
  const event = (type, data) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);

  event('message_start', {
    message: { ...message, content: [], stop_reason: null, stop_sequence: null, usage: { ...message.usage, output_tokens: 1 } },
  });
  event('ping', {});
  message.content.forEach((block, index) => {
    if (block.type === 'tool_use') {
      event('content_block_start', { index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } });
      for (const p of pieces(JSON.stringify(block.input))) {
        event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: p } });
      }
    } else {
      event('content_block_start', { index, content_block: { type: 'text', text: '' } });
      for (const p of pieces(block.text)) event('content_block_delta', { index, delta: { type: 'text_delta', text: p } });
    }
    event('content_block_stop', { index });
  });
  event('message_delta', {
    delta: { stop_reason: message.stop_reason, stop_sequence: null },
    usage: { output_tokens: message.usage.output_tokens },
  });
  event('message_stop', {});
  res.end();
}

// ---- routes ------------------------------------------------------------------

function summarize(body) {
  const lastUser = lastUserMessage(body);
  return {
    model: body.model,
    stream: body.stream === true,
    max_tokens: body.max_tokens,
    n_messages: Array.isArray(body.messages) ? body.messages.length : 0,
    tools: Array.isArray(body.tools) ? body.tools.map((t) => t && (t.name || t.type)) : [],
    write_tool_fields: (() => {
      const w = findWriteTool(body);
      return w ? Object.keys((w.input_schema && w.input_schema.properties) || {}) : null;
    })(),
    system_head: truncate(systemText(body), 200),
    last_user_text: truncate(textOf(lastUser), 300),
    tool_results: toolResultsOf(lastUser).map((r) => ({ ...r, content: truncate(r.content, 2000) })),
  };
}

function headerSummary(req) {
  const h = req.headers;
  return {
    'user-agent': h['user-agent'],
    'anthropic-version': h['anthropic-version'],
    'anthropic-beta': h['anthropic-beta'],
    'x-api-key': h['x-api-key'] ? '(set)' : undefined,
    authorization: h.authorization ? '(set)' : undefined,
    'content-encoding': h['content-encoding'],
  };
}

async function handle(req, res) {
  const url = new URL(req.url, 'http://mock');
  const route = url.pathname.replace(/\/+$/, '') || '/';
  const base = { method: req.method, path: url.pathname, query: url.search || undefined, headers: headerSummary(req) };

  if (req.method === 'GET' && route === '/healthz') {
    sendJson(res, 200, { ok: true });
    return;
  }

  let raw = '';
  let body = null;
  try {
    raw = await readBody(req);
    if (raw.length > 0) body = JSON.parse(raw);
  } catch (e) {
    // Only the Messages routes insist on JSON; elsewhere the body is just logged.
    if (route.startsWith('/v1/messages')) {
      logEntry({ ...base, error: `bad request body: ${e.message}`, body_head: truncate(raw, 300) });
      sendError(res, 400, 'invalid_request_error', `mock: could not parse body: ${e.message}`);
      return;
    }
  }

  if (req.method === 'POST' && route === '/v1/messages') {
    if (!body || !Array.isArray(body.messages)) {
      logEntry({ ...base, error: 'no messages array' });
      sendError(res, 400, 'invalid_request_error', 'mock: messages: field required');
      return;
    }
    const p = plan(body);
    const message = {
      id: nextId('msg'),
      type: 'message',
      role: 'assistant',
      model: body.model || 'claude-mock',
      content: p.blocks,
      stop_reason: p.stop,
      stop_sequence: null,
      usage: usage(estimateTokens(raw), outputTokens(p.blocks)),
    };
    logEntry({ ...base, body: summarize(body), reply: { kind: p.kind, stop_reason: p.stop, content: p.blocks } });
    if (body.stream === true) sendStream(res, message);
    else sendJson(res, 200, message);
    return;
  }

  if (req.method === 'POST' && route === '/v1/messages/count_tokens') {
    const n = estimateTokens(raw);
    logEntry({ ...base, body: body ? summarize(body) : null, reply: { input_tokens: n } });
    sendJson(res, 200, { input_tokens: n });
    return;
  }

  if (req.method === 'GET' && route === '/v1/models') {
    const models = [{ type: 'model', id: 'claude-mock', display_name: 'Claude Mock', created_at: '2025-01-01T00:00:00Z' }];
    logEntry({ ...base, reply: { models: models.length } });
    sendJson(res, 200, { data: models, has_more: false, first_id: models[0].id, last_id: models[0].id });
    return;
  }

  // Anything else: log it and answer small JSON. HEAD/GET probes get 200 {},
  // unknown POSTs a 404 in the API's error shape.
  logEntry({ ...base, unhandled: true, body_head: truncate(raw, 500) });
  if (req.method === 'HEAD' || req.method === 'GET' || req.method === 'OPTIONS') sendJson(res, 200, {});
  else sendError(res, 404, 'not_found_error', `mock: no route for ${req.method} ${url.pathname}`);
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((e) => {
    try {
      logEntry({ method: req.method, path: req.url, error: String((e && e.stack) || e) });
    } catch (_) {
      /* logging must not take the server down */
    }
    if (!res.headersSent) sendError(res, 500, 'api_error', 'mock: internal error');
    else res.end();
  });
});

server.keepAliveTimeout = 5000;

server.listen(config.port, config.host, () => {
  const a = server.address();
  process.stdout.write(`mock-messages-api listening on ${a.address}:${a.port}\n`);
});

// As PID 1 in a container node gets no default SIGTERM handling: stop promptly.
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    server.close();
    server.closeAllConnections?.();
    process.exit(0);
  });
}
