// One record in full: every field, JSON documents folded and pretty, the error message whole.

import { element } from "./dom.js";

const JSON_FIELDS = ["payload", "response", "metadata"];

function scalar(value) {
  const text = JSON.stringify(value);
  const kind = value === null ? "null" : typeof value;
  return element("span", { className: `json-${kind}`, text });
}

// A JSON value as nested <details>: objects and arrays fold, the top levels open.
export function jsonTree(value, depth = 0) {
  if (value === null || typeof value !== "object") return scalar(value);
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  const open = Array.isArray(value) ? "[" : "{";
  const close = Array.isArray(value) ? "]" : "}";
  if (!entries.length) return element("span", { className: "json-empty", text: open + close });
  const details = element("details", { className: "json" });
  details.open = depth < 2;
  const noun = Array.isArray(value) ? "item" : "key";
  const summary = `${open} ${entries.length} ${noun}${entries.length === 1 ? "" : "s"} ${close}`;
  details.append(element("summary", { text: summary }));
  const list = element("ul");
  for (const [key, item] of entries) {
    const label = element("span", { className: "json-key", text: Array.isArray(value) ? `${key}` : JSON.stringify(key) });
    list.append(element("li", {}, [label, document.createTextNode(": "), jsonTree(item, depth + 1)]));
  }
  details.append(list);
  return details;
}

export function renderDetail(container, record) {
  const list = element("dl");
  for (const [name, value] of Object.entries(record)) {
    let shown;
    if (JSON_FIELDS.includes(name)) shown = value === null ? scalar(null) : jsonTree(value);
    else if (name === "errorMessage" && value !== null) shown = element("pre", { className: "error-message", text: value });
    else shown = element("span", { text: value === null ? "null" : String(value) });
    list.append(element("dt", { text: name }), element("dd", { attributes: { "data-field": name } }, [shown]));
  }
  container.replaceChildren(list);
}
