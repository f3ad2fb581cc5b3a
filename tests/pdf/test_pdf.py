"""The PDF edition, as a reader gets it: _build/pdf/d2lmini.pdf and the
instructors' d2lmini-instructors.pdf, made by `make pdf` (tools/pdf.py).

Read with poppler's tools (pdfinfo, pdftotext, pdftoppm); run by
`make test` after `make pdf`.
"""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import course  # noqa: E402
import nbtool  # noqa: E402
import pdf as tool  # noqa: E402

STUDENT = tool.OUT / "d2lmini.pdf"
INSTRUCTORS = tool.OUT / "d2lmini-instructors.pdf"
CELLS = [(path, cell) for _, path in nbtool.toc_files() if path.suffix == ".ipynb"
         for cell in json.loads(path.read_text())["cells"]]


def poppler(*args):
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def squeeze(text):
    return " ".join(text.split())


@pytest.fixture(scope="module", autouse=True)
def made():
    """Both editions are there, printed from the chapters as they are."""
    sources = [path for _, path in nbtool.toc_files()] + [ROOT / "_static" / "print.css"]
    for pdf in (STUDENT, INSTRUCTORS):
        if not pdf.is_file():
            pytest.fail(f"no {pdf.relative_to(ROOT)}: run `make pdf` first")
        newer = [str(p.relative_to(ROOT)) for p in sources
                 if p.stat().st_mtime > pdf.stat().st_mtime]
        if newer:
            pytest.fail(f"{pdf.relative_to(ROOT)} is older than {newer}: run `make pdf`")


def pages_of(pdf):
    return poppler("pdftotext", str(pdf), "-").split("\f")[:-1]


@pytest.fixture(scope="module")
def student():
    return pages_of(STUDENT)


@pytest.fixture(scope="module")
def instructors():
    return pages_of(INSTRUCTORS)


def chapters():
    """(expected heading, numbered) of every page of _toc.yml but the root, in
    order: the website numbers the chapters of numbered parts 1, 2, ... across
    parts."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    numbered = {c["file"]: part.get("numbered", False)
                for part in toc["parts"] for c in part["chapters"]}
    out, number = [], 0
    for name, path in nbtool.toc_files()[1:]:
        title = course.page_title(path)
        if numbered[name]:
            number += 1
            title = f"{number}. {title}"
        out.append(title)
    return out


def test_a4_and_a_sane_number_of_pages():
    for pdf, pages in ((STUDENT, (150, 700)), (INSTRUCTORS, (150, 900))):
        info = dict(re.findall(r"^([^:]+):\s+(.*)$", poppler("pdfinfo", str(pdf)), re.M))
        width, height = map(float, re.match(r"([\d.]+) x ([\d.]+) pts", info["Page size"]).groups())
        assert (round(width), round(height)) in ((596, 842), (612, 792)), info["Page size"]
        assert pages[0] <= int(info["Pages"]) <= pages[1], info["Pages"]


def test_title_page_and_contents(student):
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    title, _, subtitle = config["title"].partition(": ")
    lines = [squeeze(line) for line in student[0].splitlines() if line.strip()]
    assert lines[:3] == [title, subtitle, config["author"]]
    contents = squeeze(student[1])
    assert contents.startswith("Contents")
    # every chapter, in order, numbered as on the website, with the page it starts on
    at = 0
    for heading in chapters():
        found = re.compile(re.escape(heading) + r" (\d+)").search(contents, at)
        assert found, f"{heading!r} is not in the contents (in order, with a page number)"
        page = int(found.group(1))
        assert squeeze(student[page - 1]).startswith(heading), \
            f"the contents says {heading!r} starts on page {page}"
        at = found.end()


@pytest.mark.parametrize("edition", ["student", "instructors"])
def test_every_chapter_starts_a_page_in_order(edition, request):
    pages = [squeeze(page) for page in request.getfixturevalue(edition)]
    page = 2
    for heading in chapters():
        page = next((i for i in range(page, len(pages)) if pages[i].startswith(heading)), None)
        assert page is not None, f"no page after the last chapter starts with {heading!r}"


def words_of(pdf):
    """Each page's size and its words, with their boxes (x0, y0, x1, y1, word)."""
    html = poppler("pdftotext", "-bbox", str(pdf), "-")
    word = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                      r'yMax="([\d.]+)">([^<]*)</word>')
    return [(float(width), float(height),
             [(*map(float, w[:4]), w[4]) for w in word.findall(body)])
            for width, height, body in re.findall(
                r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', html, re.S)]


@pytest.mark.parametrize("pdf", [STUDENT, INSTRUCTORS], ids=["student", "instructors"])
def test_every_page_has_text_and_its_number_in_the_footer(pdf):
    bottom = tool.MARGINS["marginBottom"] * 72
    for number, (_, height, words) in enumerate(words_of(pdf), 1):
        footer = [w[4] for w in words if w[1] > height - bottom]
        assert footer == [str(number)], f"page {number}'s footer: {footer}"
        assert len(words) > 1, f"page {number} is blank"


@pytest.mark.parametrize("edition", ["student", "instructors"])
def test_no_unresolved_reference_or_raw_markup(edition, request):
    text = "\f".join(request.getfixturevalue(edition))
    for raw in ("??", "{doc}", "{cite}", "{numref}", "{ref}", "{eq}", "{glue", "{exercise}",
                "{solution}", ":::", "```", "$$", "\\frac", "\\begin", "\\mathbf"):
        where = text.find(raw)
        assert where < 0, f"{raw!r} in the PDF: {text[max(0, where - 80):where + 80]!r}"


def test_math_is_typeset(student):
    """No TeX command of the chapters' math is left in the text (commands that
    code or outputs also print aside): MathJax typeset it all."""
    prose = " ".join("".join(c["source"]) for _, c in CELLS if c["cell_type"] == "markdown")
    code = " ".join(json.dumps(c) for _, c in CELLS if c["cell_type"] == "code")
    commands = set(re.findall(r"\\[a-zA-Z]{2,}", prose)) - set(re.findall(r"\\[a-zA-Z]{2,}", code))
    assert len(commands) > 20
    text = " ".join(student)
    left = sorted(c for c in commands if re.search(re.escape(c) + r"(?![a-zA-Z])", text))
    assert not left, f"raw TeX in the PDF: {left}"
    assert "\\(" not in text and "\\[" not in text


def test_code_and_outputs_stay_inside_the_margins():
    """Every word lies inside the printed area: a line of code or output too
    long for the page is wrapped, not cut at the margin (or drawn past it)."""
    left, right = tool.MARGINS["marginLeft"] * 72, tool.MARGINS["marginRight"] * 72
    outside = [(page, w[4]) for page, (width, _, words) in enumerate(words_of(STUDENT), 1)
               for w in words if w[0] < left - 1 or w[2] > width - right + 1]
    assert not outside, f"words outside the margins (page, word): {outside[:10]}"


def long_lines():
    """The long lines of code and printed output that both editions show."""
    for path, cell in CELLS:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell["cell_type"] != "code" or {"hide-input", "hide-cell"} & set(tags):
            continue
        texts = ["".join(cell["source"])] + [
            "".join(out["text"]) for out in cell.get("outputs", []) if out.get("name") == "stdout"]
        for text in texts:
            for line in text.splitlines():
                if len(line) > 70 and "NBVAL" not in line:
                    yield path.relative_to(ROOT), line


def test_long_lines_of_code_and_output_are_whole():
    """Each long line of code or output is in the text whole, wrapped or not
    (compared without spaces, in the order the page draws its text: a wrapped
    line breaks at any character)."""
    text = re.sub(r"\s+", "", poppler("pdftotext", "-raw", str(STUDENT), "-"))
    lines = list(long_lines())
    assert len(lines) > 100
    missing = [(str(path), line) for path, line in lines
               if re.sub(r"\s+", "", line) not in text]
    assert not missing, f"{len(missing)} lines cut or missing, e.g. {missing[:3]}"


def solutions():
    """Text that only the solutions hold: the first line of each solution's
    code cell, and the first line of plain prose of each solution's text."""
    sources = ["".join(cell["source"]) for _, cell in CELLS]
    out = []
    for source in sources:
        if source.startswith("# Solution of exercise"):
            out.append(source.splitlines()[0])
        for _, body in re.findall(r"^(`{3,}|:{3,})\{solution\}.*?\n(.*?)^\1$", source, re.M | re.S):
            body = re.sub(r"^(`{3,}).*?^\1", "", body, flags=re.M | re.S)  # code blocks
            # a line of plain words, in a paragraph without math (whose
            # sub- and superscripts come out of the PDF between lines)
            plain = [line for paragraph in body.split("\n\n") if "$" not in paragraph
                     for line in paragraph.splitlines() if len(line) > 40
                     and not re.search(r"[^\w ,.;()]", line)
                     and sum(line in other for other in sources) == 1]
            out += plain[:1]
    return out


def test_solutions_only_in_the_instructors_edition(student, instructors):
    texts = solutions()
    assert len(texts) > 50
    student, instructors = squeeze(" ".join(student)), squeeze(" ".join(instructors))
    assert "Solution to" not in student
    shown = [t for t in texts if squeeze(t) in student]
    assert not shown, f"solutions in the students' PDF: {shown[:3]}"
    missing = [t for t in texts if squeeze(t) not in instructors]
    assert not missing, f"solutions missing from the instructors' PDF: {missing[:3]}"


def test_folded_code_is_left_out(student, instructors):
    """Code that the website folds (hide-input) is left out; its figure stays.
    (A solution's code, tagged hide-cell too, goes with its solution.)"""
    def tags(cell):
        return set(cell.get("metadata", {}).get("tags", []))
    shown = "\n".join("".join(cell["source"]) for _, cell in CELLS
                       if cell["cell_type"] == "code" and "hide-input" not in tags(cell))
    folded = [max((line for line in "".join(cell["source"]).splitlines()
                   if line.strip() not in shown), key=len)
              for _, cell in CELLS if tags(cell) == {"hide-input"}]
    assert len(folded) > 10
    for pages in (student, instructors):
        text = squeeze(" ".join(pages))
        assert not [line for line in folded if squeeze(line) in text]


def test_the_website_links_to_both_editions(student):
    """The home page links to each edition by the name tools/pdf.py gives it,
    relative to itself; the workflow puts each next to the website's
    index.html; the PDF leaves the link out."""
    home = (tool.OUT / "singlehtml" / "intro.html").read_text()
    workflow = (ROOT / ".github" / "workflows" / "book.yml").read_text()
    published = re.search(r"cp (.*) _build/html/$", workflow, re.M)
    assert published, "the workflow does not copy the PDF into the website"
    for name in tool.EDITIONS:
        assert re.search(rf'href="{re.escape(name)}"', home), f"intro.md does not link to {name}"
        assert f"_build/pdf/{name}" in published.group(1).split()
    assert "Download the book as a PDF" not in squeeze(" ".join(student))


def page_with(pages, text):
    return next(i for i, page in enumerate(pages, 1) if text in squeeze(page))


def page_image(pdf, page, tmp_path):
    poppler("pdftoppm", "-r", "40", "-png", "-f", str(page), "-l", str(page),
            "-singlefile", str(pdf), str(tmp_path / f"page{page}"))
    return Image.open(tmp_path / f"page{page}.png").convert("RGB")


def test_pages_look_right(student, tmp_path):
    """The title page, the contents, a page of a chapter with a figure and
    math, and a page of code: each has ink, is mostly white paper but not
    only, and the figure page has the colours of a plot."""
    pages = {
        "title": 1, "contents": 2,
        "figure and math": page_with(student, "15.1.1. The learning rate"),
        "code": page_with(student, "def largest_gap(a, b):"),
    }
    for what, page in pages.items():
        image = page_image(STUDENT, page, tmp_path)
        pixels = list(image.get_flattened_data())
        white = sum(1 for p in pixels if min(p) > 240) / len(pixels)
        dark = sum(1 for p in pixels if max(p) < 110) / len(pixels)
        colour = sum(1 for p in pixels if max(p) - min(p) > 60) / len(pixels)
        assert 0.5 < white < 0.995, f"the {what} page (page {page}) is {white:.1%} white"
        assert dark > 0.002, f"the {what} page (page {page}) has no text"
        if what == "figure and math":
            assert colour > 0.002, f"no coloured plot on page {page}"
            assert "η" in student[page - 1], f"no math on page {page}"
