/*
 * The #igivehope moment: shows the moment in the visitor's own time zone and counts down to
 * it. Without JavaScript the page shows the UTC date and time, which is always right.
 * Loaded with `defer` (no inline script: strict CSP). Texts come from data attributes, so
 * they are translated on the server; numbers and units are formatted by the browser (Intl).
 */
(function () {
    "use strict";

    function units(lang, seconds) {
        var parts = [];
        var spans = [["day", 86400], ["hour", 3600], ["minute", 60], ["second", 1]];
        spans.forEach(function (span) {
            var amount = Math.floor(seconds / span[1]);
            seconds -= amount * span[1];
            if (amount > 0 || (span[0] === "second" && parts.length === 0)) {
                parts.push(
                    new Intl.NumberFormat(lang, { style: "unit", unit: span[0], unitDisplay: "long" })
                        .format(amount)
                );
            }
        });
        if (typeof Intl.ListFormat === "function") {
            return new Intl.ListFormat(lang, { style: "long", type: "unit" }).format(parts);
        }
        return parts.join(", ");
    }

    function start(box) {
        var time = box.querySelector("time[datetime]");
        var localText = box.querySelector("[data-local-time]");
        var countdown = box.querySelector("[data-countdown-text]");
        if (!time) {
            return;
        }
        var moment = new Date(time.getAttribute("datetime"));
        if (isNaN(moment.getTime())) {
            return;
        }
        var lang = box.getAttribute("data-lang") || document.documentElement.lang || "en";
        try {
            var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
            var local = new Intl.DateTimeFormat(lang, { dateStyle: "full", timeStyle: "short" })
                .format(moment);
            localText.textContent = box.getAttribute("data-local-label") + " " + local +
                (zone ? " (" + zone + ")" : "");
            localText.hidden = false;
        } catch (error) {
            return;
        }

        function tick() {
            var left = Math.floor((moment.getTime() - Date.now()) / 1000);
            if (left <= 0) {
                countdown.textContent = box.getAttribute("data-now-text");
                countdown.hidden = false;
                return;
            }
            countdown.textContent = box.getAttribute("data-left-label") + " " + units(lang, left);
            countdown.hidden = false;
            window.setTimeout(tick, 1000);
        }
        tick();
    }

    function fillTimeZone() {
        var input = document.querySelector("[data-time-zone-field] input");
        if (input && !input.value) {
            try {
                input.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
            } catch (error) {
                /* leave it empty: the server uses UTC */
            }
        }
    }

    document.querySelectorAll("[data-countdown]").forEach(start);
    fillTimeZone();
})();
