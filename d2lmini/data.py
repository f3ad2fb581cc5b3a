"""Fashion-MNIST: find it, verify it, and serve minibatches on the training device.

The four IDX files are looked for, in order, in

1. the ``root`` argument,
2. the folder named by ``$D2LMINI_DATA``,
3. the user cache (``$XDG_CACHE_HOME/d2lmini/fashion-mnist``, by default
   ``~/.cache/d2lmini/fashion-mnist``),
4. Debian's ``dataset-fashion-mnist`` package (``/usr/share/datasets/fashion-mnist``),
5. and finally downloaded from the official mirrors into the user cache.

Each file may be gzipped (``*.gz``, as published) or not. Its *decompressed*
content is checked against a SHA-256 checksum, so a truncated or altered file
is reported and never used, however it was compressed.

The whole dataset is small (60,000 + 10,000 images of 28x28 bytes, 55 MB), so
it is kept as one tensor on the training device. Batches are cut, shuffled,
scaled to [0, 1] and resized there, instead of pushing every image through a
per-image PIL pipeline on the CPU.

Run ``python -m d2lmini.data`` to find (or download) and verify the data.
"""
import argparse
import gzip
import hashlib
import os
import shutil
import sys
import tempfile
import urllib.request
import zlib
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .runtime import check_positive_int, is_positive_int, is_quick, say_once, try_gpu

__all__ = [
    "FASHION_MNIST_FILES", "TEXT_LABELS", "DataNotFoundError", "CorruptFileError",
    "find_fashion_mnist", "read_fashion_mnist", "load_fashion_mnist",
    "DeviceLoader", "get_fashion_mnist_labels", "balanced_subset",
]

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

#: Class names, indexed by label.
TEXT_LABELS = ("t-shirt", "trouser", "pullover", "dress", "coat",
               "sandal", "shirt", "sneaker", "bag", "ankle boot")

#: Where the official gzipped files are published (tried in order).
MIRRORS = (
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    "https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion/",
)

#: Where Debian's ``dataset-fashion-mnist`` package puts the files.
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")

#: Quick mode keeps this many images of each class (10 classes).
QUICK_TRAIN_PER_CLASS = 300
QUICK_TEST_PER_CLASS = 100
#: Quick mode enlarges images to at most this many pixels a side: a ResNet at
#: 96x96 costs four times as much as at 48x48, too much for a laptop CPU.
QUICK_MAX_RESIZE = 48

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


def _missing_names(found):
    return [FASHION_MNIST_FILES[k][0] + ".gz" for k in FASHION_MNIST_FILES if k not in found]


def _how_to_get_it():
    names = ", ".join(FASHION_MNIST_FILES[k][0] + ".gz" for k in FASHION_MNIST_FILES)
    return (
        "Any one of these gets the data:\n"
        "  - on Debian or Ubuntu: sudo apt-get install dataset-fashion-mnist\n"
        f"  - put the four files ({names}) in a folder and set D2LMINI_DATA to it,\n"
        "    or pass root='that/folder'\n"
        "  - when online: python -m d2lmini.data --download")


def _download(dest_dir):
    """Download the four files into ``dest_dir``; return their paths or raise OSError."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    errors = []
    for mirror in MIRRORS:
        try:
            paths = {}
            for key, (stem, *_rest) in FASHION_MNIST_FILES.items():
                target = dest_dir / (stem + ".gz")
                if not target.is_file():
                    fd, tmp = tempfile.mkstemp(dir=dest_dir, suffix=".part")
                    try:
                        with os.fdopen(fd, "wb") as out, \
                                urllib.request.urlopen(mirror + stem + ".gz", timeout=30) as resp:
                            shutil.copyfileobj(resp, out)
                        _read_verified(Path(tmp), key, shown_as=mirror + stem + ".gz")
                        os.replace(tmp, target)
                    finally:
                        if os.path.exists(tmp):
                            os.remove(tmp)
                paths[key] = target
            return paths
        except (OSError, CorruptFileError) as e:
            errors.append(f"{mirror}: {e}")
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
        raise TypeError(f"root must be a path (str or os.PathLike) or None, got {type(root).__name__}")
    explicit = []
    if root is not None:
        explicit.append(("root", Path(root)))
    env = os.environ.get("D2LMINI_DATA", "").strip()
    if env:
        explicit.append(("$D2LMINI_DATA", Path(env)))
    for what, directory in explicit:
        found = _file_in(directory)
        if len(found) == len(FASHION_MNIST_FILES):
            return found
        raise DataNotFoundError(
            f"{what} points to {directory}, which lacks the Fashion-MNIST files "
            f"{', '.join(_missing_names(found))}.\n" + _how_to_get_it())

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
    raise DataNotFoundError(
        "Fashion-MNIST was not found, and " + reason + ".\nLooked in:\n"
        "  - $D2LMINI_DATA (not set)\n"
        f"  - {looked[0]} (the user cache)\n"
        f"  - {looked[1]} (Debian's dataset-fashion-mnist package)\n" + _how_to_get_it())


def _read_verified(path, key, shown_as=None):
    """Read one file, check its checksum and header, return it as a numpy array."""
    stem, sha256, size, shape = FASHION_MNIST_FILES[key]
    shown_as = shown_as or str(path)
    advice = (f"It was not used. Delete it and run `python -m d2lmini.data --download` "
              f"for a fresh copy, or reinstall Debian's dataset-fashion-mnist package "
              f"if it came from there.")
    try:
        with open(path, "rb") as f:
            raw = f.read()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except (EOFError, gzip.BadGzipFile, zlib.error) as e:
        raise CorruptFileError(
            f"Fashion-MNIST file {shown_as} is corrupt: it could not be decompressed ({e}). "
            + advice) from None
    digest = hashlib.sha256(raw).hexdigest()
    if digest != sha256:
        raise CorruptFileError(
            f"Fashion-MNIST file {shown_as} is corrupt: its content ({len(raw):,} bytes) "
            f"has SHA-256 {digest}, expected {sha256} ({size:,} bytes of {stem}). " + advice)
    ndim = len(shape)
    magic = int.from_bytes(raw[0:4], "big")
    dims = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    if magic != _IDX_MAGIC[ndim] or dims != shape:  # pragma: no cover (checksum guards it)
        raise CorruptFileError(f"{shown_as}: unexpected IDX header {magic}, {dims}")
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


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


def get_fashion_mnist_labels(labels):
    """Turn numeric labels (ints or a tensor) into class names."""
    return [TEXT_LABELS[int(i)] for i in labels]


def balanced_subset(labels, per_class):
    """Indices of the first ``per_class`` examples of each class, in dataset order.

    The subset is fixed (no randomness) and has the same number of examples of
    every class, so quick-mode results are comparable from run to run.
    """
    labels = torch.as_tensor(labels)
    picks = []
    for c in torch.unique(labels).tolist():
        idx = torch.nonzero(labels == c).flatten()[:per_class]
        if len(idx) < per_class:
            raise ValueError(f"class {c} has only {len(idx)} examples, {per_class} requested")
        picks.append(idx)
    return torch.sort(torch.cat(picks)).values


def _check_batch_size(batch_size):
    check_positive_int("batch_size", batch_size)


def _check_resize(resize):
    """Return ``resize`` as an (height, width) pair of positive ints, or None."""
    if resize is None:
        return None
    if is_positive_int(resize):
        return (resize, resize)
    if (isinstance(resize, (tuple, list)) and len(resize) == 2
            and all(is_positive_int(v) for v in resize)):
        return tuple(resize)
    raise ValueError(f"resize must be None, a positive int or a pair of positive ints, got {resize!r}")


class DeviceLoader:
    """Minibatches of an image dataset that lives on one device.

    Holds the images as a uint8 tensor of shape (n, height, width) and the
    labels as int64 on ``device``. Each iteration yields ``(X, y)`` with ``X``
    a float32 tensor of shape (batch, 1, height, width) scaled to [0, 1] (and
    resized with bilinear interpolation when ``resize`` is set). With
    ``shuffle`` the order is a fresh random permutation at every pass, drawn
    from a generator seeded from PyTorch's global seed when the loader is made.
    """

    def __init__(self, images, labels, batch_size, shuffle=False, resize=None, device=None):
        _check_batch_size(batch_size)
        self.resize = _check_resize(resize)
        if not isinstance(images, torch.Tensor) or images.dim() != 3:
            raise ValueError("images must be a tensor of shape (n, height, width)")
        if not isinstance(labels, torch.Tensor) or labels.shape != images.shape[:1]:
            raise ValueError("labels must be a tensor with one label per image")
        self.device = torch.device(device) if device is not None else images.device
        self.images = images.to(self.device)
        self.labels = labels.to(self.device, torch.int64)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self._generator = torch.Generator()
        self._generator.manual_seed(int(torch.randint(0, 2**62, (1,)).item()))

    @property
    def num_examples(self):
        return len(self.labels)

    def __len__(self):
        return (self.num_examples + self.batch_size - 1) // self.batch_size

    def transform(self, images):
        """Turn a uint8 batch (b, h, w) into the float input (b, 1, H, W)."""
        X = images.unsqueeze(1).float().div_(255)
        if self.resize is not None and tuple(X.shape[-2:]) != self.resize:
            X = F.interpolate(X, size=self.resize, mode="bilinear", align_corners=False)
        return X

    def __iter__(self):
        n = self.num_examples
        if self.shuffle:
            order = torch.randperm(n, generator=self._generator).to(self.device)
        for start in range(0, n, self.batch_size):
            if self.shuffle:
                idx = order[start:start + self.batch_size]
                images, labels = self.images[idx], self.labels[idx]
            else:
                images = self.images[start:start + self.batch_size]
                labels = self.labels[start:start + self.batch_size]
            yield self.transform(images), labels

    def __repr__(self):
        return (f"DeviceLoader({self.num_examples} examples, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, resize={self.resize}, device={self.device})")


def load_fashion_mnist(batch_size, resize=None, root=None, device=None, quick=None,
                       download=True):
    """Return ``(train_iter, test_iter)``: Fashion-MNIST minibatches on ``device``.

    Args:
        batch_size: examples per minibatch (a positive int).
        resize: ``None`` (28x28), an int ``s`` (s x s) or a pair ``(h, w)``.
        root: a folder holding the four files; see the module docstring for
            the other places looked in.
        device: where the data lives and batches are made (default:
            :func:`try_gpu`).
        quick: use the quick-mode subset (default: :func:`is_quick`): the
            first 300 training and 100 test images of each class, enlarged to
            at most 48 pixels a side, announced in one line of output (once
            per process).
        download: download from the official mirrors if found nowhere.

    The training iterator reshuffles at every pass; the test iterator keeps
    the dataset order.
    """
    _check_batch_size(batch_size)
    resize = _check_resize(resize)
    device = torch.device(device) if device is not None else try_gpu()
    quick = is_quick() if quick is None else bool(quick)
    arrays = read_fashion_mnist(root, download=download)
    tensors = {k: torch.from_numpy(v.copy()) for k, v in arrays.items()}
    train_x, train_y = tensors["train_images"], tensors["train_labels"]
    test_x, test_y = tensors["test_images"], tensors["test_labels"]
    if quick:
        train_idx = balanced_subset(train_y, QUICK_TRAIN_PER_CLASS)
        test_idx = balanced_subset(test_y, QUICK_TEST_PER_CLASS)
        shrunk = ""
        if resize is not None and max(resize) > QUICK_MAX_RESIZE:
            asked, scale = resize, QUICK_MAX_RESIZE / max(resize)
            resize = tuple(max(1, round(v * scale)) for v in resize)
            shrunk = f", resized to {resize[0]}x{resize[1]} instead of {asked[0]}x{asked[1]}"
        say_once(f"quick mode: {len(train_idx):,} of {len(train_y):,} training and "
                 f"{len(test_idx):,} of {len(test_y):,} test images{shrunk} "
                 f"(D2LMINI_MODE=full for all)")
        train_x, train_y = train_x[train_idx], train_y[train_idx]
        test_x, test_y = test_x[test_idx], test_y[test_idx]
    train_iter = DeviceLoader(train_x, train_y, batch_size, shuffle=True, resize=resize, device=device)
    test_iter = DeviceLoader(test_x, test_y, batch_size, shuffle=False, resize=resize, device=device)
    return train_iter, test_iter


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m d2lmini.data",
        description="Find (or download) Fashion-MNIST and verify every file.")
    parser.add_argument("--root", help="a folder holding the four files")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--download", action="store_true",
                       help="download into the user cache even if a copy exists elsewhere")
    group.add_argument("--no-download", action="store_true",
                       help="only look for the files; never download them")
    args = parser.parse_args(argv)
    try:
        if args.download and args.root is None and not os.environ.get("D2LMINI_DATA"):
            paths = _download(_user_cache_dir())
        else:
            paths = find_fashion_mnist(args.root, download=not args.no_download)
        for key, path in paths.items():
            _read_verified(path, key)
    except (DataNotFoundError, CorruptFileError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"Fashion-MNIST verified in {paths['train_images'].parent}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
