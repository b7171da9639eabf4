// Keeps a screen connected without anyone touching it. Blazor retries a lost connection a few times and
// then gives up; here the retries go on every few seconds. When the server answers but no longer knows
// the session (it restarted), the page reloads and starts again with fresh data.
(function () {
    const banner = document.getElementById("components-reconnect-modal");
    if (!banner) return;
    const retryEvery = 5000;
    let timer = null;

    async function retry() {
        timer = null;
        try {
            if (await Blazor.reconnect() || await Blazor.resumeCircuit()) return;
            location.reload();
        } catch {
            schedule();
        }
    }

    function schedule() {
        if (!timer) timer = setTimeout(retry, retryEvery);
    }

    banner.addEventListener("components-reconnect-state-changed", e => {
        switch (e.detail.state) {
            case "failed":
                schedule();
                break;
            case "paused":
                Blazor.resumeCircuit().then(ok => ok || location.reload()).catch(schedule);
                break;
            case "rejected":
            case "resume-failed":
                location.reload();
                break;
            case "hide":
                clearTimeout(timer);
                timer = null;
                break;
        }
    });
    banner.querySelector("[data-reconnect-reload]")?.addEventListener("click", () => location.reload());

    // An unhandled error ends the session for good: the framework shows #blazor-error-ui, and the screen comes back
    // by reloading, after long enough for someone watching to read why.
    const errorUi = document.getElementById("blazor-error-ui");
    if (errorUi) {
        const reloadAfterError = 5000;
        let reloading = null;
        new MutationObserver(() => {
            if (!reloading && errorUi.style.display && errorUi.style.display !== "none") {
                reloading = setTimeout(() => location.reload(), reloadAfterError);
            }
        }).observe(errorUi, { attributes: true, attributeFilter: ["style"] });
        errorUi.querySelector("[data-error-reload]")?.addEventListener("click", () => location.reload());
    }
})();
