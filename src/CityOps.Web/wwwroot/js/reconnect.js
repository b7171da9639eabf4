// Keeps a screen connected without anyone touching it. Blazor retries a lost connection a few times and
// then gives up; here the retries go on every few seconds. When the server answers but no longer knows
// the session (it restarted), the page reloads and starts again with fresh data.
// A reload happens only once the server answers: reloading while it is down would replace the screen with the
// browser's own error page, which never tries again by itself.
(function () {
    const banner = document.getElementById("components-reconnect-modal");
    if (!banner) return;
    const errorUi = document.getElementById("blazor-error-ui");
    const retryEvery = 5000;
    let timer = null;

    // Any answer short of a server error counts, a redirect to the sign-in page included.
    async function serverAnswers() {
        try {
            const response = await fetch(location.href, { method: "HEAD", cache: "no-store", redirect: "manual" });
            return response.type === "opaqueredirect" || response.status < 500;
        } catch {
            return false;
        }
    }

    // The session is over: reload as soon as the server answers, saying meanwhile that it cannot be reached.
    async function reloadWhenReachable() {
        if (await serverAnswers()) {
            location.reload();
            return;
        }
        if (errorUi) errorUi.style.display = "none";
        banner.className = "cityops-reconnect components-reconnect-failed";
        setTimeout(reloadWhenReachable, retryEvery);
    }

    async function retry() {
        timer = null;
        try {
            if (!await serverAnswers()) {
                schedule();
                return;
            }
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
                Blazor.resumeCircuit().then(ok => ok || reloadWhenReachable()).catch(schedule);
                break;
            case "rejected":
            case "resume-failed":
                reloadWhenReachable();
                break;
            case "hide":
                clearTimeout(timer);
                timer = null;
                break;
        }
    });
    banner.querySelector("[data-reconnect-reload]")?.addEventListener("click", () => location.reload());

    // An unhandled error ends the session for good: the framework shows #blazor-error-ui, and the screen comes back
    // by reloading, after long enough for someone watching to read why. A server shutting down can end sessions this
    // way too; the error display then gives way to the banner until the server is back.
    if (errorUi) {
        const reloadAfterError = 5000;
        let reloading = null;
        new MutationObserver(() => {
            if (!reloading && errorUi.style.display && errorUi.style.display !== "none") {
                reloading = setTimeout(reloadWhenReachable, reloadAfterError);
            }
        }).observe(errorUi, { attributes: true, attributeFilter: ["style"] });
        errorUi.querySelector("[data-error-reload]")?.addEventListener("click", () => location.reload());
    }
})();
