// The gateway console: try a request, watch the live log, read the metrics.
// Plain browser JavaScript, no build step, no framework, nothing fetched from the internet.
// API keys typed here stay in this page (and in localStorage only when "remember" is ticked);
// they go to this gateway with the request they belong to, and never into a snippet.
"use strict";

const $ = (selector) => document.querySelector(selector);
const $$ = (selector) => Array.from(document.querySelectorAll(selector));
const MAX_ROWS = 500;
const KEY_STORE = "gateway-console.key";
const EXAMPLES = {
  fallback: { strategy: { mode: "fallback" }, targets: [
    { provider: "openai", api_key: "sk-..." },
    { provider: "groq", api_key: "gsk_...", override_params: { model: "llama-3.3-70b-versatile" } }] },
  loadbalance: { strategy: { mode: "loadbalance" }, targets: [
    { provider: "openai", api_key: "sk-...", weight: 0.7 },
    { provider: "together-ai", api_key: "...", weight: 0.3,
      override_params: { model: "meta-llama/Llama-3.3-70B-Instruct-Turbo" } }] },
  retry: { provider: "openai", api_key: "sk-...", retry: { attempts: 3, on_status_codes: [429, 500, 503] },
    request_timeout: 20000 },
};
const ANSWER_HEADERS = ["x-portkey-provider", "x-portkey-last-used-option-index", "x-portkey-retry-attempt-count",
  "x-portkey-cache-status", "x-portkey-trace-id", "content-type"];

const state = { session: null, tab: "try", lang: "curl", controller: null, feed: null, paused: false,
  held: [], entries: new Map() };

// --- small helpers ---------------------------------------------------------------------------
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function setPill(node, text, tone = "") {
  node.textContent = text;
  node.className = "pill" + (tone ? " " + tone : "");
}

function ms(value) {
  if (value === null || value === undefined) return "–";
  return value >= 1000 ? (value / 1000).toFixed(2) + " s" : Math.round(value) + " ms";
}

function pretty(text) {
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return text; }
}

function shellQuote(text) { return "'" + text.replace(/'/g, "'\\''") + "'"; }

function maskSecrets(value) {
  // For snippets: every string under a credential-sounding key becomes a placeholder.
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value && typeof value === "object") {
    const out = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] = /key|token|secret|password|credential/i.test(key) && typeof inner === "string"
        ? "YOUR_" + key.toUpperCase() : maskSecrets(inner);
    }
    return out;
  }
  return value;
}

// --- tabs ------------------------------------------------------------------------------------
function selectTab(name) {
  state.tab = name;
  for (const tab of ["try", "logs", "metrics"]) {
    $("#tab-" + tab).setAttribute("aria-selected", String(tab === name));
    $("#panel-" + tab).hidden = tab !== name;
  }
  if (name === "logs") { $("#log-count").hidden = true; $("#log-count").textContent = "0"; }
  history.replaceState(null, "", name === "try" ? "/public/" : "/public/#" + name);
}

// --- session ---------------------------------------------------------------------------------
async function loadSession() {
  const response = await fetch("/public/auth/session", { cache: "no-store" });
  state.session = await response.json();
  renderSession();
}

function renderSession() {
  const s = state.session;
  const pill = $("#session-state");
  if (!s.admin_token_set) setPill(pill, "no admin token", "warn");
  else if (s.authenticated) setPill(pill, "signed in", "ok");
  else setPill(pill, "signed out");
  $("#sign-out").hidden = !s.authenticated;
  $("#logs-off").hidden = s.admin_token_set;
  const unavailable = s.admin_token_set && !s.live_log;
  $("#logs-unavailable").hidden = !unavailable;
  if (unavailable) {
    $("#logs-unavailable-why").textContent = `This gateway runs on ${s.runtime}, where each request may be served ` +
      "by another isolate, so there is no single place to collect a live log. Export traces with " +
      "OTEL_EXPORTER_OTLP_ENDPOINT, or run the gateway under local_dev.";
  }
  $("#sign-in").hidden = !(s.admin_token_set && s.live_log && !s.authenticated);
  $("#logs").hidden = !(s.live_log && s.authenticated);
  if (s.live_log && s.authenticated) connectFeed(); else disconnectFeed();
  $("#metrics-state").textContent = s.metrics
    ? (s.authenticated ? "" : "Sign in (Live logs tab) to view them here.")
    : "Metrics are off: set METRICS_TOKEN or ADMIN_TOKEN when starting the gateway.";
  $("#metrics-fetch").disabled = !(s.metrics && s.authenticated);
  const providers = $("#providers");
  if (!providers.children.length) for (const slug of s.providers) providers.append(el("option", { value: slug }));
  const select = $("#server-config");
  select.replaceChildren(...s.configs.map((name) => el("option", { value: name, text: name })));
  $("#server-config-note").textContent = s.configs.length
    ? "Configs the operator put on the server; the key field takes your gateway token."
    : "This gateway holds no server-side configs (GATEWAY_CONFIG_FILE / GATEWAY_CONFIGS).";
}

async function signIn(event) {
  event.preventDefault();
  const error = $("#sign-in-error");
  error.hidden = true;
  const response = await fetch("/public/auth", { method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ admin_token: $("#admin-token").value }) });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    error.textContent = body.message || `Sign-in failed (${response.status})`;
    error.hidden = false;
    return;
  }
  $("#admin-token").value = "";
  await loadSession();
}

async function signOut() {
  await fetch("/public/auth/logout", { method: "POST" });
  state.entries.clear();
  $("#log-table tbody").replaceChildren();
  await loadSession();
}

// --- live log --------------------------------------------------------------------------------
function connectFeed() {
  if (state.feed) return;
  const feed = new EventSource("/log/stream");
  state.feed = feed;
  setPill($("#feed-state"), "connecting…");
  feed.addEventListener("connected", () => setPill($("#feed-state"), "live", "ok"));
  feed.addEventListener("log", (event) => receive(JSON.parse(event.data)));
  feed.onerror = () => {
    if (feed.readyState === EventSource.CLOSED) {  // refused (signed out, token changed): ask again
      setPill($("#feed-state"), "disconnected", "bad");
      state.feed = null;
      setTimeout(loadSession, 3000);
    } else {
      setPill($("#feed-state"), "reconnecting…", "warn");
    }
  };
}

function disconnectFeed() {
  if (state.feed) state.feed.close();
  state.feed = null;
}

function receive(entry) {
  if (state.entries.has(entry.id)) return;
  state.entries.set(entry.id, entry);
  if (state.entries.size > MAX_ROWS) state.entries.delete(state.entries.keys().next().value);
  if (state.paused) { state.held.push(entry); return; }
  addRow(entry, true);
  if (state.tab !== "logs") {
    const badge = $("#log-count");
    badge.textContent = String(Number(badge.textContent) + 1);
    badge.hidden = false;
  }
}

function addRow(entry, fresh) {
  const tokens = entry.tokens && (entry.tokens.input !== null || entry.tokens.output !== null)
    ? `${entry.tokens.input ?? "–"} / ${entry.tokens.output ?? "–"}` : "–";
  const time = new Date(entry.time * 1000).toLocaleTimeString([], { hour12: false });
  const status = entry.aborted ? `${entry.status} (client left)` : String(entry.status);
  const row = el("tr", { "data-id": String(entry.id), class: fresh ? "fresh" : "" },
    el("td", { text: time }), el("td", { text: entry.method }), el("td", { text: entry.route, title: entry.path }),
    el("td", { class: "status-" + String(entry.status)[0], text: status }),
    el("td", { class: "num", text: ms(entry.duration_ms) }), el("td", { class: "num", text: ms(entry.ttfb_ms) }),
    el("td", { text: entry.provider || "–" }), el("td", { text: entry.target || "–" }),
    el("td", { class: "num", text: String(entry.retries) }), el("td", { text: entry.cache || "–" }),
    el("td", { class: "num", text: tokens }));
  row.addEventListener("click", () => showDetail(entry.id));
  const body = $("#log-table tbody");
  body.prepend(row);
  while (body.children.length > MAX_ROWS) body.lastElementChild.remove();
  applyFilter(row);
  $("#log-empty").hidden = true;
}

function applyFilter(row) {
  const needle = $("#log-filter").value.trim().toLowerCase();
  const rows = row ? [row] : Array.from($("#log-table tbody").children);
  for (const r of rows) r.hidden = needle !== "" && !r.textContent.toLowerCase().includes(needle);
}

function kvTable(pairs) {
  return el("table", { class: "kv" }, el("tbody", {}, ...pairs.map(([k, v]) =>
    el("tr", {}, el("td", { text: k }), el("td", { text: v === null || v === undefined ? "–" : String(v) })))));
}

async function showDetail(id) {
  // The feed carries the table; headers and bodies (redacted by the gateway) are fetched on demand.
  const response = await fetch(`/log/entries/${id}`, { cache: "no-store" });
  const entry = response.ok ? await response.json() : null;
  if (!entry) {
    $("#detail-title").textContent = `Request #${id}`;
    $("#detail-body").replaceChildren(el("p", { class: "muted",
      text: (await response.json().catch(() => ({}))).message || `Not available (${response.status})` }));
    $("#detail").showModal();
    return;
  }
  $("#detail-title").textContent = `${entry.method} ${entry.path} → ${entry.status}`;
  const sections = [
    el("h3", { text: "Summary" }),
    kvTable([["time", new Date(entry.time * 1000).toISOString()], ["provider", entry.provider],
      ["model", entry.model], ["target", entry.target], ["retries", entry.retries], ["cache", entry.cache],
      ["stream", entry.stream], ["client left early", entry.aborted], ["duration", ms(entry.duration_ms)],
      ["first byte", ms(entry.ttfb_ms)], ["tokens in", entry.tokens.input], ["tokens out", entry.tokens.output],
      ["trace id", entry.trace_id]]),
  ];
  if (entry.attempts.length) {
    sections.push(el("h3", { text: "Upstream attempts" }), kvTable(entry.attempts.map((a, i) =>
      [`#${i + 1} ${a.target}`, `${a.provider} ${a.model || ""} → ${a.status ?? a.error} in ${ms(a.duration_ms)} ` +
        `(${a.url})`])));
  }
  if (entry.guardrails.length) {
    sections.push(el("h3", { text: "Guardrails" }), kvTable(entry.guardrails.map((g) => [g.check, g.verdict])));
  }
  for (const side of ["request", "response"]) {
    const part = entry[side];
    if (!part) continue;
    sections.push(el("h3", { text: side === "request" ? "Request headers" : "Response headers" }),
      kvTable(Object.entries(part.headers)));
    sections.push(el("h3", { text: (side === "request" ? "Request body" : "Response body") +
      (part.truncated ? " (truncated)" : "") }), el("pre", { class: "code", text: pretty(part.body) || "(empty)" }));
  }
  $("#detail-body").replaceChildren(...sections);
  $("#detail").showModal();
}

function togglePause() {
  state.paused = !state.paused;
  $("#pause").textContent = state.paused ? "Resume" : "Pause";
  if (!state.paused) { for (const entry of state.held) addRow(entry, true); state.held = []; }
}

// --- try it ----------------------------------------------------------------------------------
function mode() { return document.querySelector("input[name=mode]:checked").value; }

function renderMode() {
  const current = mode();
  for (const block of $$("[data-mode]")) block.hidden = block.dataset.mode !== current;
  $("#key-label").textContent = current === "server" ? "Gateway token" : current === "config"
    ? "API key for targets without one" : "API key";
  renderSnippet();
}

function keyVariable() {
  if (mode() === "server") return "GATEWAY_TOKEN";
  if (mode() === "config") return "PROVIDER_API_KEY";
  return ($("#provider").value.trim() || "provider").toUpperCase().replace(/[^A-Z0-9]+/g, "_") + "_API_KEY";
}

function requestSpec() {
  // What "Send" sends: the headers (the key kept apart), and the JSON body.
  const headers = { "content-type": "application/json" };
  const current = mode();
  if (current === "provider") {
    headers["x-portkey-provider"] = $("#provider").value.trim();
    const host = $("#custom-host").value.trim();
    if (host) headers["x-portkey-custom-host"] = host;
  } else if (current === "config") {
    const text = $("#config").value.trim();
    let parsed;
    try { parsed = JSON.parse(text); } catch { throw new Error("The routing config is not valid JSON"); }
    headers["x-portkey-config"] = JSON.stringify(parsed);
  } else {
    if (!$("#server-config").value) throw new Error("This gateway holds no server-side configs");
    headers["x-portkey-config"] = $("#server-config").value;
  }
  const body = { model: $("#model").value.trim(), messages: [{ role: "user", content: $("#prompt").value }] };
  const maxTokens = parseInt($("#max-tokens").value, 10);
  if (maxTokens > 0) body.max_tokens = maxTokens;
  if ($("#stream").checked) { body.stream = true; body.stream_options = { include_usage: true }; }
  return { headers, body, key: $("#api-key").value.trim() };
}

function renderSnippet() {
  let spec;
  try { spec = requestSpec(); } catch (error) { $("#snippet").textContent = "// " + error.message; return; }
  const base = location.origin;
  const extra = { ...spec.headers };
  delete extra["content-type"];
  if (extra["x-portkey-config"] && extra["x-portkey-config"].startsWith("{")) {
    extra["x-portkey-config"] = JSON.stringify(maskSecrets(JSON.parse(extra["x-portkey-config"])));
  }
  const variable = keyVariable();
  const stream = !!spec.body.stream;
  const bodyJson = JSON.stringify(spec.body, null, 2);
  let text;
  if (state.lang === "curl") {
    const lines = [`curl ${stream ? "-N " : ""}${base}/v1/chat/completions`, `  -H 'content-type: application/json'`,
      `  -H "authorization: Bearer $${variable}"`,
      ...Object.entries(extra).map(([k, v]) => `  -H ${shellQuote(`${k}: ${v}`)}`), `  -d ${shellQuote(bodyJson)}`];
    text = lines.join(" \\\n");
  } else if (state.lang === "python") {
    const args = Object.entries(spec.body).filter(([k]) => k !== "messages" && k !== "model")
      .map(([k, v]) => `    ${k}=${JSON.stringify(v).replace(/\btrue\b/g, "True")},`);
    text = [`import os`, ``, `from openai import OpenAI`, ``, `client = OpenAI(`, `    base_url="${base}/v1",`,
      `    api_key=os.environ["${variable}"],`, `    default_headers=${JSON.stringify(extra)},`, `)`,
      `${stream ? "stream" : "answer"} = client.chat.completions.create(`, `    model=${JSON.stringify(spec.body.model)},`,
      `    messages=${JSON.stringify(spec.body.messages)},`, ...args, `)`,
      ...(stream ? [`for chunk in stream:`, `    if chunk.choices:`,
        `        print(chunk.choices[0].delta.content or "", end="", flush=True)`]
        : [`print(answer.choices[0].message.content)`])].join("\n");
  } else {
    text = [`import OpenAI from "openai";`, ``, `const client = new OpenAI({`, `  baseURL: "${base}/v1",`,
      `  apiKey: process.env.${variable},`, `  defaultHeaders: ${JSON.stringify(extra)},`, `});`,
      `const ${stream ? "stream" : "answer"} = await client.chat.completions.create(${JSON.stringify(spec.body)});`,
      ...(stream ? [`for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta?.content ?? "");`]
        : [`console.log(answer.choices[0].message.content);`])].join("\n");
  }
  $("#snippet").textContent = text;
}

async function copySnippet() {
  const text = $("#snippet").textContent;
  try { await navigator.clipboard.writeText(text); }
  catch {
    const range = document.createRange();
    range.selectNodeContents($("#snippet"));
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    document.execCommand("copy");
  }
  $("#copy").textContent = "Copied";
  setTimeout(() => { $("#copy").textContent = "Copy"; }, 1500);
}

function resetAnswer() {
  const answer = $("#answer");
  answer.textContent = "";
  answer.classList.remove("error");
  for (const id of ["t-status", "t-ttfb", "t-first-token", "t-total", "t-tokens"]) $("#" + id).textContent = "–";
  $("#answer-headers tbody").replaceChildren();
}

function showError(message) {
  const answer = $("#answer");
  answer.classList.add("error");
  answer.textContent = message;
}

function errorText(status, text) {
  try {
    const body = JSON.parse(text);
    const message = body.error?.message || body.message || body.error?.type;
    if (message) return `${status}: ${message}`;
  } catch { /* not JSON */ }
  return `${status}: ${text.slice(0, 2000)}`;
}

async function send(event) {
  event.preventDefault();
  let spec;
  try { spec = requestSpec(); } catch (error) { resetAnswer(); showError(error.message); return; }
  if ($("#remember-key").checked) localStorage.setItem(KEY_STORE, spec.key); else localStorage.removeItem(KEY_STORE);
  resetAnswer();
  const headers = { ...spec.headers };
  if (spec.key) headers.authorization = "Bearer " + spec.key;
  const controller = new AbortController();
  state.controller = controller;
  $("#send").disabled = true;
  $("#stop").disabled = false;
  setPill($("#answer-status"), "waiting…", "warn");
  const started = performance.now();
  const timing = { firstByte: null, firstToken: null };
  try {
    const response = await fetch("/v1/chat/completions", { method: "POST", headers, body: JSON.stringify(spec.body),
      signal: controller.signal });
    $("#t-status").textContent = String(response.status);
    $("#answer-headers tbody").replaceChildren(...ANSWER_HEADERS.filter((h) => response.headers.has(h))
      .map((h) => el("tr", {}, el("td", { text: h }), el("td", { text: response.headers.get(h) }))));
    const streamed = (response.headers.get("content-type") || "").includes("text/event-stream");
    if (streamed && response.ok) {
      setPill($("#answer-status"), "streaming…", "warn");
      await readStream(response, started, timing);
    } else {
      const text = await response.text();
      timing.firstByte = performance.now() - started;
      if (!response.ok) showError(errorText(response.status, text));
      else showAnswer(JSON.parse(text), started, timing);
    }
    setPill($("#answer-status"), response.ok ? "done" : "error " + response.status, response.ok ? "ok" : "bad");
  } catch (error) {
    if (error.name === "AbortError") setPill($("#answer-status"), "stopped", "warn");
    else { showError(String(error.message || error)); setPill($("#answer-status"), "failed", "bad"); }
  } finally {
    $("#t-total").textContent = ms(performance.now() - started);
    $("#t-ttfb").textContent = ms(timing.firstByte);
    $("#t-first-token").textContent = ms(timing.firstToken);
    $("#send").disabled = false;
    $("#stop").disabled = true;
    state.controller = null;
  }
}

function showAnswer(body, started, timing) {
  const message = body.choices?.[0]?.message;
  timing.firstToken = timing.firstByte;
  $("#answer").textContent = message?.content ?? JSON.stringify(body, null, 2);
  showUsage(body.usage);
}

function showUsage(usage) {
  if (!usage) return;
  $("#t-tokens").textContent = `${usage.prompt_tokens ?? usage.input_tokens ?? "–"} / ` +
    `${usage.completion_tokens ?? usage.output_tokens ?? "–"}`;
}

async function readStream(response, started, timing) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const answer = $("#answer");
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    if (timing.firstByte === null) timing.firstByte = performance.now() - started;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut).replace(/^\r?\n\r?\n/, "");
      const data = block.split(/\r?\n/).filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).trimStart()).join("\n");
      if (!data || data === "[DONE]") continue;
      let event;
      try { event = JSON.parse(data); } catch { continue; }
      if (event.error) { showError(errorText("stream error", JSON.stringify(event))); continue; }
      const delta = event.choices?.[0]?.delta?.content;
      if (delta) {
        if (timing.firstToken === null) timing.firstToken = performance.now() - started;
        answer.textContent += delta;
        $("#t-first-token").textContent = ms(timing.firstToken);
      }
      showUsage(event.usage);
    }
  }
}

// --- metrics ---------------------------------------------------------------------------------
async function fetchMetrics() {
  const out = $("#metrics-text");
  const response = await fetch("/metrics", { cache: "no-store" });
  out.textContent = response.ok ? await response.text() : errorText(response.status, await response.text());
  out.hidden = false;
}

// --- start -----------------------------------------------------------------------------------
function bind() {
  for (const tab of ["try", "logs", "metrics"]) $("#tab-" + tab).addEventListener("click", () => selectTab(tab));
  for (const radio of $$("input[name=mode]")) radio.addEventListener("change", renderMode);
  $("#try-form").addEventListener("submit", send);
  $("#try-form").addEventListener("input", renderSnippet);
  $("#stop").addEventListener("click", () => state.controller && state.controller.abort());
  for (const button of $$("[data-example]")) {
    button.addEventListener("click", () => {
      $("#config").value = JSON.stringify(EXAMPLES[button.dataset.example], null, 2);
      renderSnippet();
    });
  }
  for (const button of $$("#snippet-tabs button")) {
    button.addEventListener("click", () => {
      state.lang = button.dataset.lang;
      for (const other of $$("#snippet-tabs button")) other.setAttribute("aria-selected", String(other === button));
      renderSnippet();
    });
  }
  $("#copy").addEventListener("click", copySnippet);
  $("#sign-in").addEventListener("submit", signIn);
  $("#sign-out").addEventListener("click", signOut);
  $("#pause").addEventListener("click", togglePause);
  $("#clear").addEventListener("click", () => { $("#log-table tbody").replaceChildren(); $("#log-empty").hidden = false; });
  $("#log-filter").addEventListener("input", () => applyFilter());
  $("#metrics-fetch").addEventListener("click", fetchMetrics);
}

async function start() {
  bind();
  const saved = localStorage.getItem(KEY_STORE);
  if (saved) { $("#api-key").value = saved; $("#remember-key").checked = true; }
  $("#config").value = JSON.stringify(EXAMPLES.fallback, null, 2);
  $("#scrape-config").textContent = ["scrape_configs:", "  - job_name: ai-gateway", "    metrics_path: /metrics",
    "    authorization:", "      credentials: <METRICS_TOKEN>", "    static_configs:",
    `      - targets: ["${location.host}"]`].join("\n");
  selectTab(location.hash === "#logs" || location.pathname.endsWith("/logs") ? "logs"
    : location.hash === "#metrics" ? "metrics" : "try");
  renderMode();
  try { await loadSession(); } catch (error) { setPill($("#session-state"), "gateway unreachable", "bad"); }
  document.body.dataset.ready = "true";
}

start();
