// Small browser helpers the Blazor components call through JS interop.
window.cityops = {
    // Remembered per browser for a year; read by the server so the first paint has the right theme.
    rememberTheme: function (mode) {
        document.cookie = "cityops-theme=" + (mode === "light" ? "light" : "dark") + "; path=/; max-age=31536000; samesite=lax";
        document.querySelector('meta[name="color-scheme"]')?.setAttribute("content", mode === "light" ? "light" : "dark");
    }
};
