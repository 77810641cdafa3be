// The view's state and the page's URL: every part of the view a user can set lives in the
// query string, so a filtered view can be bookmarked and shared.

export const STATUSES = ["success", "failed", "retrying", "pending"];
export const RANGES = { "1h": 3600e3, "24h": 86400e3, "7d": 7 * 86400e3, "30d": 30 * 86400e3 };
const CHART_DEFAULT = 86400e3;

export function defaults() {
  return {
    integration: [], status: [], action: "", entity: "", range: "all", from: "", to: "",
    filter: "", q: "", sort: "createdAt", order: "desc", limit: 50, cursor: "", record: "",
    refresh: 0,
  };
}

const LISTS = ["integration", "status"];
const NUMBERS = ["limit", "refresh"];

export function readState(search) {
  const state = defaults();
  const params = new URLSearchParams(search);
  for (const name of Object.keys(state)) {
    if (!params.has(name)) continue;
    const value = params.get(name);
    if (LISTS.includes(name)) state[name] = value ? value.split(",") : [];
    else if (NUMBERS.includes(name)) state[name] = Number.parseInt(value, 10) || state[name];
    else state[name] = value;
  }
  if (![20, 50, 100].includes(state.limit)) state.limit = 50;
  if (state.order !== "asc") state.order = "desc";
  return state;
}

export function writeState(state) {
  const params = new URLSearchParams();
  const start = defaults();
  for (const [name, value] of Object.entries(state)) {
    const text = Array.isArray(value) ? value.join(",") : String(value);
    const plain = Array.isArray(start[name]) ? start[name].join(",") : String(start[name]);
    if (text !== plain) params.set(name, text);
  }
  const query = params.toString();
  return query ? `?${query}` : window.location.pathname;
}

function utc(text) {
  // datetime-local values carry no zone: the viewer reads them as UTC.
  if (!text) return null;
  const date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text}Z`);
  return Number.isNaN(date.getTime()) ? null : date;
}

// The time range the state asks for: {from, to} as Dates or nulls.
export function timeRange(state, now) {
  if (state.range === "custom") return { from: utc(state.from), to: utc(state.to) };
  const span = RANGES[state.range];
  return span ? { from: new Date(now - span), to: null } : { from: null, to: null };
}

// The charts' range: the view's, or the last 24 hours when the view has none.
export function chartRange(state, now) {
  const range = timeRange(state, now);
  if (range.from || range.to) {
    return { from: range.from || new Date(now - CHART_DEFAULT), to: range.to || new Date(now) };
  }
  return { from: new Date(now - CHART_DEFAULT), to: new Date(now) };
}

// The filter document of the state's fields, the free JSON filter and a time range; throws a
// SyntaxError naming the JSON filter when it is not JSON.
export function filterDocument(state, range) {
  const parts = [];
  const fields = {};
  if (state.integration.length) fields.integrationId = { $in: state.integration };
  if (state.status.length) fields.status = { $in: state.status };
  if (state.action) fields.actionType = state.action;
  if (state.entity) fields.entityType = state.entity;
  const created = {};
  if (range.from) created.$gte = range.from.toISOString();
  if (range.to) created.$lt = range.to.toISOString();
  if (Object.keys(created).length) fields.createdAt = created;
  if (Object.keys(fields).length) parts.push(fields);
  if (state.filter.trim()) {
    let free;
    try {
      free = JSON.parse(state.filter);
    } catch (error) {
      throw new SyntaxError(`JSON filter: not valid JSON (${error.message})`);
    }
    parts.push(free);
  }
  if (!parts.length) return null;
  return parts.length === 1 ? parts[0] : { $and: parts };
}
