// The records table: one row per record, newest first unless a column header says otherwise.

import { element, formatMs } from "./dom.js";

const COLUMNS = [
  ["createdAt", (r) => r.createdAt],
  ["integrationId", (r) => r.integrationId],
  ["actionType", (r) => r.actionType],
  ["entityType", (r) => r.entityType],
  ["entityId", (r) => r.entityId ?? ""],
  ["status", (r) => r.status],
  ["retryCount", (r) => r.retryCount],
  ["executionTime", (r) => (r.executionTime === null ? "" : formatMs(r.executionTime))],
  ["errorMessage", (r) => r.errorMessage ?? ""],
];

export function renderRows(tbody, records, onOpen) {
  const rows = records.map((record) => {
    const cells = COLUMNS.map(([name, value], index) => {
      const cell = element("td", { className: `c-${name}` });
      if (index === 0) {
        // A button: the row opens by keyboard too.
        const open = element("button", { className: "open", text: value(record) });
        open.type = "button";
        open.addEventListener("click", () => onOpen(record._id));
        cell.append(open);
      } else {
        cell.textContent = String(value(record));
        if (name === "errorMessage" || name === "entityId") cell.title = cell.textContent;
      }
      return cell;
    });
    const row = element("tr", { attributes: { "data-id": record._id } }, cells);
    row.classList.add(`status-${record.status}`);
    return row;
  });
  tbody.replaceChildren(...rows);
}

export function markSort(table, sort, order) {
  for (const header of table.querySelectorAll("th[data-sort]")) {
    const active = header.dataset.sort === sort;
    header.setAttribute("aria-sort", active ? (order === "asc" ? "ascending" : "descending") : "none");
  }
}
