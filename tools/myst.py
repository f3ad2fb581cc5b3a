"""The directives of a MyST Markdown text, found by markdown-it-py as the book's
parser finds them: their name, argument, options and body, and the lines they
span (``colab.py`` rewrites them, ``exercises.py`` reads the exercises); and
the lines of its fenced code blocks (a test holds them to the page's width)."""
import re
from collections import namedtuple

from markdown_it import MarkdownIt
from mdit_py_plugins.colon_fence import colon_fence_plugin

PARSER = MarkdownIt("commonmark").use(colon_fence_plugin)
OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*)$")

#: ``{name} arg`` with ``:key: value`` options and a body (MyST itself),
#: spanning the lines ``start:end`` of the text, its fences included.
Directive = namedtuple("Directive", "name arg options body start end")


def split_options(lines):
    """Split a directive's body into ``({option: value}, remaining lines)``."""
    options, i = {}, 0
    while i < len(lines) and OPTION.match(lines[i]):
        m = OPTION.match(lines[i])
        options[m["key"]] = m["value"].strip()
        i += 1
    while i < len(lines) and not lines[i].strip():
        i += 1
    return options, lines[i:]


def directives(text):
    """The directives of ``text`` that are not inside another block (a list,
    a quote, a directive: their bodies are texts of their own), in order."""
    for token in PARSER.parse(text):
        info = token.info.strip()
        if (token.level == 0 and token.type in ("fence", "colon_fence")
                and re.match(r"\{[\w:-]+\}", info)):
            name, _, arg = info[1:].partition("}")
            options, body = split_options(token.content.removesuffix("\n").split("\n"))
            yield Directive(name, arg.strip(), options, "\n".join(body), *token.map)


def code_lines(text, first=1):
    """``(line number, line)`` of every line of the fenced code blocks of
    ``text``, counting its lines from ``first``: those inside directives too
    (a directive's body is a text of its own), but not the directives' own
    lines, unless the directive is {code} or {code-cell}."""
    lines = text.split("\n")
    for token in PARSER.parse(text):
        if token.type not in ("fence", "colon_fence") or token.map is None:
            continue
        info, start = token.info.strip(), token.map[0] + 1  # the line after the fence
        if re.match(r"\{[\w:-]+\}", info) and not info.startswith(("{code}", "{code-cell}")):
            yield from code_lines(token.content, first + start)
        else:  # as written, indentation included
            count = len(token.content.removesuffix("\n").split("\n")) if token.content else 0
            yield from enumerate(lines[start:start + count], start=first + start)
