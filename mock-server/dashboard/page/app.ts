/**
 * The dashboard at `<admin>/`: the journal live (token requests and handshakes with their
 * decisions, connections with their turns, closes, notices and violations), and the control
 * plane's clock, fault rules, resources and reset. Plain DOM; bundled by scripts/build.mjs into
 * dist/dashboard/ and served by the mock (serve.ts).
 */
import "./app.css";
import {
  audioSummary,
  closeSummary,
  duration,
  type Entry,
  type Filter,
  isoOf,
  outcomeOf,
  relativeTime,
  requestSummary,
  requestTypes,
  streamQuery,
  turnText,
} from "../format.ts";
import { readStream } from "../sse.ts";
import { faultTemplates } from "../templates.ts";
import { adminBase, api, authHeaders, NeedsToken, storedToken, storeToken } from "./api.ts";
import { byId, h } from "./dom.ts";

/** Requests kept on the page; the journal keeps the rest. */
const maxRequests = 500;
const maxConnections = 200;

interface Turn {
  requestId: string;
  start?: Entry;
  end?: Entry;
}

interface Connection {
  id: string;
  handshake?: Entry;
  turns: Map<string, Turn>;
  /** Notices, violations and faults of this connection, in order. */
  events: Entry[];
  messages: number;
  close?: Entry;
  firstAt: number;
}

interface ClockState {
  now: number;
  iso: string;
  mode: string;
  offsetMs: number;
  /** `performance.now()` when it was read, to tell the mock's time since. */
  readAt: number;
}

const state = {
  requests: [] as Entry[],
  connections: new Map<string, Connection>(),
  lastSeq: 0,
  filter: {} as Filter,
  clock: undefined as ClockState | undefined,
  stream: undefined as AbortController | undefined,
  renderQueued: false,
};

/** The mock's clock now, as last read and run on since (standing still when frozen). */
const mockNow = (): number => {
  const clock = state.clock;
  if (clock === undefined) return Date.now();
  return clock.mode === "frozen" ? clock.now : clock.now + (performance.now() - clock.readAt);
};

/** A time cell: ISO, and how long ago on the mock's clock (updated every second). */
const timeCell = (entry: Entry) =>
  h(
    "span",
    { class: "time", "data-at": entry.at, title: `at ${entry.at} (ms since the epoch, mock clock)` },
    h("span", { class: "iso" }, isoOf(entry)),
    " ",
    h("span", { class: "relative" }, relativeTime(mockNow() - entry.at)),
  );

function refreshRelativeTimes(): void {
  const now = mockNow();
  for (const el of document.querySelectorAll<HTMLElement>(".time[data-at]")) {
    const relative = el.querySelector(".relative");
    if (relative) relative.textContent = relativeTime(now - Number(el.dataset.at));
  }
  if (state.clock) byId("clock-now").textContent = `${new Date(mockNow()).toISOString()} (${state.clock.mode})`;
}

function connectionOf(id: string, at: number): Connection {
  let connection = state.connections.get(id);
  if (connection === undefined) {
    connection = { id, turns: new Map(), events: [], messages: 0, firstAt: at };
    state.connections.set(id, connection);
    if (state.connections.size > maxConnections) {
      const oldest = state.connections.keys().next().value;
      if (oldest !== undefined) state.connections.delete(oldest);
    }
  }
  return connection;
}

/** Files an entry where the page shows it. */
function take(entry: Entry): void {
  state.lastSeq = Math.max(state.lastSeq, entry.seq);
  if (requestTypes.has(entry.type)) {
    state.requests.push(entry);
    if (state.requests.length > maxRequests) state.requests.shift();
  }
  const id = typeof entry.connectionId === "string" ? entry.connectionId.toLowerCase() : undefined;
  if (id === undefined) return;
  const connection = connectionOf(id, entry.at);
  switch (entry.type) {
    case "handshake":
      connection.handshake = entry;
      break;
    case "turn": {
      const requestId = String(entry.requestId);
      const turn = connection.turns.get(requestId) ?? { requestId };
      if (entry.phase === "end") turn.end = entry;
      else turn.start = entry;
      connection.turns.set(requestId, turn);
      break;
    }
    case "close":
      connection.close = entry;
      break;
    case "message":
      connection.messages += 1;
      break;
    default:
      connection.events.push(entry);
  }
}

function scheduleRender(): void {
  if (state.renderQueued) return;
  state.renderQueued = true;
  requestAnimationFrame(() => {
    state.renderQueued = false;
    render();
  });
}

function renderRequests(): HTMLElement {
  const rows = [...state.requests].reverse().map((entry) => {
    const { what, decision, reason } = requestSummary(entry);
    return h(
      "tr",
      { class: `request entry-${entry.type.replace(".", "-")} outcome-${outcomeOf(entry)}`, "data-seq": entry.seq },
      h("td", {}, timeCell(entry)),
      h("td", {}, what),
      h("td", { class: "decision" }, decision),
      h("td", { class: "reason" }, h("code", {}, reason)),
      h("td", { class: "connection-id" }, typeof entry.connectionId === "string" ? entry.connectionId.slice(0, 8) : ""),
    );
  });
  return h(
    "table",
    { id: "requests-table" },
    h(
      "thead",
      {},
      h("tr", {}, h("th", {}, "time"), h("th", {}, "request"), h("th", {}, "decision"), h("th", {}, "reason"), h("th", {}, "connection")),
    ),
    h("tbody", {}, ...rows),
  );
}

function renderTurn(turn: Turn): HTMLElement {
  const end = turn.end;
  const status = end ? String(end.status ?? "") : "in progress";
  const entry = end ?? turn.start;
  return h(
    "tr",
    { class: `turn status-${status.replace(/\W/g, "")}`, "data-request-id": turn.requestId },
    h("td", {}, entry ? timeCell(entry) : ""),
    h("td", { class: "turn-text" }, end ? turnText(end) : "…"),
    h("td", { class: "turn-match" }, end ? String(end.match ?? "") : ""),
    h("td", { class: "turn-audio" }, end ? audioSummary(end) : ""),
    h("td", { class: "turn-status" }, status),
    h(
      "td",
      { class: "turn-latency", title: "from the answer's decision to turn.end; from the first audio in brackets" },
      end && typeof end.latencyMs === "number" ? `${duration(end.latencyMs)} (${duration(Number(end.elapsedMs ?? 0))})` : "",
    ),
  );
}

function renderConnection(connection: Connection): HTMLElement {
  const handshake = connection.handshake;
  const events = connection.events.map((e) =>
    h(
      "li",
      { class: `event event-${e.type}` },
      timeCell(e),
      " ",
      h("strong", {}, e.type),
      " ",
      h("code", {}, String(e.code ?? e.rule ?? "")),
      " ",
      String(e.message ?? (e.type === "fault" ? `${e.action} ${e.status ?? e.code ?? ""}` : "")),
    ),
  );
  return h(
    "article",
    { class: `connection${connection.close ? " closed" : ""}`, "data-connection-id": connection.id },
    h(
      "header",
      {},
      h("code", { class: "connection-id" }, connection.id),
      " ",
      handshake ? h("span", { class: `decision outcome-${outcomeOf(handshake)}` }, `${handshake.decision} ${handshake.reason}`) : "",
      " ",
      handshake ? `${handshake.region ?? ""} ${handshake.path ?? ""}` : "",
      " · ",
      `${connection.messages} messages`,
    ),
    connection.turns.size > 0
      ? h(
          "table",
          { class: "turns" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              h("th", {}, "time"),
              h("th", {}, "heard"),
              h("th", {}, "match"),
              h("th", {}, "audio"),
              h("th", {}, "status"),
              h("th", {}, "latency"),
            ),
          ),
          h("tbody", {}, ...[...connection.turns.values()].map(renderTurn)),
        )
      : "",
    events.length > 0 ? h("ul", { class: "events" }, ...events) : "",
    connection.close
      ? h("footer", { class: `close close-${connection.close.initiator}` }, timeCell(connection.close), " ", closeSummary(connection.close))
      : h("footer", { class: "open" }, "open"),
  );
}

function render(): void {
  byId("requests").replaceChildren(renderRequests());
  const cards = [...state.connections.values()].reverse().map(renderConnection);
  byId("connections").replaceChildren(...(cards.length > 0 ? cards : [h("p", { class: "empty" }, "No connection yet.")]));
  byId("entry-count").textContent = `up to seq ${state.lastSeq}`;
}

function setStatus(text: string, kind: "live" | "connecting" | "error"): void {
  const el = byId("stream-status");
  el.textContent = text;
  el.className = `status-${kind}`;
}

/** Asks for the admin token once: the form shows until a token the mock takes is saved. */
function askForToken(): void {
  byId("token-form").hidden = false;
  setStatus("needs the admin token", "error");
}

function showError(err: unknown): void {
  if (err instanceof NeedsToken) {
    askForToken();
    return;
  }
  const el = byId("error");
  el.textContent = err instanceof Error ? err.message : String(err);
  el.hidden = false;
  setTimeout(() => {
    el.hidden = true;
  }, 8000);
}

/** Follows the journal stream from `since` (or its newest entries), reconnecting after a break. */
function follow(since?: number): void {
  state.stream?.abort();
  const abort = new AbortController();
  state.stream = abort;
  setStatus("connecting…", "connecting");
  const url = `${adminBase()}/journal/stream${streamQuery(state.filter, since)}`;
  readStream(
    url,
    authHeaders(),
    (event) => {
      if (event.event === "entry") {
        const entry = JSON.parse(event.data) as Entry;
        take(entry);
        scheduleRender();
        // A rule fired: its count changed.
        if (entry.type === "fault") act(() => Promise.resolve(), refreshFaults);
      } else if (event.event === "ready") {
        setStatus("live", "live");
        scheduleRender();
      } else if (event.event === "overflow") {
        setStatus("fell behind: reconnecting", "connecting");
      }
    },
    abort.signal,
  ).then(
    (status) => {
      if (abort.signal.aborted) return;
      if (status === 401) {
        askForToken();
        return;
      }
      setStatus(status === 200 ? "stream ended: reconnecting" : `stream refused (${status}): retrying`, "connecting");
      setTimeout(() => state.stream === abort && follow(state.lastSeq), 1000);
    },
    () => {
      if (abort.signal.aborted) return;
      setStatus("disconnected: reconnecting", "error");
      setTimeout(() => state.stream === abort && follow(state.lastSeq), 1000);
    },
  );
}

/** Starts over: a new filter, or the mock was reset. */
function restart(): void {
  state.requests = [];
  state.connections.clear();
  state.lastSeq = 0;
  render();
  follow();
}

async function refreshClock(): Promise<void> {
  const clock = await api<Omit<ClockState, "readAt">>("GET", "/clock");
  state.clock = { ...clock, readAt: performance.now() };
  byId("clock-freeze").textContent = clock.mode === "frozen" ? "Run" : "Freeze";
  refreshRelativeTimes();
}

interface FaultRule {
  id: string;
  target: string;
  fired?: number;
  times?: number;
  action: { kind: string; status?: number; code?: number };
}

async function refreshFaults(): Promise<void> {
  const { faults } = await api<{ faults: FaultRule[] }>("GET", "/faults");
  const items = faults.map((rule) =>
    h(
      "li",
      { class: "fault-rule", "data-fault-id": rule.id },
      h("code", {}, rule.id),
      ` ${rule.target}: ${rule.action.kind} ${rule.action.status ?? rule.action.code ?? ""} · fired ${rule.fired ?? 0}${rule.times === undefined ? "" : ` of ${rule.times}`} `,
      h(
        "button",
        {
          type: "button",
          class: "fault-remove",
          onclick: () => act(() => api("DELETE", `/faults/${encodeURIComponent(rule.id)}`), refreshFaults),
        },
        "Remove",
      ),
    ),
  );
  byId("fault-list").replaceChildren(...(items.length > 0 ? items : [h("li", { class: "empty" }, "No fault rule.")]));
}

interface Resource {
  name: string;
  region: string;
  tier?: string;
  state: string;
  keys: string[];
}

async function refreshResources(): Promise<void> {
  const { resources } = await api<{ resources: Resource[] }>("GET", "/resources");
  const rows = resources.map((r) => {
    const path = `/resources/${encodeURIComponent(r.name)}`;
    const setState = (s: string) => () => act(() => api("PATCH", path, { state: s }), refreshResources);
    return h(
      "tr",
      { class: `resource state-${r.state}`, "data-resource": r.name },
      h("td", {}, r.name),
      h("td", {}, r.region),
      h("td", {}, r.tier ?? ""),
      h("td", { class: "resource-state" }, r.state),
      // A prefix and a length, never a whole key on screen (the ready line and GET <admin>/resources have them).
      h("td", { class: "resource-keys" }, r.keys.map((k) => `${k.slice(0, 6)}…(${k.length})`).join(" ")),
      h(
        "td",
        {},
        r.state === "disabled"
          ? h("button", { type: "button", class: "resource-enable", onclick: setState("enabled") }, "Enable")
          : h("button", { type: "button", class: "resource-disable", onclick: setState("disabled") }, "Disable"),
        " ",
        r.state === "quotaExceeded"
          ? h("button", { type: "button", class: "resource-quota-ok", onclick: setState("enabled") }, "Quota OK")
          : h("button", { type: "button", class: "resource-quota", onclick: setState("quotaExceeded") }, "Over quota"),
        " ",
        h(
          "button",
          {
            type: "button",
            class: "resource-regenerate",
            onclick: () => act(() => api("POST", `${path}/regenerate-key`, { key: "primary" }), refreshResources),
          },
          "New key 1",
        ),
      ),
    );
  });
  byId("resource-rows").replaceChildren(...rows);
}

/** Runs a control action, then refreshes what it changed; a failure is shown, a 401 asks for the token. */
function act(action: () => Promise<unknown>, ...then: (() => Promise<void>)[]): void {
  action()
    .then(() => Promise.all(then.map((f) => f())))
    .catch(showError);
}

function refreshPanels(): void {
  act(() => Promise.resolve(), refreshClock, refreshFaults, refreshResources);
}

function wireControls(): void {
  byId("clock-advance").addEventListener("click", () => {
    const by = byId<HTMLInputElement>("clock-advance-by").value.trim() || "10m";
    act(() => api("POST", "/clock/advance", { by: /^\d+$/.test(by) ? Number(by) : by }), refreshClock);
  });
  byId("clock-freeze").addEventListener("click", () => {
    const frozen = state.clock?.mode === "frozen";
    act(() => api("PUT", "/clock", { time: Math.round(mockNow()), frozen: !frozen }), refreshClock);
  });
  byId("clock-system").addEventListener("click", () => act(() => api("DELETE", "/clock"), refreshClock));

  const select = byId<HTMLSelectElement>("fault-template");
  select.replaceChildren(...faultTemplates.map((t) => h("option", { value: t.id }, t.label)));
  byId("fault-add").addEventListener("click", () => {
    const template = faultTemplates.find((t) => t.id === select.value);
    if (template) act(() => api("POST", "/faults", template.rule), refreshFaults);
  });
  byId("faults-clear").addEventListener("click", () => act(() => api("DELETE", "/faults"), refreshFaults));

  byId("reset").addEventListener("click", () =>
    act(
      () => api("POST", "/reset"),
      async () => restart(),
      refreshClock,
      refreshFaults,
      refreshResources,
    ),
  );

  const applyFilter = () => {
    state.filter = {
      type: byId<HTMLSelectElement>("filter-type").value || undefined,
      outcome: byId<HTMLInputElement>("filter-outcome").value.trim() || undefined,
      allMessages: byId<HTMLInputElement>("filter-all-messages").checked,
    };
    restart();
  };
  byId("filter-type").addEventListener("change", applyFilter);
  byId("filter-outcome").addEventListener("change", applyFilter);
  byId("filter-all-messages").addEventListener("change", applyFilter);

  byId("token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const token = byId<HTMLInputElement>("token-input").value.trim();
    if (token === "") return;
    storeToken(token);
    byId("token-form").hidden = true;
    refreshPanels();
    restart();
  });
}

function main(): void {
  wireControls();
  byId("admin-url").textContent = `${location.origin}${adminBase()}`;
  byId("token-form").hidden = true;
  // Whether the mock needs a token shows at the first request: a 401 opens the form.
  if (storedToken() !== undefined) byId<HTMLInputElement>("token-input").value = "";
  refreshPanels();
  follow();
  setInterval(refreshRelativeTimes, 1000);
  // The clock and the rules' fired counts change without a journal entry the page follows: read them now and then.
  setInterval(() => act(() => Promise.resolve(), refreshClock, refreshFaults), 5000);
  render();
}

main();
