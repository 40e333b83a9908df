"""Accessibility checks in the real browser: text contrast (WCAG AA) and labelled form controls."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

# Relative luminance and contrast as WCAG 2.1 defines them, computed on the rendered colours.
CONTRAST_JS = """
(selectors) => {
  const parse = c => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => { const f = v => { v /= 255;
                                                return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                               return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const background = el => { for (; el; el = el.parentElement) { const c = parse(getComputedStyle(el).backgroundColor);
                               if (c.length < 4 || c[3] > 0) return c; } return [255, 255, 255]; };
  const out = [];
  for (const sel of selectors) for (const el of document.querySelectorAll(sel)) {
    if (!el.textContent.trim() || !el.getClientRects().length) continue;
    const fg = lum(parse(getComputedStyle(el).color)), bg = lum(background(el));
    out.push([sel, el.textContent.trim().slice(0, 30), (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05)]);
  }
  return out;
}
"""
SELECTORS = ["body", "a", "header.site a", ".task", "table.data td", ".news .meta", ".count", ".meta", ".badge", "mark",
             ".chip", "button", "label", "legend",
             ".who-what dt", ".doc-kind", ".prov .num", ".help", "footer.site p", ".deadline"]


@pytest.mark.parametrize(
    "path", ["/", "/?q=child+labour&sector=C13", "/documents/celex-32024L1760-en", "/sectors", "/documents",
             "/timeline", "/whatsnew?since=2020-01-01"]
)
def test_text_contrast_meets_wcag_aa(page, fixture_server, path):
    page.goto(fixture_server.url + path)
    ratios = page.evaluate(CONTRAST_JS, SELECTORS)
    assert ratios, "nothing measured"
    low = [r for r in ratios if r[2] < 4.5]
    assert low == [], low


def test_every_form_control_has_a_label(page, fixture_server):
    page.goto(fixture_server.url + "/?q=child+labour")
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
        .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')).map(el => el.outerHTML)""")
    assert unlabelled == []
