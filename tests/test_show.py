import re

import pytest

import d2lmini
from d2lmini import show


def test_show_source_of_a_function():
    src = d2lmini.show_source(show.show_source)
    assert src.code.startswith("def show_source(obj):")
    assert src.title.startswith("d2lmini/show.py, lines ")
    html = src._repr_html_()
    assert "style=" in html and "show_source" in html and "d2lmini/show.py" in html
    assert repr(src).startswith("# d2lmini/show.py") and str(src) == src.code


def test_show_source_of_a_method_is_dedented():
    src = d2lmini.show_source(show.Source._repr_html_)
    assert src.code.startswith("def _repr_html_(self):")


def test_show_source_line_numbers_point_at_the_code():
    src = show.show_source(show.glue)
    first = int(src.title.split("lines ")[1].split("-")[0])
    with open(show.__file__) as f:
        assert f.readlines()[first - 1].startswith("def glue")


@pytest.mark.parametrize("bad", [3, "text", None])
def test_show_source_rejects_non_code(bad):
    with pytest.raises(TypeError, match="expects a function, class, method or module"):
        d2lmini.show_source(bad)


def test_show_source_without_source():
    import math
    with pytest.raises(TypeError, match="no source code"):
        d2lmini.show_source(math)


# The HTML: the theme's Pygments classes, and a scoped fallback for plain Jupyter.

SCOPE = ":root:not([data-theme]) .d2lmini-source .highlight"


def html_of(obj=show):
    return d2lmini.show_source(obj)._repr_html_()


def test_html_uses_pygments_classes_inside_a_highlight_div():
    html = html_of(show.claim)
    assert html.startswith('<div class="d2lmini-source"')
    assert '<div class="highlight"><pre>' in html
    assert '<span class="k">def</span>' in html and '<span class="nf">claim</span>' in html
    assert '<div class="d2lmini-source-title"' in html


def test_html_writes_no_colour_inline():
    html = html_of()
    assert not re.search(r"<span[^>]*style=", html)
    for style in re.findall(r'style="([^"]*)"', html):
        assert "color" not in style and "#" not in style and "background" not in style, style


def test_title_is_escaped():
    html = show.Source("x = 1\n", "<b>a & b</b>")._repr_html_()
    assert "&lt;b&gt;a &amp; b&lt;/b&gt;" in html and "<b>" not in html


def fallback_rules(html):
    """{'light': {selector: declarations}, 'dark': {...}} from the <style>."""
    css = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    light, _, dark = css.partition("@media (prefers-color-scheme: dark) {")
    rules = {}
    for mode, text in (("light", light), ("dark", dark.rstrip().removesuffix("}"))):
        rules[mode] = {}
        for selectors, declarations in re.findall(r"([^{}]+)\{([^{}]*)\}", text):
            for selector in map(str.strip, selectors.split(",")):
                rules[mode][selector] = rules[mode].get(selector, "") + declarations + ";"
    return rules


def test_fallback_is_scoped_to_pages_without_the_books_theme():
    rules = fallback_rules(html_of())
    for mode in ("light", "dark"):
        assert rules[mode]
        for selector in rules[mode]:
            assert selector.startswith(SCOPE), selector


def contrast(one, two):
    def luminance(colour):
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
                   for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    high, low = sorted([luminance(one), luminance(two)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_fallback_colours_pass_wcag_aa_on_their_background():
    html = html_of()  # a whole module: every kind of token
    used = set(re.findall(r'<span class="([^"]+)"', html))
    for mode, rules in fallback_rules(html).items():
        background = re.search(r"background: (#[0-9a-fA-F]{6})", rules[SCOPE]).group(1)
        colours = {SCOPE: re.search(r"color: (#[0-9a-fA-F]{6})", rules[SCOPE]).group(1)}
        for selector, declarations in rules.items():
            found = re.search(r"(?<!-)color: (#[0-9a-fA-F]{6})", declarations)
            if found and selector != f"{SCOPE} pre":
                colours[selector] = found.group(1)
        assert {s.split(" .")[-1] for s in colours} >= used - {"w"}, mode
        low = {s: round(contrast(c, background), 2) for s, c in colours.items()
               if contrast(c, background) < 4.5}
        assert not low, f"{mode}: contrast below 4.5:1 on {background}: {low}"


def test_fallback_colours_are_the_themes():
    """The same colours as the book theme's Pygments styles, where those are
    installed (accessible-pygments comes with pydata-sphinx-theme)."""
    from pygments.styles import get_style_by_name
    from pygments.token import Token
    from pygments.util import ClassNotFound
    for mode, palette in show.PALETTES.items():
        try:
            theme = get_style_by_name(f"a11y-high-contrast-{mode}")
        except ClassNotFound:
            pytest.skip("accessible-pygments is not installed")
        assert theme.background_color.lower() == palette["background"]
        text = theme.style_for_token(Token.Text)["color"]
        for token, role in show.ROLES.items():
            colour = theme.style_for_token(token)["color"] or text
            assert f"#{colour}".lower() == palette[role], token


def test_plot_validates():
    with pytest.raises(ValueError, match="legend entries"):
        d2lmini.plot.plot([1, 2], [[1, 2], [2, 3]], legend=["one"])
    with pytest.raises(ValueError, match="needs 4 images"):
        d2lmini.show_images([[[0]]], 2, 2)
