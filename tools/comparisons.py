"""List the comparisons the chapters glue, with the number of seeds behind each.

    python tools/comparisons.py [--check]

A chapter compares methods with ``d2lmini.compare`` (d2lmini/seeds.py), whose
table in the recorded outputs carries ``{"d2lmini": {"comparison": name,
"seeds": {method: n}}}``. This prints, per chapter, every such comparison and
its fewest seeds per method. With ``--check`` it exits 1 when a comparison
rests on fewer than :data:`MIN_SEEDS` seeds in a chapter other than those in
:data:`TOO_COSTLY` (ResNet and DenseNet, whose CPU runs take an hour a seed:
their pages make no comparison that one seed cannot carry).
"""
import argparse
import sys

import nbformat

from course import cell_outputs, notebooks, relative

MIN_SEEDS = 3
TOO_COSTLY = {"resnet", "densenet"}


def comparisons(nb):
    """``[(name, {method: seeds})]`` for every comparison in ``nb``'s outputs."""
    found = []
    for _, _, out in cell_outputs(nb):
        mark = out.get("metadata", {}).get("d2lmini", {})
        if isinstance(mark, dict) and "comparison" in mark:
            found.append((mark["comparison"], dict(mark.get("seeds", {}))))
    return found


def table(paths=None):
    """``{chapter path: [(name, {method: seeds})]}`` for every chapter."""
    return {relative(p): comparisons(nbformat.read(p, as_version=4))
            for p in (paths or notebooks())}


def fewest(seeds):
    """The seeds behind a comparison: those of its method with the fewest."""
    return min(seeds.values(), default=0)


def too_few(listing):
    """``[(chapter, name, seeds)]`` for the comparisons below :data:`MIN_SEEDS`."""
    return [(path, name, fewest(seeds))
            for path, found in listing.items() if path.stem not in TOO_COSTLY
            for name, seeds in found if fewest(seeds) < MIN_SEEDS]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help=f"exit 1 if a comparison has fewer than {MIN_SEEDS} seeds")
    args = parser.parse_args(argv)
    listing = table()
    for path, found in listing.items():
        if found:
            print(path)
            for name, seeds in found:
                methods = ", ".join(seeds)
                print(f"  {name}: {fewest(seeds)} seeds ({methods})")
    total = sum(len(f) for f in listing.values())
    print(f"{total} comparisons in {sum(bool(f) for f in listing.values())} chapters")
    bad = too_few(listing)
    for path, name, n in bad:
        print(f"{path}: {name} rests on {n} seed(s), fewer than {MIN_SEEDS}",
              file=sys.stderr)
    return 1 if args.check and bad else 0


if __name__ == "__main__":
    sys.exit(main())
