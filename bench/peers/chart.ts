/**
 * A dependency-free SVG bar chart: one panel per group, one horizontal bar per row (the median)
 * with a whisker for the min-max spread, each panel on its own time scale with a few ticks.
 *
 * @module
 */

export interface Bar {
  readonly label: string;
  readonly value: number;
  readonly min?: number;
  readonly max?: number;
  readonly kind: "floor" | "iocscan" | "peer";
}

export interface Panel {
  readonly title: string;
  readonly bars: readonly Bar[];
}

const WIDTH = 860;
const LABEL_W = 330;
const PLOT_W = 430;
const BAR_H = 18;
const GAP = 6;
const PANEL_HEAD = 46;
const PANEL_FOOT = 18;
const COLOURS: Record<Bar["kind"], string> = { iocscan: "#1f6feb", floor: "#8b949e", peer: "#d29922" };

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A "nice" tick step (1, 2 or 5 times a power of ten) giving at most about 5 ticks up to `max`. */
function tickStep(max: number): number {
  const raw = max / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power) || 1;
}

/** The SVG text of `panels`; `unit` labels the values (e.g. "s"). */
export function barChart(title: string, panels: readonly Panel[], unit: string, note: string): string {
  let y = 34;
  let body = "";
  for (const panel of panels) {
    const top = Math.max(...panel.bars.map((b) => Math.max(b.value, b.max ?? 0)), 1e-9);
    const step = tickStep(top);
    const scaleMax = Math.ceil(top / step) * step;
    const x = (v: number): number => LABEL_W + (v / scaleMax) * PLOT_W;
    const height = panel.bars.length * (BAR_H + GAP);
    body += `<text x="10" y="${y + 18}" font-weight="bold">${esc(panel.title)}</text>\n`;
    const plotTop = y + PANEL_HEAD - 16;
    for (let t = 0; t <= scaleMax + 1e-9; t += step) {
      body += `<line x1="${x(t).toFixed(1)}" y1="${plotTop}" x2="${x(t).toFixed(1)}" y2="${plotTop + height + 4}" stroke="#d0d7de"/>\n`;
      body += `<text x="${x(t).toFixed(1)}" y="${plotTop + height + 16}" text-anchor="middle" font-size="10" fill="#57606a">${+t.toFixed(3)} ${unit}</text>\n`;
    }
    panel.bars.forEach((bar, i) => {
      const by = plotTop + 2 + i * (BAR_H + GAP);
      body += `<text x="${LABEL_W - 8}" y="${by + BAR_H - 5}" text-anchor="end">${esc(bar.label)}</text>\n`;
      body += `<rect x="${LABEL_W}" y="${by}" width="${Math.max(1, x(bar.value) - LABEL_W).toFixed(1)}" height="${BAR_H}" fill="${COLOURS[bar.kind]}"/>\n`;
      if (bar.min !== undefined && bar.max !== undefined) {
        const mid = by + BAR_H / 2;
        body += `<line x1="${x(bar.min).toFixed(1)}" y1="${mid}" x2="${x(bar.max).toFixed(1)}" y2="${mid}" stroke="#24292f" stroke-width="1.2"/>\n`;
      }
      const end = Math.max(x(bar.value), x(bar.max ?? 0));
      body += `<text x="${(end + 5).toFixed(1)}" y="${by + BAR_H - 5}" font-size="11">${bar.value < 10 ? bar.value.toFixed(2) : bar.value.toFixed(1)} ${unit}</text>\n`;
    });
    y = plotTop + height + PANEL_FOOT + 12;
  }
  const legend = (Object.keys(COLOURS) as Bar["kind"][])
    .map((k, i) => `<rect x="${10 + i * 110}" y="${y}" width="12" height="12" fill="${COLOURS[k]}"/><text x="${26 + i * 110}" y="${y + 10}" font-size="11">${k}</text>`)
    .join("");
  y += 30;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" viewBox="0 0 ${WIDTH} ${y}" font-family="Helvetica, Arial, sans-serif" font-size="12">\n` +
    `<rect width="100%" height="100%" fill="#ffffff"/>\n<text x="10" y="20" font-size="15" font-weight="bold">${esc(title)}</text>\n` +
    body +
    legend +
    `<text x="10" y="${y - 6}" font-size="10" fill="#57606a">${esc(note)}</text>\n</svg>\n`
  );
}
