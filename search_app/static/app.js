// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  // The provision the reader is at: the URL's #target until the reader scrolls through the text, then the
  // topmost provision on screen. Scrolling back up to the header (to reach the language links) keeps it.
  var readerAt = null;

  function topmostProvision() {
    var sections = document.querySelectorAll("[data-provision]");
    for (var i = 0; i < sections.length; i++) {
      if (sections[i].getBoundingClientRect().bottom > 120) return sections[i].id;
    }
    return null;
  }

  function trackReader() {
    var first = document.querySelector("[data-provision]");
    if (!first) return;
    readerAt = decodeURIComponent(location.hash.slice(1)) || null;
    // Only the reader's own scrolling moves the position, not the jump to a #target or to the highlighted obligation.
    var reading = false, pending = false;
    ["wheel", "touchmove", "keydown"].forEach(function (type) {
      window.addEventListener(type, function () { reading = true; }, {passive: true});
    });
    window.addEventListener("scroll", function () {
      if (!reading || pending) return;
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        if (first.getBoundingClientRect().top < 0) readerAt = topmostProvision() || readerAt;
      });
    }, {passive: true});
    window.addEventListener("hashchange", function () { readerAt = decodeURIComponent(location.hash.slice(1)) || readerAt; });
  }

  function keepPosition(a) {
    a.addEventListener("click", function () {
      if (readerAt) a.href = a.href.split("#")[0] + "#" + encodeURIComponent(readerAt);
    });
  }

  ready(function () {
    // Filters and sorting apply as soon as they change.
    // Keyboard users get their focus back on the same checkbox after the page reloads.
    document.querySelectorAll(".facet-form input[type=checkbox]").forEach(function (box) {
      box.addEventListener("change", function () {
        try { sessionStorage.setItem("regkb-focus", box.name + "=" + box.value); } catch (e) { /* storage off */ }
        box.form.submit();
      });
    });
    try {
      var focusKey = sessionStorage.getItem("regkb-focus");
      sessionStorage.removeItem("regkb-focus");
      if (focusKey) {
        var eq = focusKey.indexOf("=");
        document.querySelectorAll(".facet-form input[type=checkbox]").forEach(function (box) {
          if (box.name === focusKey.slice(0, eq) && box.value === focusKey.slice(eq + 1)) box.focus();
        });
      }
    } catch (e) { /* storage off */ }
    document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
      sel.addEventListener("change", function () { sel.form.submit(); });
    });

    // On a phone the filters start folded, so the results come first.
    var filters = document.querySelector("details.filters");
    if (filters && window.matchMedia("(max-width: 60rem)").matches) filters.open = false;

    // Long facet lists: show the first values, with a button for the rest.
    document.querySelectorAll(".facet").forEach(function (fs) {
      var extra = fs.querySelectorAll("li.extra");
      if (!extra.length) return;
      var btn = document.createElement("button");
      btn.type = "button";
      btn.className = "more";
      btn.setAttribute("aria-expanded", "false");
      btn.textContent = (document.documentElement.lang === "nl" ? "Meer tonen" : "Show more") + " (" + extra.length + ")";
      btn.addEventListener("click", function () {
        var open = fs.classList.toggle("show-all");
        btn.setAttribute("aria-expanded", open ? "true" : "false");
      });
      fs.appendChild(btn);
    });

    // The reader: bring the highlighted obligation into view and give it focus
    // (after "load": the browser's own jump to the #fragment would otherwise undo it).
    var mark = document.querySelector("mark.target");
    if (mark) {
      var show = function () {
        mark.scrollIntoView({block: "center"});
        mark.focus({preventScroll: true});
      };
      if (document.readyState === "complete") show(); else window.addEventListener("load", function () { setTimeout(show, 0); });
    }

    // The sticky header's real height (it wraps onto two lines in Dutch): what stays in view below it
    // (the reader's contents and language versions, a #target) starts under it, not under the one-line height.
    var header = document.querySelector("header.site");
    if (header) {
      var measure = function () {
        document.documentElement.style.setProperty("--header-h", header.offsetHeight + "px");
      };
      measure();
      window.addEventListener("resize", measure);
    }

    // Switching to another language version, or the interface language, keeps the reader at the same provision
    // (provision ids are the same in every language version).
    trackReader();
    document.querySelectorAll("a[data-keep-position], a[data-lang-switch]").forEach(keepPosition);
  });
})();
