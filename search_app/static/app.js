// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  // The provision the reader is looking at: the URL's target if it is on screen, else the topmost visible one.
  function currentProvision() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    var sections = document.querySelectorAll("[data-provision]");
    if (target) {
      var r = target.getBoundingClientRect();
      if (r.bottom > 0 && r.top < window.innerHeight) return target.closest("[data-provision]") || target;
    }
    for (var i = 0; i < sections.length; i++) {
      if (sections[i].getBoundingClientRect().bottom > 8) return sections[i];
    }
    return null;
  }

  ready(function () {
    // Filters and sorting apply as soon as they change.
    document.querySelectorAll(".facet-form input[type=checkbox]").forEach(function (box) {
      box.addEventListener("change", function () { box.form.submit(); });
    });
    document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
      sel.addEventListener("change", function () { sel.form.submit(); });
    });

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

    // Switching language keeps the reader at the same provision (ids are the same in every language).
    document.querySelectorAll("a[data-keep-position]").forEach(function (a) {
      a.addEventListener("click", function () {
        var p = currentProvision();
        if (p) a.href = a.href.split("#")[0] + "#" + encodeURIComponent(p.id);
      });
    });
    // The interface-language switch keeps the reader's position too.
    document.querySelectorAll("a[data-lang-switch]").forEach(function (a) {
      a.addEventListener("click", function () {
        var p = document.querySelector("[data-provision]") && currentProvision();
        if (p) a.href = a.href.split("#")[0] + "#" + encodeURIComponent(p.id);
        else if (location.hash) a.href = a.href.split("#")[0] + location.hash;
      });
    });
  });
})();
