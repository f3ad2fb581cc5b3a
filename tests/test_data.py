import gzip
import shutil

import numpy as np
import pytest
import torch

import d2lmini
import d2lmini.data as data
from conftest import link_files


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
        return data.find_fashion_mnist(download=False, **kw)["train_images"].parent
    assert where(root=places["root"]) == places["root"]
    assert where() == places["env"]
    monkeypatch.delenv("D2LMINI_DATA")
    assert where() == places["cache/d2lmini/fashion-mnist"]
    shutil.rmtree(isolated / "cache")
    assert where() == places["debian"]


def test_explicit_location_must_hold_all_files(isolated, real_files):
    root = link_files(real_files, isolated / "partial", keys={"train_images", "train_labels"})
    with pytest.raises(data.DataNotFoundError) as e:
        data.find_fashion_mnist(root=root)
    assert "t10k-images-idx3-ubyte.gz" in str(e.value)
    assert str(root) in str(e.value)


def test_root_must_be_a_path():
    with pytest.raises(TypeError, match="root must be a path"):
        data.find_fashion_mnist(root=42)


def test_uncompressed_files_are_accepted(isolated, real_files):
    root = link_files(real_files, isolated / "plain", keys={"train_images", "train_labels",
                                                            "test_images"})
    with gzip.open(real_files["test_labels"]) as f, open(root / "t10k-labels-idx1-ubyte", "wb") as out:
        out.write(f.read())
    arrays = data.read_fashion_mnist(root=root)
    assert np.bincount(arrays["test_labels"]).tolist() == [1000] * 10


def _copy_with_bad_labels(real_files, root, corrupt):
    link_files(real_files, root, keys={"train_images", "train_labels", "test_images"})
    raw = real_files["test_labels"].read_bytes()
    (root / "t10k-labels-idx1-ubyte.gz").write_bytes(corrupt(raw))
    return root


def test_truncated_file_is_reported_and_never_used(isolated, real_files):
    root = _copy_with_bad_labels(real_files, isolated / "trunc", lambda raw: raw[: len(raw) // 2])
    with pytest.raises(data.CorruptFileError) as e:
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
    with pytest.raises(data.CorruptFileError) as e:
        data.read_fashion_mnist(root=root)
    expected = data.FASHION_MNIST_FILES["test_labels"][1]
    assert expected in str(e.value)
    assert "t10k-labels-idx1-ubyte.gz" in str(e.value)


def test_missing_everywhere_lists_every_way_to_get_the_data(isolated):
    with pytest.raises(data.DataNotFoundError) as e:
        data.find_fashion_mnist()
    message = str(e.value)
    assert "downloading failed" in message
    assert "apt-get install dataset-fashion-mnist" in message
    assert "D2LMINI_DATA" in message
    assert "python -m d2lmini.data --download" in message
    with pytest.raises(data.DataNotFoundError, match="not allowed"):
        data.find_fashion_mnist(download=False)


def test_download_from_a_mirror_into_the_cache(isolated, real_files, monkeypatch):
    mirror = link_files(real_files, isolated / "mirror")
    monkeypatch.setattr(data, "MIRRORS", (mirror.as_uri() + "/",))
    paths = data.find_fashion_mnist()
    cache = isolated / "cache" / "d2lmini" / "fashion-mnist"
    assert all(p.parent == cache and p.is_file() and not p.is_symlink() for p in paths.values())
    assert not list(cache.glob("*.part"))
    assert data.read_fashion_mnist()["test_labels"].shape == (10000,)


def test_a_corrupt_download_is_not_kept(isolated, real_files, monkeypatch):
    mirror = _copy_with_bad_labels(real_files, isolated / "badmirror", lambda raw: raw[:-10])
    monkeypatch.setattr(data, "MIRRORS", (mirror.as_uri() + "/",))
    with pytest.raises(data.DataNotFoundError, match="corrupt"):
        data.find_fashion_mnist()
    cache = isolated / "cache" / "d2lmini" / "fashion-mnist"
    assert not (cache / "t10k-labels-idx1-ubyte.gz").exists()
    assert not list(cache.glob("*.part"))


def test_command_line_verifies_the_data(real_files, capsys):
    assert data.main([]) == 0
    assert "verified" in capsys.readouterr().out


def test_command_line_reports_missing_data(isolated, capsys):
    assert data.main([]) == 1
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
