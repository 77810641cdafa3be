// Small SVG charts drawn from stats: lines with a point per time bucket, and a rate table.

import { element, formatMs, svg } from "./dom.js";

const WIDTH = 640;
const HEIGHT = 180;
const PAD = { left: 48, right: 12, top: 12, bottom: 28 };

function ticks(max) {
  if (max <= 0) return [0];
  const step = 10 ** Math.floor(Math.log10(max));
  const unit = max / step > 5 ? step * 2 : max / step > 2 ? step : step / 2;
  const found = [0];
  while (found[found.length - 1] < max) found.push(found[found.length - 1] + unit);
  return found;
}

function label(date, interval) {
  const iso = date.toISOString();
  return interval === "1d" ? iso.slice(5, 10) : iso.slice(11, 16);
}

// series: [{name, className, points: [{t: Date, v: number}]}]; x spans [from, to).
export function lineChart(container, series, { from, to, interval, format = String }) {
  const chart = svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", class: "line-chart" });
  const top = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p.v)));
  const scale = ticks(top);
  const max = scale[scale.length - 1] || 1;
  const span = Math.max(1, to - from);
  const x = (t) => PAD.left + ((t - from) / span) * (WIDTH - PAD.left - PAD.right);
  const y = (v) => HEIGHT - PAD.bottom - (v / max) * (HEIGHT - PAD.top - PAD.bottom);
  const axes = svg("g", { class: "axes" });
  for (const value of scale) {
    axes.append(svg("line", { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(value), y2: y(value), class: "grid" }));
    axes.append(svg("text", { x: PAD.left - 6, y: y(value) + 4, "text-anchor": "end" }, format(value)));
  }
  for (let i = 0; i <= 4; i += 1) {
    const t = new Date(from.getTime() + (span * i) / 4);
    axes.append(svg("text", { x: x(t), y: HEIGHT - 8, "text-anchor": "middle" }, label(t, interval)));
  }
  chart.append(axes);
  for (const line of series) {
    const group = svg("g", { class: `series ${line.className}`, "data-points": line.points.length });
    if (line.points.length > 1) {
      const path = line.points.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(" ");
      group.append(svg("polyline", { points: path }));
    }
    for (const point of line.points) {
      const dot = svg("circle", { cx: x(point.t).toFixed(1), cy: y(point.v).toFixed(1), r: 2.5, class: "point" });
      dot.append(svg("title", {}, `${point.t.toISOString()} ${line.name}: ${format(point.v)}`));
      group.append(dot);
    }
    chart.append(group);
  }
  const legend = element("p", { className: "legend" }, series.map((s) => element("span", { className: `key ${s.className}`, text: s.name })));
  container.replaceChildren(chart, legend);
}

// Every bucket of [from, to), zero-filled: a bucket without records had no calls.
export function bucketSeries(groups, from, to, intervalMs) {
  const start = Math.floor(from.getTime() / intervalMs) * intervalMs;
  const byBucket = new Map(groups.map((g) => [Date.parse(g.bucket), g]));
  const calls = [];
  const failures = [];
  const p95 = [];
  for (let t = start; t < to.getTime(); t += intervalMs) {
    const group = byBucket.get(t);
    calls.push({ t: new Date(t), v: group ? group.count : 0 });
    failures.push({ t: new Date(t), v: group ? group.failed : 0 });
    if (group && group.executionTime) p95.push({ t: new Date(t), v: group.executionTime.p95 });
  }
  return { calls, failures, p95 };
}

export function rateTable(tbody, groups) {
  const rows = [...groups]
    .sort((a, b) => b.failed / b.count - a.failed / a.count || b.count - a.count)
    .map((group) => {
      const rate = group.failed / group.count;
      const bar = svg("svg", { viewBox: "0 0 100 8", class: "rate-bar", "aria-hidden": "true" });
      bar.append(svg("rect", { x: 0, y: 0, width: 100, height: 8, class: "rate-track" }));
      bar.append(svg("rect", { x: 0, y: 0, width: (rate * 100).toFixed(1), height: 8, class: "rate-fill" }));
      const rateCell = element("td", {}, [bar, element("span", { text: `${(rate * 100).toFixed(1)}%` })]);
      return element("tr", { attributes: { "data-integration": group.key.integrationId } }, [
        element("td", { text: group.key.integrationId }),
        element("td", { text: group.count }),
        element("td", { text: group.failed }),
        rateCell,
        element("td", { text: formatMs(group.executionTime ? group.executionTime.p95 : null) }),
      ]);
    });
  tbody.replaceChildren(...rows);
}
