// Helpers of the alert-rule administration pages: the backtest chart (a sensor's trend with the alarms a rule
// would have raised shaded over it) and file downloads of exported rules.
const uPlot = window.uPlot;

function cssVar(element, name, fallback) {
    return getComputedStyle(element).getPropertyValue(name).trim() || fallback;
}

// options: { label, unit, timeZone, height, ts: [unix seconds], min: [], max: [], intervals: [[from, to], ...] (unix seconds) }
export function drawBacktest(element, options) {
    // The panel may have left the page while the call was on its way (another rule chosen, the dialog closed).
    if (!element?.isConnected) return null;
    const line = cssVar(element, "--mud-palette-text-primary", "#dde0e3");
    const grid = cssVar(element, "--mud-palette-lines-default", "#41474d");
    const text = cssVar(element, "--mud-palette-text-secondary", "#a4aab0");
    const alarm = cssVar(element, "--mud-palette-error", "#f44336");
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const unit = options.unit;
    const fmt = (u, v) => v == null ? "–" : `${(+v).toPrecision(5)} ${unit}`;
    const intervals = options.intervals ?? [];
    // Shaded under the trend so the values stay readable; hatching is not needed: the legend says what the shade means.
    const shade = u => {
        const ctx = u.ctx, { top, height, left, width } = u.bbox;
        ctx.save();
        // The palette gives the colour in any CSS form (hex, rgb()), so transparency comes from the canvas, not the string.
        ctx.globalAlpha = 0.3;
        ctx.fillStyle = alarm;
        for (const [from, to] of intervals) {
            const x0 = Math.max(left, u.valToPos(from, "x", true));
            const x1 = Math.min(left + width, u.valToPos(to, "x", true));
            if (x1 >= left && x0 <= left + width) ctx.fillRect(x0, top, Math.max(x1 - x0, devicePixelRatio * 2), height);
        }
        ctx.restore();
    };
    const hm = uPlot.fmtDate("{HH}:{mm}"), dhm = uPlot.fmtDate("{DD}.{MM} {HH}:{mm}");
    const tzDate = ts => uPlot.tzDate(new Date(ts * 1e3), options.timeZone ?? "UTC");
    const timeValues = (u, splits) => {
        const fmt = u.scales.x.max - u.scales.x.min > 2 * 86400 ? dhm : hm;
        return splits.map(ts => fmt(tzDate(ts)));
    };
    const opts = {
        width: Math.max(element.clientWidth, 300),
        height: options.height ?? 260,
        tzDate,
        scales: { x: { time: true } },
        series: [
            {},
            { label: `${options.label} max`, stroke: line, width: 1, points: { show: false }, value: fmt },
            { label: `${options.label} min`, stroke: line, width: 1, points: { show: false }, value: fmt },
        ],
        bands: [{ series: [1, 2], fill: line + "33" }],
        axes: [{ ...axis, values: timeValues }, { ...axis, size: 84, values: (u, splits) => splits.map(v => v == null ? "" : `${+v.toPrecision(6)} ${unit}`) }],
        cursor: { drag: { x: true, y: false } },
        hooks: { drawClear: [shade] },
    };
    const plot = new uPlot(opts, [options.ts, options.max, options.min], element);
    element.dataset.points = String(options.ts.length);
    element.dataset.alarmIntervals = String(intervals.length);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(element.clientWidth, 300), height: opts.height }));
    resize.observe(element);
    return {
        dispose() {
            resize.disconnect();
            plot.destroy();
        },
    };
}

export function download(fileName, contentType, text) {
    const url = URL.createObjectURL(new Blob([text], { type: contentType }));
    const a = document.createElement("a");
    a.href = url;
    a.download = fileName;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
}
