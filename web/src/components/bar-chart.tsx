/** A small SVG bar chart of counts per label (detections per day); each bar has a tooltip. */

export interface Bar {
  label: string;
  value: number;
  /** Tooltip; default "label: value". */
  title?: string;
}

const W = 560;
const H = 170;
const PAD = { top: 14, right: 8, bottom: 22, left: 30 };

/** 0, a round step, ... above `max`: 1-2-5 steps so the axis reads well. */
function niceMax(max: number): number {
  if (max <= 4) return Math.max(1, max);
  const magnitude = 10 ** Math.floor(Math.log10(max));
  const step = [1, 2, 5, 10].find((s) => s * magnitude >= max / 4) ?? 10;
  return Math.ceil(max / (step * magnitude)) * step * magnitude;
}

export function BarChart({ bars, label }: { bars: readonly Bar[]; label: string }) {
  const top = niceMax(Math.max(0, ...bars.map((b) => b.value)));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, bars.length);
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  const labelEvery = bars.length > 10 ? 2 : 1;
  return (
    <svg className="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label}>
      {(Number.isInteger(top / 2) && top >= 4 ? [0, top / 2, top] : [0, top]).map((v) => (
        <g key={v}>
          <line className="axis" x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} strokeDasharray={v === 0 ? undefined : "2 3"} />
          <text x={PAD.left - 4} y={y(v) + 3} textAnchor="end">
            {v}
          </text>
        </g>
      ))}
      {bars.map((b, i) => {
        const x = PAD.left + i * slot + slot * 0.15;
        const h = y(0) - y(b.value);
        return (
          <g key={b.label}>
            <rect className="bar" x={x} y={y(b.value)} width={slot * 0.7} height={Math.max(h, b.value > 0 ? 1 : 0)} rx={2}>
              <title>{b.title ?? `${b.label}: ${b.value}`}</title>
            </rect>
            {b.value > 0 && (
              <text x={x + slot * 0.35} y={y(b.value) - 3} textAnchor="middle">
                {b.value}
              </text>
            )}
            {i % labelEvery === (bars.length - 1) % labelEvery && (
              <text x={x + slot * 0.35} y={H - 6} textAnchor="middle">
                {b.label}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}
