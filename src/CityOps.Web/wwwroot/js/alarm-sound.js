// A short tone for new High and Critical alarms, made with WebAudio (no audio file). Browsers start audio
// only after a user gesture on the page: until then the context stays suspended and the first click or key
// press anywhere resumes it. The operator's mute choice is remembered in localStorage.
const storageKey = "cityops.alarmSound.muted";
let context = null;

function audio() {
    if (!context) {
        const Ctx = window.AudioContext || window.webkitAudioContext;
        if (!Ctx) return null;
        context = new Ctx();
    }
    return context;
}

function unlocked() {
    return !!context && context.state === "running";
}

function unlockOnGesture() {
    const resume = () => {
        const ctx = audio();
        if (ctx && ctx.state !== "running") ctx.resume().catch(() => { });
        document.removeEventListener("pointerdown", resume, true);
        document.removeEventListener("keydown", resume, true);
    };
    document.addEventListener("pointerdown", resume, true);
    document.addEventListener("keydown", resume, true);
}

function muted() {
    try { return localStorage.getItem(storageKey) === "1"; } catch { return false; }
}

export function init() {
    unlockOnGesture();
    return { muted: muted(), unlocked: unlocked() };
}

export function setMuted(value) {
    try { localStorage.setItem(storageKey, value ? "1" : "0"); } catch { /* storage disabled: the choice lasts for the page */ }
    // This runs inside a click: the one moment the browser allows audio to start.
    const ctx = audio();
    if (ctx && ctx.state !== "running") ctx.resume().catch(() => { });
    return { muted: !!value, unlocked: unlocked() };
}

// Critical: three rising pulses; High: two pulses. Returns false when the browser has not allowed audio yet.
export function beep(priority) {
    if (muted()) return true;
    const ctx = audio();
    if (!ctx || ctx.state !== "running") return false;
    const pulses = priority === "critical" ? [880, 988, 1175] : [660, 660];
    let t = ctx.currentTime + 0.01;
    for (const freq of pulses) {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.type = "sine";
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0.0001, t);
        gain.gain.exponentialRampToValueAtTime(0.25, t + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.18);
        osc.connect(gain).connect(ctx.destination);
        osc.start(t);
        osc.stop(t + 0.2);
        t += 0.25;
    }
    return true;
}
