// ocpikit web console: the operator API (/api) through fetch, with the admin token of this tab.
// Every value from the API is inserted as text (h() builds DOM nodes; no HTML strings).
"use strict";

const TOKEN_KEY = "ocpikit.adminToken";
const $ = (id) => document.getElementById(id);
const enc = encodeURIComponent;

// ---- DOM helpers ---------------------------------------------------------------------------

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "className") el.className = value;
    else el.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function show(target, ...nodes) {
  const el = typeof target === "string" ? $(target) : target;
  el.replaceChildren(...nodes);
}

function badge(value) {
  return h("span", { className: "badge " + String(value).replace(/[^A-Z_]/g, "") }, value);
}

function text(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function table(headers, rows) {
  if (!rows.length) return h("p", {}, "Nothing yet.");
  return h(
    "table",
    {},
    h("thead", {}, h("tr", {}, headers.map((name) => h("th", {}, name)))),
    h(
      "tbody",
      {},
      rows.map((cells) => h("tr", {}, cells.map((c) => h("td", {}, c instanceof Node ? c : text(c))))),
    ),
  );
}

function say(message, isError) {
  const el = $("message");
  el.textContent = message;
  el.className = isError ? "error" : "";
  el.hidden = !message;
}

// ---- the operator API --------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, detail) {
    super(typeof detail === "string" ? detail : JSON.stringify(detail));
    this.status = status;
  }
}

async function api(method, path, body, query) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const params = query ? new URLSearchParams(
    Object.entries(query).filter(([, v]) => v !== "" && v !== null && v !== undefined),
  ) : null;
  const url = params && params.toString() ? path + "?" + params.toString() : path;
  const options = { method, headers: { Authorization: "Bearer " + token } };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(url, options);
  const data = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
  if (response.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    start();
  }
  if (!response.ok) throw new ApiError(response.status, data ? data.detail : response.statusText);
  return data;
}

async function attempt(action) {
  try {
    await action();
  } catch (error) {
    say(error.message, true);
  }
}

// ---- panels --------------------------------------------------------------------------------

async function loadNode() {
  const node = await api("GET", "/api/node");
  const parties = await api("GET", "/api/parties");
  show(
    "node-info",
    table(["Base URL", "Versions URL", "Outbox"], [[
      node.base_url,
      node.versions_url,
      h("span", {}, Object.entries(node.outbox).map(([k, v]) => badge(k + " " + v))),
    ]]),
    table(
      ["Country", "Party", "Role", "Name"],
      parties.map((p) => [p.country_code, p.party_id, p.role, p.name]),
    ),
  );
}

async function issueToken(event) {
  event.preventDefault();
  const issued = await api("POST", "/api/tokens/registration", { label: $("token-label").value || null });
  show(
    "token-issued",
    h("p", {}, "Give the peer our versions URL ", h("code", {}, issued.versions_url), " and this token:"),
    h("code", { className: "token" }, issued.token),
  );
}

async function loadPeers() {
  const peers = await api("GET", "/api/peers");
  show(
    "peers-table",
    table(
      ["Id", "Name", "Status", "Version", "Roles", "Modules", ""],
      peers.map((p) => [
        p.id,
        p.name,
        badge(p.status),
        p.version,
        p.roles.map((r) => r.role + " " + r.country_code + ":" + r.party_id).join(", "),
        [...new Set(p.endpoints.map((e) => e.identifier))].filter((m) => m !== "credentials").join(", "),
        h(
          "span",
          {},
          h("button", { type: "button", className: "secondary", onclick: () => attempt(() => syncPeer(p)) }, "Sync"),
          " ",
          h("button", { type: "button", className: "secondary", onclick: () => attempt(() => updatePeer(p)) }, "Update"),
          " ",
          h("button", { type: "button", className: "secondary", onclick: () => attempt(() => unregisterPeer(p)) }, "Unregister"),
        ),
      ]),
    ),
  );
}

async function syncPeer(peer) {
  say("Pulling from " + peer.name + "…");
  const result = await api("POST", `/api/peers/${enc(peer.id)}/sync`, {});
  const lines = result.reports.map((r) => `${r.module}: ${r.new} new, ${r.updated} updated, ${r.unchanged} unchanged`);
  const errors = result.errors.map((e) => `${e.module}: ${e.detail}`);
  say([...lines, ...errors].join("; ") || "Nothing to pull.", errors.length > 0);
}

async function updatePeer(peer) {
  await api("POST", `/api/peers/${enc(peer.id)}/update`);
  say("Updated " + peer.name + ": endpoints refreshed, tokens rotated.");
  await loadPeers();
}

async function unregisterPeer(peer) {
  if (!window.confirm("Unregister " + peer.name + "? Its token stops working at once.")) return;
  const result = await api("DELETE", `/api/peers/${enc(peer.id)}`);
  say(result.warning || "Unregistered " + peer.name + ".", Boolean(result.warning));
  await loadPeers();
}

async function registerPeer(event) {
  event.preventDefault();
  say("Registering…");
  const peer = await api("POST", "/api/peers", {
    versions_url: $("register-url").value,
    token: $("register-token").value,
  });
  $("register-form").reset();
  say("Registered with " + peer.name + " (OCPI " + peer.version + ").");
  await loadPeers();
}

const EVSE_STATUSES = ["AVAILABLE", "BLOCKED", "CHARGING", "INOPERATIVE", "OUTOFORDER", "PLANNED", "REMOVED", "RESERVED", "UNKNOWN"];

function evseCell(item, evse) {
  if (item.source !== "local") return badge(evse.status);
  const select = h("select", {}, EVSE_STATUSES.map((s) => h("option", s === evse.status ? { selected: "" } : {}, s)));
  select.addEventListener("change", () => attempt(async () => {
    const d = item.data;
    await api("PATCH", `/api/locations/${enc(d.country_code)}/${enc(d.party_id)}/${enc(d.id)}/evses/${enc(evse.uid)}`, { status: select.value });
    say("EVSE " + evse.uid + " is " + select.value + ".");
  }));
  return select;
}

async function listAll(module, query) {
  const page = await api("GET", `/api/objects/${enc(module)}`, undefined, { limit: 200, ...query });
  return page.items;
}

async function loadLocations() {
  const items = await listAll("locations", { source: $("locations-source").value });
  show(
    "locations-table",
    table(
      ["Party", "Id", "Name", "City", "EVSEs", "Updated"],
      items.map((item) => [
        item.country_code + ":" + item.party_id,
        item.data.id,
        item.data.name,
        item.data.city,
        h("div", {}, (item.data.evses || []).map((e) => h("div", {}, e.uid + " ", evseCell(item, e)))),
        item.last_updated,
      ]),
    ),
  );
}

async function loadSessions() {
  const items = await listAll("sessions", {});
  show(
    "sessions-table",
    table(
      ["Source", "Party", "Id", "Status", "kWh", "Start", "Token", "EVSE"],
      items.map((item) => [
        item.source,
        item.country_code + ":" + item.party_id,
        item.data.id,
        badge(item.data.status),
        item.data.kwh,
        item.data.start_date_time,
        item.data.cdr_token ? item.data.cdr_token.uid : "",
        item.data.location_id + " / " + item.data.evse_uid,
      ]),
    ),
  );
}

async function loadCdrs() {
  const items = await listAll("cdrs", {});
  show(
    "cdrs-table",
    table(
      ["Source", "Party", "Id", "Session", "Energy", "Cost excl. VAT", "Cost incl. VAT", "Currency"],
      items.map((item) => [
        item.source,
        item.country_code + ":" + item.party_id,
        item.data.id,
        item.data.session_id,
        item.data.total_energy,
        item.data.total_cost ? item.data.total_cost.excl_vat : "",
        item.data.total_cost ? item.data.total_cost.incl_vat : "",
        item.data.currency,
      ]),
    ),
  );
  try {
    const disputes = await api("GET", "/api/cdrs/disputes");
    const rows = disputes.items || [];
    const keys = rows.length ? Object.keys(rows[0]) : [];
    show("disputes-table", table(keys, rows.map((row) => keys.map((k) => row[k]))));
    $("disputes").hidden = false;
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
    $("disputes").hidden = true; // this node has no price disputes endpoint
  }
}

const COMMAND_TEMPLATES = {
  START_SESSION: { token: { country_code: "", party_id: "", uid: "", type: "RFID", contract_id: "", issuer: "", valid: true, whitelist: "ALLOWED", last_updated: "" }, location_id: "", evse_uid: "" },
  STOP_SESSION: { session_id: "" },
  RESERVE_NOW: { token: {}, expiry_date: "", reservation_id: "", location_id: "", evse_uid: "" },
  CANCEL_RESERVATION: { reservation_id: "" },
  UNLOCK_CONNECTOR: { location_id: "", evse_uid: "", connector_id: "" },
};

function fillCommandTemplate() {
  $("command-body").value = JSON.stringify(COMMAND_TEMPLATES[$("command-type").value], null, 2);
}

async function loadCommands() {
  const peers = await api("GET", "/api/peers");
  const select = $("command-peer");
  const chosen = select.value;
  show(select, peers.filter((p) => p.roles.some((r) => r.role === "CPO")).map((p) => h("option", { value: String(p.id) }, p.name)));
  if (chosen) select.value = chosen;
  if (!$("command-body").value) fillCommandTemplate();
  const commands = await api("GET", "/api/commands", undefined, { limit: 50 });
  show(
    "commands-table",
    table(
      ["Uid", "Direction", "Command", "Peer", "Status", "Response", "Result", "Created", ""],
      commands.map((c) => [
        c.uid,
        c.direction,
        c.command,
        c.peer_id,
        badge(c.status),
        c.response ? c.response.result : "",
        c.result ? badge(c.result.result) : c.last_error || "",
        c.created_at,
        h("button", { type: "button", className: "secondary", onclick: () => attempt(() => showCommand(c.uid)) }, "Details"),
      ]),
    ),
  );
}

async function showCommand(uid) {
  const record = await api("GET", `/api/commands/${enc(uid)}`);
  show("command-sent", h("pre", {}, JSON.stringify(record, null, 2)));
}

async function sendCommand(event) {
  event.preventDefault();
  let body;
  try {
    body = JSON.parse($("command-body").value);
  } catch (error) {
    say("The body is not valid JSON: " + error.message, true);
    return;
  }
  const sent = await api("POST", "/api/commands", { peer: $("command-peer").value, type: $("command-type").value, body });
  show("command-sent", h("p", {}, "Sent ", sent.uid, ": the CPO answered ", badge(sent.response.result), " (", sent.status, ")"));
  await loadCommands();
}

async function loadOutbox() {
  const result = await api("GET", "/api/outbox", undefined, { status: $("outbox-status").value, limit: 200 });
  show("outbox-counts", h("p", {}, Object.entries(result.counts).map(([k, v]) => badge(k + " " + v))));
  const dead = result.messages.filter((m) => m.status === "DEAD").map((m) => m.id);
  show(
    "outbox-table",
    dead.length
      ? h("button", { type: "button", onclick: () => attempt(() => replay(dead)) }, "Replay the " + dead.length + " DEAD shown")
      : "",
    table(
      ["Id", "Peer", "Object", "Method", "Status", "Attempts", "Last error", "Created", ""],
      result.messages.map((m) => [
        m.id,
        m.peer_id,
        m.object,
        m.method + " " + m.path,
        badge(m.status),
        m.attempts,
        m.last_error,
        m.created_at,
        m.status === "DEAD"
          ? h("button", { type: "button", className: "secondary", onclick: () => attempt(() => replay([m.id])) }, "Replay")
          : "",
      ]),
    ),
  );
}

async function replay(ids) {
  const result = await api("POST", "/api/outbox/replay", { ids });
  say(result.replayed + " message(s) queued again.");
  await loadOutbox();
}

let eventsShown = [];
let lastEvent = 0;
let following = false;

function renderEvents() {
  show(
    "events-table",
    table(
      ["Id", "Kind", "Object", "Peer", "Data", "Created"],
      eventsShown.map((e) => [
        e.id,
        e.kind,
        [e.country_code, e.party_id, e.object_id].filter(Boolean).join("/"),
        e.peer_id,
        h("pre", {}, JSON.stringify(e.data)),
        e.created_at,
      ]),
    ),
  );
}

async function loadEvents() {
  let page = await api("GET", "/api/events", undefined, { after: lastEvent, limit: 500 });
  while (page.events.length) {
    eventsShown = [...page.events.reverse(), ...eventsShown].slice(0, 500);
    lastEvent = page.last_id;
    page = await api("GET", "/api/events", undefined, { after: lastEvent, limit: 500 });
  }
  renderEvents();
}

async function followEvents() {
  if (following) return;
  following = true;
  while ($("events-follow").checked && sessionStorage.getItem(TOKEN_KEY)) {
    try {
      const page = await api("GET", "/api/events", undefined, { after: lastEvent, wait: 25 });
      if (page.events.length) {
        eventsShown = [...page.events.reverse(), ...eventsShown].slice(0, 500);
        lastEvent = page.last_id;
        renderEvents();
      }
    } catch (error) {
      say(error.message, true);
      await new Promise((resolve) => setTimeout(resolve, 5000));
    }
  }
  following = false;
}

// ---- navigation ----------------------------------------------------------------------------

const LOADERS = {
  node: loadNode,
  peers: loadPeers,
  locations: loadLocations,
  sessions: loadSessions,
  cdrs: loadCdrs,
  commands: loadCommands,
  outbox: loadOutbox,
  events: loadEvents,
};

function openTab(tab) {
  for (const panel of document.querySelectorAll("[data-panel]")) panel.hidden = panel.id !== tab;
  for (const button of document.querySelectorAll("#tabs button")) {
    button.classList.toggle("active", button.dataset.tab === tab);
  }
  say("");
  location.hash = tab;
  attempt(LOADERS[tab]);
}

function start() {
  const signedIn = Boolean(sessionStorage.getItem(TOKEN_KEY));
  $("login").hidden = signedIn;
  $("tabs").hidden = !signedIn;
  $("logout").hidden = !signedIn;
  if (!signedIn) {
    for (const panel of document.querySelectorAll("[data-panel]")) panel.hidden = true;
    return;
  }
  const wanted = location.hash.slice(1);
  openTab(wanted in LOADERS ? wanted : "node");
}

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $("login-token").value);
    $("login-form").reset();
    start();
  });
  $("logout").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    say("");
    start();
  });
  for (const button of document.querySelectorAll("#tabs button")) {
    button.addEventListener("click", () => openTab(button.dataset.tab));
  }
  $("token-form").addEventListener("submit", (e) => attempt(() => issueToken(e)));
  $("register-form").addEventListener("submit", (e) => attempt(() => registerPeer(e)));
  $("command-form").addEventListener("submit", (e) => attempt(() => sendCommand(e)));
  $("command-type").addEventListener("change", fillCommandTemplate);
  $("locations-source").addEventListener("change", () => attempt(loadLocations));
  $("outbox-status").addEventListener("change", () => attempt(loadOutbox));
  $("events-follow").addEventListener("change", () => followEvents());
  start();
});
