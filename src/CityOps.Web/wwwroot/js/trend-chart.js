// Trend charts drawn with uPlot. Series arrive packed as little-endian float64 (a byte[] from .NET
// arrives as a Uint8Array): [count, seriesCount, ts..., series1..., series2...]. NaN marks a gap.
// Live charts append points in place; nothing is re-rendered by Blazor.
const uPlot = window.uPlot;
const timings = (window.cityopsChartTimings ??= []);

function unpack(bytes) {
    const aligned = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
    const all = new Float64Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 8);
    const n = all[0], k = all[1];
    const data = [];
    for (let s = 0; s <= k; s++) {
        const start = 2 + s * n;
        const series = all.subarray(start, start + n);
        data.push(s === 0 ? series : Array.from(series, v => Number.isNaN(v) ? null : v));
    }
    return data;
}

function cssVar(element, name, fallback) {
    return getComputedStyle(element).getPropertyValue(name).trim() || fallback;
}

function makeOptions(element, options, width) {
    const line = cssVar(element, "--mud-palette-text-primary", "#dde0e3");
    const grid = cssVar(element, "--mud-palette-lines-default", "#41474d");
    const text = cssVar(element, "--mud-palette-text-secondary", "#a4aab0");
    const band = cssVar(element, "--mud-palette-action-default", "#b4babf");
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const tzDate = ts => uPlot.tzDate(new Date(ts * 1e3), options.timeZone);
    // 24-hour times in the site's zone, with the date once the range spans days.
    const hm = uPlot.fmtDate("{HH}:{mm}"), hms = uPlot.fmtDate("{HH}:{mm}:{ss}"), dhm = uPlot.fmtDate("{DD}.{MM} {HH}:{mm}");
    const timeValues = (u, splits) => {
        const span = u.scales.x.max - u.scales.x.min;
        const fmt = span > 2 * 86400 ? dhm : span < 300 ? hms : hm;
        return splits.map(ts => fmt(tzDate(ts)));
    };
    const unit = options.unit;
    const series = [
        {},
        { label: options.label, stroke: line, width: 1.5, points: { show: false }, value: (u, v) => v == null ? "–" : `${v.toFixed(options.decimals)} ${unit}`, spanGaps: false },
    ];
    const bands = [];
    if (options.band) {
        series.push({ label: "min", stroke: "transparent", width: 0, points: { show: false }, value: (u, v) => v == null ? "–" : `${v.toFixed(options.decimals)} ${unit}` });
        series.push({ label: "max", stroke: "transparent", width: 0, points: { show: false }, value: (u, v) => v == null ? "–" : `${v.toFixed(options.decimals)} ${unit}` });
        bands.push({ series: [3, 2], fill: band + "33" });
    }
    return {
        width,
        height: options.height,
        series,
        bands,
        tzDate,
        scales: { x: { time: true } },
        axes: [{ ...axis, values: timeValues }, { ...axis, size: 84, values: (u, splits) => splits.map(v => v == null ? "" : `${+v.toPrecision(6)} ${unit}`) }],
        cursor: { drag: { x: true, y: false } },
        legend: { show: options.legend, live: true },
        hooks: {},
    };
}

// Alarm markers: a dashed vertical line at each time with a short label (shape + word, so colour is not the only cue).
function drawMarkers(u, markers) {
    if (!markers.length) return;
    const ctx = u.ctx;
    const { top, height, left, width } = u.bbox;
    ctx.save();
    ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
    ctx.lineWidth = devicePixelRatio;
    ctx.font = `${11 * devicePixelRatio}px Roboto, sans-serif`;
    ctx.textBaseline = "top";
    for (const m of markers) {
        const x = Math.round(u.valToPos(m.ts, "x", true));
        if (x < left || x > left + width) continue;
        const colour = m.colour.startsWith("var(") ? cssVar(u.root, m.colour.slice(4, -1), "#e0a43a") : m.colour;
        ctx.strokeStyle = colour;
        ctx.fillStyle = colour;
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, top + height);
        ctx.stroke();
        ctx.fillText(m.label, x + 3 * devicePixelRatio, top + 2 * devicePixelRatio);
    }
    ctx.restore();
}

export function create(element, options, bytes) {
    // The component may have left the page while the call was on its way (another page, a range or a panel
    // replaced): there is nothing to draw into, and throwing here would end the operator's whole session.
    if (!element?.isConnected) return null;
    // Render time is measured from receiving the series to the end of the first draw of it.
    let measuring = performance.now();
    const data = unpack(bytes);
    const opts = makeOptions(element, options, Math.max(element.clientWidth, 300));
    let markers = options.markers ?? [];
    element.dataset.markers = String(markers.length);
    opts.hooks.draw = [u => drawMarkers(u, markers), u => {
        if (measuring === null) return;
        const ms = performance.now() - measuring;
        measuring = null;
        const points = u.data[0].length;
        element.dataset.renderMs = ms.toFixed(1);
        element.dataset.points = String(points);
        timings.push({ points, ms });
    }];
    const plot = new uPlot(opts, data, element);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(element.clientWidth, 300), height: options.height }));
    resize.observe(element);
    let live = data.map(s => Array.from(s));
    element.dataset.lastTs = String(live[0].at(-1) ?? "");
    return {
        // Replaces the whole series (a new history range); measured like the first draw.
        setData(packed) {
            measuring = performance.now();
            const next = unpack(packed);
            plot.setData(next);
            live = null;
            element.dataset.lastTs = String(next[0].at(-1) ?? "");
        },
        // Appends newer points and drops those older than the window (seconds); the time axis follows.
        append(packed, windowSeconds) {
            // Zoomed: the visible range is narrower than the points drawn (read before they change).
            const x = plot.scales.x, shown = plot.data[0];
            const zoomed = shown.length > 1 && x.min != null && (x.min > shown[0] || x.max < shown[shown.length - 1]);
            const add = unpack(packed);
            live ??= plot.data.map(s => Array.from(s));
            const lastTs = live[0].at(-1) ?? -Infinity;
            for (let i = 0; i < add[0].length; i++) {
                if (add[0][i] <= lastTs) continue;
                for (let s = 0; s < live.length; s++) live[s].push(add[s][i]);
            }
            const newest = live[0].at(-1);
            let drop = 0;
            while (drop < live[0].length && live[0][drop] < newest - windowSeconds) drop++;
            if (drop) for (const s of live) s.splice(0, drop);
            // Follow the newest points unless the operator has zoomed into part of the trend (drag to zoom,
            // double-click to return to following): then new points must not move the view away.
            plot.setData(live, !zoomed);
            element.dataset.zoomed = String(zoomed);
            element.dataset.lastTs = String(newest ?? "");
            element.dataset.points = String(live[0].length);
        },
        // Replaces the alarm markers (raise and clear times, Unix seconds) and redraws.
        setMarkers(next) {
            markers = next ?? [];
            element.dataset.markers = String(markers.length);
            plot.redraw(false, false);
        },
        dispose() {
            resize.disconnect();
            plot.destroy();
        },
    };
}

// The alarm evidence chart: the readings, the rule's lines, the forecast cone, the model's band and anomaly score
// (on its own 0–1 axis) and the triggering readings as points, on one time axis. Columns arrive packed as above;
// options.series describes each column (label, kind, scale) and options.bands pairs columns to fill between.
const evidenceColours = {
    value: ["--mud-palette-text-primary", "#dde0e3"],
    limit: ["--mud-palette-error", "#f44336"],
    deadband: ["--mud-palette-warning", "#ff9800"],
    centre: ["--mud-palette-info", "#2196f3"],
    control: ["--mud-palette-error", "#f44336"],
    valid: ["--mud-palette-text-secondary", "#a4aab0"],
    forecast: ["--mud-palette-primary", "#7e6fff"],
    cone: ["--mud-palette-primary", "#7e6fff"],
    band: ["--mud-palette-action-default", "#b4babf"],
    expected: ["--mud-palette-action-default", "#b4babf"],
    score: ["--mud-palette-secondary", "#ff4081"],
    trigger: ["--mud-palette-error", "#f44336"],
};

export function evidence(element, options, bytes) {
    // The component may have left the page while the call was on its way (another page, a range or a panel
    // replaced): there is nothing to draw into, and throwing here would end the operator's whole session.
    if (!element?.isConnected) return null;
    const data = unpack(bytes);
    const base = makeOptions(element, { ...options, band: false }, Math.max(element.clientWidth, 300));
    const colour = kind => cssVar(element, ...(evidenceColours[kind] ?? evidenceColours.value));
    const format = (unit, decimals) => (u, v) => v == null ? "–" : `${v.toFixed(decimals)}${unit ? " " + unit : ""}`;
    const series = [{}];
    for (const s of options.series) {
        const c = colour(s.kind);
        const isScore = s.scale === "score";
        const entry = {
            label: s.label,
            scale: isScore ? "score" : "y",
            stroke: s.kind === "cone" || s.kind === "band" ? "transparent" : c,
            width: s.kind === "value" || s.kind === "score" ? 1.5 : 1,
            dash: ["limit", "deadband", "control", "valid", "forecast", "expected"].includes(s.kind) ? [6, 4] : undefined,
            points: { show: false },
            spanGaps: s.kind === "forecast" || s.kind === "cone" || s.kind === "band",
            value: format(isScore ? "" : options.unit, isScore ? 2 : options.decimals),
        };
        if (s.kind === "trigger") {
            entry.paths = () => null;
            entry.points = { show: true, size: 8, stroke: c, fill: c };
        }
        series.push(entry);
    }
    const bands = (options.bands ?? []).map(b => ({ series: [b.upper, b.lower], fill: colour(b.kind) + "33" }));
    const text = cssVar(element, "--mud-palette-text-secondary", "#a4aab0");
    const axes = [...base.axes];
    if (options.series.some(s => s.scale === "score")) {
        axes.push({ scale: "score", side: 1, stroke: text, grid: { show: false }, size: 48, values: (u, splits) => splits.map(v => v.toFixed(1)) });
    }
    const opts = { ...base, series, bands, axes, scales: { x: { time: true }, y: {}, score: { range: [0, 1] } } };
    const markers = options.markers ?? [];
    element.dataset.markers = String(markers.length);
    element.dataset.series = String(options.series.length);
    opts.hooks.draw = [u => drawMarkers(u, markers)];
    const plot = new uPlot(opts, data, element);
    element.dataset.points = String(data[0].length);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(element.clientWidth, 300), height: options.height }));
    resize.observe(element);
    return {
        dispose() {
            resize.disconnect();
            plot.destroy();
        },
    };
}
