// The log viewer: the form and the URL hold the view; the table loads first, then the charts.

import { api } from "./api.js";
import { bucketSeries, lineChart, rateTable } from "./charts.js";
import { renderDetail } from "./detail.js";
import { formatMs } from "./dom.js";
import { chartRange, defaults, filterDocument, readState, timeRange, writeState } from "./state.js";
import { markSort, renderRows } from "./table.js";

const INTERVALS = [["1m", 60e3], ["5m", 300e3], ["1h", 3600e3], ["1d", 86400e3]];
const $ = (id) => document.getElementById(id);
const form = $("filters");

let state = readState(window.location.search);
let earlier = []; // the cursors of the pages before this one, for "Previous"
let nextCursor = null;
let timer = null;
let generation = 0; // a load started later makes the answers of an earlier one stale
let knownIntegrations = new Set();

function chooseInterval(span) {
  if (span <= 2 * 3600e3) return INTERVALS[0];
  if (span <= 12 * 3600e3) return INTERVALS[1];
  if (span <= 8 * 86400e3) return INTERVALS[2];
  return INTERVALS[3];
}

function showError(error) {
  const box = $("error");
  if (!error) {
    box.hidden = true;
    box.textContent = "";
    return;
  }
  box.hidden = false;
  box.textContent = String(error.message || error);
}

function count(done, key) {
  document.body.dataset[key] = String(Number(document.body.dataset[key] || 0) + done);
}

// -- the form and the state ------------------------------------------------------------------

function integrationOptions(names) {
  for (const name of names) knownIntegrations.add(name);
  for (const name of state.integration) knownIntegrations.add(name);
  const select = $("f-integration");
  const options = [...knownIntegrations].sort().map((name) => {
    const option = document.createElement("option");
    option.value = name;
    option.textContent = name;
    option.selected = state.integration.includes(name);
    return option;
  });
  select.replaceChildren(...options);
}

function fillForm() {
  integrationOptions([]);
  for (const box of form.querySelectorAll('input[name="status"]')) box.checked = state.status.includes(box.value);
  $("f-action").value = state.action;
  $("f-entity").value = state.entity;
  $("f-range").value = state.range;
  $("f-from").value = state.from;
  $("f-to").value = state.to;
  $("f-search").value = state.q;
  $("f-json").value = state.filter;
  $("f-limit").value = String(state.limit);
  $("auto-refresh").checked = state.refresh > 0;
  if (state.refresh > 0) $("refresh-seconds").value = String(state.refresh);
  form.dataset.range = state.range;
  markSort($("table"), state.sort, state.order);
}

function readForm() {
  state.integration = [...$("f-integration").selectedOptions].map((o) => o.value);
  state.status = [...form.querySelectorAll('input[name="status"]:checked')].map((b) => b.value);
  state.action = $("f-action").value;
  state.entity = $("f-entity").value.trim();
  state.range = $("f-range").value;
  state.from = state.range === "custom" ? $("f-from").value : "";
  state.to = state.range === "custom" ? $("f-to").value : "";
  state.q = $("f-search").value;
  state.filter = $("f-json").value;
  state.limit = Number($("f-limit").value);
  form.dataset.range = state.range;
}

function remember(push) {
  const url = writeState(state);
  if (push) window.history.pushState(null, "", url);
  else window.history.replaceState(null, "", url);
}

// -- loading ----------------------------------------------------------------------------------

async function loadTable(now, current) {
  const filter = filterDocument(state, timeRange(state, now));
  const page = await api("", {
    filter: filter && JSON.stringify(filter),
    search: state.q || null,
    sort: state.sort,
    order: state.order,
    limit: state.limit,
    cursor: state.cursor || null,
    withTotal: "true",
  });
  if (current !== generation) return;
  renderRows($("table").querySelector("tbody"), page.data, openRecord);
  integrationOptions(page.data.map((record) => record.integrationId));
  nextCursor = page.nextCursor;
  const shown = page.data.length;
  $("count").textContent = `(${page.total} match${page.total === 1 ? "" : "es"})`;
  $("page-info").textContent = shown ? `${shown} shown${state.cursor ? "" : ", from the newest"}` : "no records";
  $("next").disabled = !nextCursor;
  $("previous").disabled = earlier.length === 0;
  $("first").disabled = !state.cursor;
  performance.mark("alk:table");
  count(1, "tableLoads");
}

async function loadCharts(now, current) {
  const range = chartRange(state, now);
  const [interval, intervalMs] = chooseInterval(range.to - range.from);
  const filter = filterDocument(state, range);
  const common = { filter: filter && JSON.stringify(filter), search: state.q || null };
  const [buckets, integrations] = await Promise.all([
    api("/stats", { ...common, by: "", interval }),
    api("/stats", { ...common, by: "integrationId" }),
  ]);
  if (current !== generation) return;
  const series = bucketSeries(buckets.data.groups, range.from, range.to, intervalMs);
  const options = { from: range.from, to: range.to, interval };
  lineChart($("chart-calls"), [
    { name: "calls", className: "calls", points: series.calls },
    { name: "failures", className: "failures", points: series.failures },
  ], options);
  lineChart($("chart-latency"), [{ name: "p95", className: "p95", points: series.p95 }], { ...options, format: formatMs });
  rateTable($("rates").querySelector("tbody"), integrations.data.groups);
  integrationOptions(integrations.data.groups.map((g) => g.key.integrationId));
  for (const node of document.querySelectorAll("#charts .interval")) node.textContent = interval;
  $("charts-range").textContent = `${range.from.toISOString().slice(0, 16)}Z to ${range.to.toISOString().slice(0, 16)}Z`;
  performance.mark("alk:charts");
  count(1, "chartLoads");
}

async function loadDetail() {
  const aside = $("detail");
  if (!state.record) {
    aside.hidden = true;
    return;
  }
  const body = await api(`/${encodeURIComponent(state.record)}`);
  renderDetail($("detail-body"), body.data);
  $("detail-title").textContent = `Record ${body.data._id}`;
  aside.hidden = false;
  count(1, "detailLoads");
}

async function load({ push = false } = {}) {
  generation += 1;
  const current = generation;
  window.clearTimeout(timer);
  remember(push);
  showError(null);
  const now = Date.now();
  performance.clearMarks();
  performance.mark("alk:start");
  try {
    await loadTable(now, current);
    await Promise.all([loadCharts(now, current), loadDetail()]);
    $("refreshed").textContent = `updated ${new Date(now).toISOString().slice(11, 19)} UTC`;
  } catch (error) {
    showError(error);
    count(1, "errors");
  } finally {
    if (current === generation && state.refresh > 0) {
      timer = window.setTimeout(() => load(), state.refresh * 1000);
    }
  }
}

// -- events -----------------------------------------------------------------------------------

function restart() {
  state.cursor = "";
  earlier = [];
}

function openRecord(id) {
  state.record = id;
  remember(true);
  loadDetail().catch(showError);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  readForm();
  restart();
  load({ push: true });
});
for (const id of ["f-integration", "f-action", "f-range", "f-limit"]) {
  $(id).addEventListener("change", () => form.requestSubmit());
}
for (const box of form.querySelectorAll('input[name="status"]')) {
  box.addEventListener("change", () => form.requestSubmit());
}
$("reset").addEventListener("click", () => {
  state = { ...defaults(), refresh: state.refresh };
  restart();
  fillForm();
  load({ push: true });
});
$("table").querySelector("thead").addEventListener("click", (event) => {
  const header = event.target.closest("th[data-sort]");
  if (!header) return;
  const field = header.dataset.sort;
  state.order = state.sort === field && state.order === "desc" ? "asc" : "desc";
  state.sort = field;
  markSort($("table"), state.sort, state.order);
  restart();
  load({ push: true });
});
$("next").addEventListener("click", () => {
  if (!nextCursor) return;
  earlier.push(state.cursor);
  state.cursor = nextCursor;
  load({ push: true });
});
$("previous").addEventListener("click", () => {
  state.cursor = earlier.pop() || "";
  load({ push: true });
});
$("first").addEventListener("click", () => {
  restart();
  load({ push: true });
});
$("close-detail").addEventListener("click", () => {
  state.record = "";
  $("detail").hidden = true;
  remember(true);
});
function refreshChanged() {
  state.refresh = $("auto-refresh").checked ? Number($("refresh-seconds").value) : 0;
  load();
}
$("auto-refresh").addEventListener("change", refreshChanged);
$("refresh-seconds").addEventListener("change", refreshChanged);
window.addEventListener("popstate", () => {
  state = readState(window.location.search);
  earlier = [];
  fillForm();
  load();
});

fillForm();
load();
