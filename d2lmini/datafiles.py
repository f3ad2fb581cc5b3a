"""Fashion-MNIST's four files: find them, verify them, download them.

The files are looked for, in order, in

1. the ``root`` argument,
2. the folder named by ``$D2LMINI_DATA``,
3. the user cache (``$XDG_CACHE_HOME/d2lmini/fashion-mnist``, by default
   ``~/.cache/d2lmini/fashion-mnist``),
4. Debian's ``dataset-fashion-mnist`` package (``/usr/share/datasets/fashion-mnist``),
5. and finally downloaded from the mirrors in :data:`MIRRORS` into the user cache.

Each file may be gzipped (``*.gz``, as published) or not. Its *decompressed*
content is checked against a SHA-256 checksum, so a truncated or altered file
is reported and never used, however it was compressed or fetched. Nothing is
read far past the published size: a download stops once it is larger than any
gzip file of that content, decompression one byte past the content's size.

:mod:`d2lmini.data` turns the arrays into minibatches and re-exports the names
users need from here. ``python -m d2lmini.data`` runs :func:`main`.
"""
import argparse
import contextlib
import gzip
import hashlib
import os
import sys
import tempfile
import time
import urllib.request
import zlib
from pathlib import Path

import numpy as np

__all__ = ["FASHION_MNIST_FILES", "MIRRORS", "DEBIAN_DIR", "DataNotFoundError",
           "CorruptFileError", "find_fashion_mnist", "read_fashion_mnist", "main"]

#: The four files: decompressed SHA-256, decompressed size, array shape.
FASHION_MNIST_FILES = {
    "train_images": ("train-images-idx3-ubyte",
                     "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
                     47_040_016, (60_000, 28, 28)),
    "train_labels": ("train-labels-idx1-ubyte",
                     "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
                     60_008, (60_000,)),
    "test_images": ("t10k-images-idx3-ubyte",
                    "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
                    7_840_016, (10_000, 28, 28)),
    "test_labels": ("t10k-labels-idx1-ubyte",
                    "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
                    10_008, (10_000,)),
}

#: Where the official gzipped files are published, tried in order: https first.
#: The checksums, not the transport, vouch for the content.
MIRRORS = (
    "https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion/",
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
)

#: Where Debian's ``dataset-fashion-mnist`` package puts the files.
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")

#: A gzip file is at most this much larger than its content (deflate's stored
#: blocks add 5 bytes per 64 KiB: 4 KB on the largest file, plus the header).
_GZIP_MARGIN = 64 * 1024
#: A ``*.part`` file untouched for this long is a leftover of a killed download
#: (a live one is written to at least every 30 s, the network timeout).
_STALE_PART_SECONDS = 600

_IDX_MAGIC = {1: 2049, 3: 2051}  # IDX magic numbers of unsigned-byte arrays
_cache = {}                     # in-process cache of parsed arrays


class DataNotFoundError(FileNotFoundError):
    """Fashion-MNIST is in none of the places looked in and could not be downloaded."""


class CorruptFileError(ValueError):
    """A Fashion-MNIST file exists but its content is not what was published."""


def _user_cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "d2lmini" / "fashion-mnist"


def _file_in(directory):
    """Map each file key to its path in ``directory`` (gzipped or not), if present."""
    found = {}
    for key, (stem, *_rest) in FASHION_MNIST_FILES.items():
        for name in (stem + ".gz", stem):
            path = Path(directory) / name
            if path.is_file():
                found[key] = path
                break
    return found


def _how_to_get_it():
    names = ", ".join(FASHION_MNIST_FILES[k][0] + ".gz" for k in FASHION_MNIST_FILES)
    return (
        "Any one of these gets the data:\n"
        "  - on Debian or Ubuntu: sudo apt-get install dataset-fashion-mnist\n"
        f"  - put the four files ({names}) in a folder and set D2LMINI_DATA to it,\n"
        "    or pass root='that/folder'\n"
        "  - when online: python -m d2lmini.data --download")


def _advice(path):
    """What to do about a corrupt file, given the folder it was found in."""
    folder = Path(path).parent
    if folder == DEBIAN_DIR:
        return ("It was not used. It comes from Debian's package; reinstall that: "
                "sudo apt-get install --reinstall dataset-fashion-mnist")
    if folder == _user_cache_dir():
        return ("It was not used. Run `python -m d2lmini.data --download` to replace "
                "it with a fresh copy.")
    return (f"It was not used. Delete it and put a good copy in {folder} (the folder "
            "named by root or $D2LMINI_DATA), or name another folder.")


def _read_verified(path, key, shown_as=None, advice=None):
    """Read one file, check its size, checksum and header; return a numpy array."""
    stem, sha256, size, shape = FASHION_MNIST_FILES[key]
    shown_as = shown_as or str(path)
    advice = advice or _advice(path)
    try:
        with open(path, "rb") as f:
            gzipped = f.read(2) == b"\x1f\x8b"
        with (gzip.open if gzipped else open)(path, "rb") as f:
            raw = f.read(size + 1)  # one byte too many tells a wrong file: stop there
    except (EOFError, gzip.BadGzipFile, zlib.error) as e:
        raise CorruptFileError(
            f"Fashion-MNIST file {shown_as} is corrupt: it could not be decompressed "
            f"({e}). " + advice) from None
    if len(raw) > size:
        raise CorruptFileError(
            f"Fashion-MNIST file {shown_as} is corrupt: its content is larger than the "
            f"{size:,} bytes of {stem} (reading stopped there). " + advice)
    digest = hashlib.sha256(raw).hexdigest()
    if digest != sha256:
        raise CorruptFileError(
            f"Fashion-MNIST file {shown_as} is corrupt: its content ({len(raw):,} bytes) "
            f"has SHA-256 {digest}, expected {sha256} ({size:,} bytes of {stem}). " + advice)
    ndim = len(shape)
    magic, *dims = np.frombuffer(raw, dtype=">u4", count=1 + ndim).tolist()
    if magic != _IDX_MAGIC[ndim] or tuple(dims) != shape:  # pragma: no cover (checksum)
        raise CorruptFileError(f"{shown_as}: unexpected IDX header {magic}, {dims}")
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def _remove_stale_parts(directory):
    """Delete ``*.part`` files that a killed download left in ``directory``."""
    for part in directory.glob("*.part"):
        with contextlib.suppress(OSError):  # removed meanwhile, or not ours to remove
            if time.time() - part.stat().st_mtime > _STALE_PART_SECONDS:
                part.unlink()


def _fetch(url, key, target):
    """Download ``url`` into ``target`` if it is the verified file ``key``."""
    stem, _sha256, size, _shape = FASHION_MNIST_FILES[key]
    limit = size + _GZIP_MARGIN  # the largest gzip file of this content
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.name + ".", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=30) as resp:
            received = 0
            for chunk in iter(lambda: resp.read(1 << 20), b""):
                received += len(chunk)
                if received > limit:
                    raise CorruptFileError(
                        f"it sent more than {limit:,} bytes, more than any gzip file of "
                        f"{stem} can hold; the download was stopped and not kept")
                out.write(chunk)
        _read_verified(Path(tmp), key, shown_as=url, advice="It was not kept.")
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _download(dest_dir):
    """Make ``dest_dir`` hold the four verified files; return their paths.

    A file already there is kept if it verifies and replaced if not. Mirrors
    are tried in order; raises OSError saying what each one did wrong.
    """
    dest_dir.mkdir(parents=True, exist_ok=True)
    _remove_stale_parts(dest_dir)
    paths, errors = {}, []
    for key, (stem, *_rest) in FASHION_MNIST_FILES.items():
        with contextlib.suppress(OSError, CorruptFileError):  # else fetched below
            _read_verified(dest_dir / (stem + ".gz"), key)
            paths[key] = dest_dir / (stem + ".gz")
    for mirror in MIRRORS:
        for key, (stem, *_rest) in FASHION_MNIST_FILES.items():
            if key not in paths:
                try:
                    _fetch(mirror + stem + ".gz", key, dest_dir / (stem + ".gz"))
                except (OSError, CorruptFileError) as e:
                    errors.append(f"{mirror}{stem}.gz: {e}")
                    break  # the next mirror, for this file and the rest
                paths[key] = dest_dir / (stem + ".gz")
        if len(paths) == len(FASHION_MNIST_FILES):
            return paths
    raise OSError("; ".join(errors))


def find_fashion_mnist(root=None, download=True):
    """Return a dict mapping each file key to the path of that Fashion-MNIST file.

    Looks in ``root``, ``$D2LMINI_DATA``, the user cache and Debian's package,
    in that order, and downloads into the user cache when ``download`` is true
    and nothing was found. A location named explicitly (``root`` or
    ``$D2LMINI_DATA``) must hold all four files. Checksums are verified when
    the files are read (:func:`read_fashion_mnist`).
    """
    if root is not None and not isinstance(root, (str, os.PathLike)):
        raise TypeError(f"root must be a path (str or os.PathLike) or None, "
                        f"got {type(root).__name__}")
    env = os.environ.get("D2LMINI_DATA")
    explicit = [("root", root), ("$D2LMINI_DATA", (env or "").strip() or None)]
    for what, directory in [(w, Path(d)) for w, d in explicit if d is not None]:
        found = _file_in(directory)
        if len(found) == len(FASHION_MNIST_FILES):
            return found
        missing = [v[0] + ".gz" for k, v in FASHION_MNIST_FILES.items() if k not in found]
        lacks = (f"which lacks the Fashion-MNIST files {', '.join(missing)}"
                 if directory.is_dir() else "which does not exist")
        raise DataNotFoundError(f"{what} points to {directory}, {lacks}.\n" + _how_to_get_it())

    looked = [_user_cache_dir(), DEBIAN_DIR]
    for directory in looked:
        found = _file_in(directory)
        if len(found) == len(FASHION_MNIST_FILES):
            return found
    reason = "downloading was not allowed (download=False)"
    if download:
        try:
            return _download(_user_cache_dir())
        except OSError as e:
            reason = f"downloading failed: {e}"
    env_state = "not set" if env is None else f"set to {env!r}, which names no folder"
    raise DataNotFoundError(
        "Fashion-MNIST was not found, and " + reason + ".\nLooked in:\n"
        f"  - $D2LMINI_DATA ({env_state})\n"
        f"  - {looked[0]} (the user cache)\n"
        f"  - {looked[1]} (Debian's dataset-fashion-mnist package)\n" + _how_to_get_it())


def read_fashion_mnist(root=None, download=True):
    """Return the verified dataset as four uint8 numpy arrays.

    Keys: ``train_images`` (60000, 28, 28), ``train_labels`` (60000,),
    ``test_images`` (10000, 28, 28), ``test_labels`` (10000,).
    """
    paths = find_fashion_mnist(root, download=download)
    stamp = tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in paths.values())
    if stamp not in _cache:
        _cache.clear()
        _cache[stamp] = {key: _read_verified(path, key) for key, path in paths.items()}
    return _cache[stamp]


def main(argv=None):
    """``python -m d2lmini.data``: find (or download) and verify the files.

    Returns the exit status: 0 when all four files verified, 1 otherwise."""
    parser = argparse.ArgumentParser(
        prog="python -m d2lmini.data",
        description="Find (or download) Fashion-MNIST and verify every file.")
    parser.add_argument("--root", help="a folder holding the four files")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--download", action="store_true",
                       help="download into the user cache, replacing any copy there "
                            "that does not verify")
    group.add_argument("--no-download", action="store_true",
                       help="only look for the files; never download them")
    args = parser.parse_args(argv)
    env = os.environ.get("D2LMINI_DATA", "").strip()
    name, folder, fix = (("--root", args.root, "leave out --root") if args.root is not None
                         else ("$D2LMINI_DATA", env, "unset D2LMINI_DATA"))
    if args.download and folder:  # it would download what is then not used
        parser.error(f"--download fills the user cache, but {name}={folder} is looked "
                     f"in first: {fix}, or put the files in {folder} yourself")
    try:
        if args.download:
            paths = _download(_user_cache_dir())  # verifies every file it keeps
        else:
            paths = find_fashion_mnist(args.root, download=not args.no_download)
            for key, path in paths.items():
                _read_verified(path, key)
    except (DataNotFoundError, CorruptFileError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"Fashion-MNIST verified in {paths['train_images'].parent}")
    return 0
