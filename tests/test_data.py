import gzip
import io
import os
import shutil
import subprocess
import sys
import time
import tracemalloc
import warnings

import numpy as np
import pytest
import torch

import d2lmini
import d2lmini.data as data
import d2lmini.datafiles as datafiles
from conftest import ROOT, link_files
from d2lmini import runtime
from d2lmini import mode


def test_real_files_have_the_published_content(real_files):
    arrays = d2lmini.read_fashion_mnist(download=False)
    assert arrays["train_images"].shape == (60000, 28, 28)
    assert arrays["test_images"].shape == (10000, 28, 28)
    assert arrays["train_images"].dtype == np.uint8
    assert np.bincount(arrays["train_labels"]).tolist() == [6000] * 10
    assert np.bincount(arrays["test_labels"]).tolist() == [1000] * 10
    assert arrays["train_images"].max() == 255


def test_search_order_root_env_cache_debian(isolated, real_files, monkeypatch):
    places = {name: link_files(real_files, isolated / name)
              for name in ("root", "env", "cache/d2lmini/fashion-mnist", "debian")}
    monkeypatch.setenv("D2LMINI_DATA", str(places["env"]))

    def where(**kw):
        return datafiles.find_fashion_mnist(download=False, **kw)["train_images"].parent
    assert where(root=places["root"]) == places["root"]
    assert where() == places["env"]
    monkeypatch.delenv("D2LMINI_DATA")
    assert where() == places["cache/d2lmini/fashion-mnist"]
    shutil.rmtree(isolated / "cache")
    assert where() == places["debian"]


def test_explicit_location_must_hold_all_files(isolated, real_files):
    root = link_files(real_files, isolated / "partial", keys={"train_images", "train_labels"})
    with pytest.raises(datafiles.DataNotFoundError) as e:
        datafiles.find_fashion_mnist(root=root)
    assert "t10k-images-idx3-ubyte.gz" in str(e.value)
    assert str(root) in str(e.value)


def test_root_must_be_a_path():
    with pytest.raises(TypeError, match="root must be a path"):
        datafiles.find_fashion_mnist(root=42)


def test_uncompressed_files_are_accepted(isolated, real_files):
    root = link_files(real_files, isolated / "plain", keys={"train_images", "train_labels",
                                                            "test_images"})
    with gzip.open(real_files["test_labels"]) as f, open(root / "t10k-labels-idx1-ubyte", "wb") as out:
        out.write(f.read())
    arrays = datafiles.read_fashion_mnist(root=root)
    assert np.bincount(arrays["test_labels"]).tolist() == [1000] * 10


def _copy_with_bad_labels(real_files, root, corrupt):
    link_files(real_files, root, keys={"train_images", "train_labels", "test_images"})
    raw = real_files["test_labels"].read_bytes()
    (root / "t10k-labels-idx1-ubyte.gz").write_bytes(corrupt(raw))
    return root


def test_truncated_file_is_reported_and_never_used(isolated, real_files):
    root = _copy_with_bad_labels(real_files, isolated / "trunc", lambda raw: raw[: len(raw) // 2])
    with pytest.raises(datafiles.CorruptFileError) as e:
        d2lmini.load_fashion_mnist(64, root=root, device="cpu")
    message = str(e.value)
    assert str(root / "t10k-labels-idx1-ubyte.gz") in message
    assert "could not be decompressed" in message
    assert "not used" in message and "Delete it" in message


def test_altered_file_is_reported_with_the_expected_checksum(isolated, real_files):
    def flip_one_label(raw):
        labels = bytearray(gzip.decompress(raw))
        labels[100] = (labels[100] + 1) % 10
        return gzip.compress(bytes(labels))
    root = _copy_with_bad_labels(real_files, isolated / "altered", flip_one_label)
    with pytest.raises(datafiles.CorruptFileError) as e:
        datafiles.read_fashion_mnist(root=root)
    expected = datafiles.FASHION_MNIST_FILES["test_labels"][1]
    assert expected in str(e.value)
    assert "t10k-labels-idx1-ubyte.gz" in str(e.value)


def test_missing_everywhere_lists_every_way_to_get_the_data(isolated):
    with pytest.raises(datafiles.DataNotFoundError) as e:
        datafiles.find_fashion_mnist()
    message = str(e.value)
    assert "downloading failed" in message
    assert "apt-get install dataset-fashion-mnist" in message
    assert "D2LMINI_DATA" in message
    assert "python -m d2lmini.data --download" in message
    with pytest.raises(datafiles.DataNotFoundError, match="not allowed"):
        datafiles.find_fashion_mnist(download=False)


def test_download_from_a_mirror_into_the_cache(isolated, real_files, monkeypatch):
    mirror = link_files(real_files, isolated / "mirror")
    monkeypatch.setattr(datafiles, "MIRRORS", (mirror.as_uri() + "/",))
    paths = datafiles.find_fashion_mnist()
    cache = isolated / "cache" / "d2lmini" / "fashion-mnist"
    assert all(p.parent == cache and p.is_file() and not p.is_symlink() for p in paths.values())
    assert not list(cache.glob("*.part"))
    assert datafiles.read_fashion_mnist()["test_labels"].shape == (10000,)


def test_a_corrupt_download_is_not_kept(isolated, real_files, monkeypatch):
    mirror = _copy_with_bad_labels(real_files, isolated / "badmirror", lambda raw: raw[:-10])
    monkeypatch.setattr(datafiles, "MIRRORS", (mirror.as_uri() + "/",))
    with pytest.raises(datafiles.DataNotFoundError, match="corrupt"):
        datafiles.find_fashion_mnist()
    cache = isolated / "cache" / "d2lmini" / "fashion-mnist"
    assert not (cache / "t10k-labels-idx1-ubyte.gz").exists()
    assert not list(cache.glob("*.part"))


def test_command_line_verifies_the_data(real_files, capsys):
    assert datafiles.main([]) == 0
    assert "verified" in capsys.readouterr().out


def test_command_line_reports_missing_data(isolated, capsys):
    assert datafiles.main([]) == 1
    assert "apt-get install dataset-fashion-mnist" in capsys.readouterr().err


def test_quick_subset_is_fixed_balanced_and_announced(capsys):
    train_iter, test_iter = d2lmini.load_fashion_mnist(100, quick=True, device="cpu")
    out = capsys.readouterr().out
    assert "quick mode" in out and "3,000 of 60,000" in out and "1,000 of 10,000" in out
    assert out.count("\n") == 1
    assert train_iter.num_examples == 3000 and test_iter.num_examples == 1000
    assert torch.bincount(train_iter.labels).tolist() == [300] * 10
    assert torch.bincount(test_iter.labels).tolist() == [100] * 10
    again, _ = d2lmini.load_fashion_mnist(100, quick=True, device="cpu")
    assert torch.equal(again.images, train_iter.images)


def test_full_dataset_sizes(capsys):
    train_iter, test_iter = d2lmini.load_fashion_mnist(1000, quick=False, device="cpu")
    assert "quick mode" not in capsys.readouterr().out
    assert (train_iter.num_examples, test_iter.num_examples) == (60000, 10000)
    assert (len(train_iter), len(test_iter)) == (60, 10)


def test_batches_are_scaled_shuffled_and_complete():
    train_iter, test_iter = d2lmini.load_fashion_mnist(256, quick=True, device="cpu")
    batches = list(train_iter)
    assert len(batches) == len(train_iter) == 12
    X, y = batches[0]
    assert X.shape == (256, 1, 28, 28) and X.dtype == torch.float32 and y.dtype == torch.int64
    assert 0 <= X.min() and X.max() <= 1
    assert batches[-1][0].shape[0] == 3000 - 11 * 256
    labels = torch.cat([b[1] for b in batches])
    assert torch.bincount(labels).tolist() == [300] * 10     # every example exactly once
    second = torch.cat([b[1] for b in train_iter])
    assert not torch.equal(labels, second)                   # reshuffled each pass
    first_test = torch.cat([b[1] for b in test_iter])
    assert torch.equal(first_test, torch.cat([b[1] for b in test_iter]))  # fixed order
    assert torch.equal(first_test, test_iter.labels)


def test_images_match_the_raw_bytes():
    train_iter, _ = d2lmini.load_fashion_mnist(10, quick=False, device="cpu")
    raw = d2lmini.read_fashion_mnist()["train_images"]
    X = train_iter.transform(train_iter.images[:3])
    assert torch.allclose(X[:, 0] * 255, torch.from_numpy(raw[:3].astype(np.float32)))


@pytest.mark.parametrize("resize, shape", [(96, (96, 96)), ((32, 48), (32, 48)), (28, (28, 28))])
def test_resize(resize, shape):
    train_iter, _ = d2lmini.load_fashion_mnist(8, resize=resize, quick=False, device="cpu")
    X, _ = next(iter(train_iter))
    assert X.shape == (8, 1) + shape
    assert 0 <= X.min() and X.max() <= 1


@pytest.mark.parametrize("resize, shape, said", [
    (96, (48, 48), "resized to 48x48 instead of 96x96"),
    ((96, 64), (48, 32), "resized to 48x32 instead of 96x64"),
    (40, (40, 40), None), (None, (28, 28), None)])
def test_quick_mode_caps_the_resize(capsys, resize, shape, said):
    train_iter, test_iter = d2lmini.load_fashion_mnist(8, resize=resize, quick=True, device="cpu")
    out = capsys.readouterr().out
    assert next(iter(train_iter))[0].shape == (8, 1) + shape
    assert next(iter(test_iter))[0].shape == (8, 1) + shape
    assert (said in out) if said else ("instead of" not in out)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "8", None])
def test_bad_batch_size(bad):
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        d2lmini.load_fashion_mnist(bad)


@pytest.mark.parametrize("bad", [0, -5, 2.0, (1, 2, 3), (0, 5), "96", (96, None)])
def test_bad_resize(bad):
    with pytest.raises(ValueError, match="resize must be"):
        d2lmini.load_fashion_mnist(8, resize=bad)


def test_text_labels():
    assert d2lmini.get_fashion_mnist_labels(torch.tensor([0, 9])) == ["t-shirt", "ankle boot"]


# ------------------------------------------------------------------ the split

def test_the_package_names_what_users_need_from_each_module():
    from d2lmini import loader
    for name in ("find_fashion_mnist", "read_fashion_mnist", "DataNotFoundError",
                 "CorruptFileError"):
        assert getattr(d2lmini, name) is getattr(datafiles, name)
    assert d2lmini.DeviceLoader is loader.DeviceLoader and d2lmini.data is data
    assert "load_fashion_mnist" in dir(d2lmini)


def test_python_m_d2lmini_data_runs_without_a_warning(real_files):
    # runpy warns when the package has already imported the module it runs
    result = subprocess.run(
        [sys.executable, "-W", "error", "-m", "d2lmini.data", "--no-download"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "verified" in result.stdout
    assert result.stderr == ""


# ------------------------------------------------- files: what goes wrong, loudly

def test_a_gzip_bomb_is_not_decompressed_past_the_published_size(tmp_path):
    bomb = tmp_path / "t10k-labels-idx1-ubyte.gz"
    with gzip.open(bomb, "wb") as f:
        for _ in range(50):
            f.write(bytes(2**20))  # 50 MB of zeros, 50 KB compressed
    tracemalloc.start()
    try:
        with pytest.raises(datafiles.CorruptFileError, match="larger than the 10,008 bytes"):
            datafiles._read_verified(bomb, "test_labels")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000  # not the 50 MB of decompressing it all


def _fake_urlopen(real_files, responses, oversized=None, crash=False):
    """urlopen serving the real files, or ``oversized`` bytes for the test labels,
    or, with ``crash``, a stream interrupted (KeyboardInterrupt) after one chunk."""
    by_name = {p.name: p for p in real_files.values()}

    class Response(io.BytesIO):
        sent = 0  # bytes read from it

        def read(self, n=-1):
            if crash and self.sent:
                raise KeyboardInterrupt
            chunk = super().read(n)
            self.sent += len(chunk)
            return chunk

    def urlopen(url, timeout):
        name = url.rsplit("/", 1)[1]
        if crash:
            content = bytes(10_000)
        elif oversized and name.startswith("t10k-labels"):
            content = bytes(oversized)
        else:
            content = by_name[name].read_bytes()
        responses.append(Response(content))
        return responses[-1]
    return urlopen


def test_an_oversized_download_is_stopped_early(isolated, real_files, monkeypatch):
    sent = []
    monkeypatch.setattr(datafiles.urllib.request, "urlopen",
                        _fake_urlopen(real_files, sent, oversized=20_000_000))
    with pytest.raises(datafiles.DataNotFoundError, match="sent more than 75,544 bytes"):
        datafiles.find_fashion_mnist()
    assert sent[-1].sent <= 2 * 2**20  # stopped after the first chunk, not at 20 MB
    cache = isolated / "cache" / "d2lmini" / "fashion-mnist"
    assert not (cache / "t10k-labels-idx1-ubyte.gz").exists()
    assert not list(cache.glob("*.part"))


def test_part_files_do_not_pile_up(isolated, real_files, monkeypatch):
    cache = isolated / "cache" / "d2lmini" / "fashion-mnist"
    cache.mkdir(parents=True)
    leftover = cache / "train-images-idx3-ubyte.gz.x1y2.part"  # from a killed run
    leftover.write_bytes(b"partial")
    os.utime(leftover, (time.time() - 3600,) * 2)
    live = cache / "train-images-idx3-ubyte.gz.z3w4.part"  # another process, now
    live.write_bytes(b"partial")
    monkeypatch.setattr(datafiles.urllib.request, "urlopen",
                        _fake_urlopen(real_files, [], crash=True))
    with pytest.raises(KeyboardInterrupt):
        datafiles.find_fashion_mnist()
    assert list(cache.glob("*.part")) == [live]


@pytest.mark.parametrize("place, advice", [
    ("debian", "sudo apt-get install --reinstall dataset-fashion-mnist"),
    ("cache/d2lmini/fashion-mnist", "Run `python -m d2lmini.data --download`"),
    ("root", "Delete it and put a good copy in")])
def test_the_advice_for_a_corrupt_file_fits_where_it_was(isolated, real_files, place,
                                                         advice):
    folder = _copy_with_bad_labels(real_files, isolated / place, lambda raw: raw[:-10])
    root = folder if place == "root" else None
    with pytest.raises(datafiles.CorruptFileError) as e:
        datafiles.read_fashion_mnist(root=root, download=False)
    message = str(e.value)
    assert advice in message and str(folder) in message
    others = {"--reinstall", "--download", "Delete it"} - {w for w in
                                                           ("--reinstall", "--download",
                                                            "Delete it") if w in advice}
    assert not any(other in message for other in others)


def test_download_replaces_a_corrupt_cached_file(isolated, real_files, monkeypatch, capsys):
    cache = isolated / "cache" / "d2lmini" / "fashion-mnist"
    _copy_with_bad_labels(real_files, cache, lambda raw: raw[:-10])
    mirror = link_files(real_files, isolated / "mirror")
    monkeypatch.setattr(datafiles, "MIRRORS", (mirror.as_uri() + "/",))
    with pytest.raises(datafiles.CorruptFileError, match="--download"):
        datafiles.read_fashion_mnist()
    assert datafiles.main(["--download"]) == 0
    assert "verified" in capsys.readouterr().out
    assert np.bincount(datafiles.read_fashion_mnist()["test_labels"]).tolist() == [1000] * 10
    assert not (cache / "t10k-labels-idx1-ubyte.gz").is_symlink()


@pytest.mark.parametrize("how", ["--root", "$D2LMINI_DATA"])
def test_download_refuses_when_another_folder_comes_first(isolated, monkeypatch, capsys,
                                                          how):
    mine = isolated / "mine"
    args = ["--download"]
    if how == "--root":
        args += ["--root", str(mine)]
    else:
        monkeypatch.setenv("D2LMINI_DATA", str(mine))
    with pytest.raises(SystemExit) as e:
        datafiles.main(args)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert f"{how}={mine} is looked in first" in err
    assert ("leave out --root" if how == "--root" else "unset D2LMINI_DATA") in err


def test_not_found_says_what_D2LMINI_DATA_is(isolated, monkeypatch):
    monkeypatch.setenv("D2LMINI_DATA", str(isolated / "nowhere"))
    with pytest.raises(datafiles.DataNotFoundError,
                       match=r"\$D2LMINI_DATA points to .*nowhere, which does not exist"):
        datafiles.find_fashion_mnist(download=False)
    monkeypatch.setenv("D2LMINI_DATA", "  ")
    with pytest.raises(datafiles.DataNotFoundError,
                       match=r"\$D2LMINI_DATA \(set to '  ', which names no folder\)"):
        datafiles.find_fashion_mnist(download=False)


# ------------------------------------------------ the loader: what goes wrong, loudly

def _images_and_labels(n=4):
    return torch.randint(0, 256, (n, 28, 28), dtype=torch.uint8), torch.arange(n) % 10


def test_float_images_are_refused_rather_than_scaled_twice():
    images, labels = _images_and_labels()
    scaled = images.float() / 255  # already in [0, 1]: dividing again would darken them
    with pytest.raises(TypeError, match=r"expects uint8 images .* got a torch.float32 tensor"):
        d2lmini.DeviceLoader(scaled, labels, batch_size=2)


def test_labels_outside_0_to_9_are_refused():
    for bad in ([3, -1], torch.tensor([10]), np.array([2.5])):
        with pytest.raises(ValueError, match=r"class numbers 0 to 9, got (-1|10|2.5)\b"):
            d2lmini.get_fashion_mnist_labels(bad)
    assert d2lmini.get_fashion_mnist_labels(np.array([1, 8], dtype=np.uint8)) == [
        "trouser", "bag"]


def test_full_mode_on_the_cpu_at_a_large_size_warns(monkeypatch):
    monkeypatch.setenv("D2LMINI_MODE", "full")
    with pytest.warns(RuntimeWarning, match="take hours"):
        d2lmini.load_fashion_mnist(8, resize=96, device="cpu")
    mode._said.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d2lmini.load_fashion_mnist(8, resize=32, device="cpu")  # small enough
        monkeypatch.setenv("D2LMINI_MODE", "quick")
        d2lmini.load_fashion_mnist(8, resize=96, device="cpu")  # quick mode


def test_numpy_integers_are_accepted_and_become_ints():
    train_iter, _ = d2lmini.load_fashion_mnist(np.int64(64), resize=np.int32(32), quick=True,
                                               device="cpu")
    assert type(train_iter.batch_size) is int and train_iter.batch_size == 64
    assert train_iter.resize == (32, 32) and all(type(v) is int for v in train_iter.resize)
    assert next(iter(train_iter))[0].shape == (64, 1, 32, 32)
    images, labels = _images_and_labels()
    loader = d2lmini.DeviceLoader(images, labels, np.int64(2), resize=(np.int64(8), 8))
    assert loader.resize == (8, 8) and len(loader) == 2


@pytest.mark.parametrize("bad", ["gpu", 1.5])
def test_bad_device(bad):
    with pytest.raises(ValueError, match="device must be a torch.device"):
        d2lmini.load_fashion_mnist(8, device=bad)


def test_device_loader_says_what_it_was_given():
    images, labels = _images_and_labels()
    with pytest.raises(ValueError, match=r"shape \(n, height, width\), got list"):
        d2lmini.DeviceLoader(images.tolist(), labels, 2)
    with pytest.raises(ValueError, match=r"shape \(4,\).*got a torch.int64 tensor of shape \(3,\)"):
        d2lmini.DeviceLoader(images, labels[:3], 2)
    with pytest.raises(TypeError, match="labels must be an integer tensor of class numbers, got a torch.float32"):
        d2lmini.DeviceLoader(images, labels.float(), 2)


def test_chapter_sizes_shape_the_quick_subset(monkeypatch, capsys):
    monkeypatch.setenv("D2LMINI_MODE", "quick")
    d2lmini.set_sizes(quick_per_class=50, quick_test_per_class=20, quick_size=32)
    train_iter, test_iter = d2lmini.load_fashion_mnist(64, resize=96, device="cpu")
    assert train_iter.num_examples == 500 and test_iter.num_examples == 200
    assert next(iter(train_iter))[0].shape[-2:] == (32, 32)
    assert "resized to 32x32 instead of 96x96" in capsys.readouterr().out


def test_full_mode_on_the_cpu_uses_the_chapters_cpu_size(monkeypatch, capsys):
    import warnings
    monkeypatch.setenv("D2LMINI_MODE", "full")
    d2lmini.set_sizes(cpu_size=28)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "takes hours" warning at 28x28
        train_iter, test_iter = d2lmini.load_fashion_mnist(256, resize=96, device="cpu")
    assert train_iter.num_examples == 60_000 and test_iter.num_examples == 10_000
    assert next(iter(test_iter))[0].shape[-2:] == (28, 28)
    out = capsys.readouterr().out
    assert "full mode on the CPU, resized to 28x28 instead of 96x96" in out
    assert {"asked": "96x96", "used": "28x28"} in runtime.run_record()["image_sizes"]
