"""Training throughput: the classic teaching pipeline against d2lmini's.

    python benchmarks/train_throughput.py            # the full benchmark (meant for a GPU)
    python benchmarks/train_throughput.py --small    # a few images of each, to check it works

For LeNet-BN at 28x28, ResNet-18 at 96x96 and DenseNet at 96x96 it measures,
in one run on one device, ``--repeats`` full epochs of each side (after
``--warmup`` untimed batches), and reports the median and the spread:

(a) the classic pipeline: torchvision's FashionMNIST dataset, a per-image PIL
    resize and ToTensor, a DataLoader with worker processes, float32, and a
    ``loss.item()`` after every batch (one host synchronisation per batch).
    It is reported two ways: by the wall clock, and by Dive into Deep
    Learning's own measure, which times only the computation of each batch
    and so leaves out the time spent waiting for data (the figure d2l's
    books print);
(b) d2lmini's: the dataset on the device, resized there, channels-last and
    bfloat16 autocast where the device does them natively (the defaults of
    ``d2lmini.train_classifier``), metrics kept on the device.

It prints every setting that decides the result, examples/sec of each side,
the ratio b/a by the wall clock, the peak device memory and the model FLOPs
per second as a fraction of the GPU's peak bfloat16 throughput (only where
bfloat16 ran). On a GPU the classic side's convolutions run in TF32, cuDNN's
default, and the table says so. Unless ``--no-tta``, it then trains ResNet-18
with d2lmini's defaults until the test accuracy reaches ``--target`` and
reports the wall time. ``--out FILE`` also writes the settings and the table
there in Markdown (the Results page includes ``benchmarks/throughput.md``),
rewritten after every model and after the time-to-accuracy run, so that a
run stopped halfway keeps what it measured.
"""
import argparse
import gzip
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import d2lmini  # noqa: E402
from d2lmini import gpu, train  # noqa: E402
from d2lmini.loader import DeviceLoader  # noqa: E402

MODELS = {  # name: (constructor, input size, learning rate used for training)
    "lenet_bn": (lambda: d2lmini.lenet_bn(scratch=False), 28, 1.0),
    "resnet18": (d2lmini.resnet18, 96, 0.05),
    "densenet": (d2lmini.densenet, 96, 0.1),
}

#: Dense bfloat16 tensor-core peaks (TFLOP/s) by exact GPU model: a pattern
#: for the name torch reports, tried in order (the PCIe and NVL H100s are
#: slower than the SXM one; "L4" must not match an L40).
PEAK_BF16 = (
    (r"\bH200\b.*\bNVL\b", 835), (r"\bH200\b", 989),
    (r"\bH100\b.*\bPCIe\b", 756), (r"\bH100\b.*\bNVL\b", 835), (r"\bH100\b", 989),
    (r"\bA100\b", 312), (r"\bL40S\b", 362), (r"\bL40\b", 181), (r"\bL4\b", 121),
    (r"\bA10\b", 125),
)


def synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def torchvision_root(root):
    """Lay ``root`` out as torchvision's FashionMNIST expects (raw, uncompressed files)."""
    raw = Path(root) / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for path in d2lmini.find_fashion_mnist().values():
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        (raw / path.name.removesuffix(".gz")).write_bytes(data)


def classic_loader(root, size, batch_size, workers, pin_memory, limit=None):
    from torchvision import datasets, transforms
    steps = ([transforms.Resize(size)] if size != 28 else []) + [transforms.ToTensor()]
    dataset = datasets.FashionMNIST(str(root), train=True, download=False,
                                    transform=transforms.Compose(steps))
    if limit:
        dataset = torch.utils.data.Subset(dataset, range(limit))
    return torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=True,
                                       num_workers=workers, pin_memory=pin_memory,
                                       persistent_workers=workers > 0, drop_last=True)


def warm_up(step, batches, n):
    """Run ``step(X, y)`` on the first ``n`` batches, untimed."""
    for i, (X, y) in enumerate(batches):
        if i == n:
            break
        step(X, y)


def measure_classic(net, loader, device, repeats, warmup):
    """Full epochs of the classic loop (fp32, one synchronisation per batch).

    Returns one ``(wall, d2l)`` pair of examples/sec per epoch: ``wall`` by the
    wall clock, ``d2l`` by d2l's measure (only the computation of each batch
    is timed, not the wait for the batch to arrive).
    """
    net.to(device).train()
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()

    def step(X, y):
        X, y = X.to(device), y.to(device)
        loss = loss_fn(net(X), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        loss.item()  # the per-batch host synchronisation of the classic loop
    warm_up(step, loader, warmup)
    runs = []
    for _ in range(repeats):
        synchronize(device)
        seen, busy, t0 = 0, 0.0, time.perf_counter()
        for X, y in loader:
            t1 = time.perf_counter()  # the batch has arrived: d2l starts its timer here
            step(X, y)
            busy += time.perf_counter() - t1
            seen += len(y)
        wall = time.perf_counter() - t0
        runs.append((seen / wall, seen / busy))
    return runs


def measure_d2lmini(net, data_iter, device, repeats, warmup, compile=False):
    """Full epochs of d2lmini's training loop with its default speed-ups;
    returns examples/sec per epoch and the speed-ups used."""
    channels_last, amp = gpu.place_net(net, device)
    model = torch.compile(net) if compile else net
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    first = [batch for _, batch in zip(range(warmup), data_iter)]
    for last in data_iter:  # the smaller last batch: another shape to compile for
        pass
    train.train_epoch(model, first + [last], loss_fn, opt, device,
                      channels_last=channels_last, amp=amp).tolist()  # untimed: compilation
    runs = []
    for _ in range(repeats):
        synchronize(device)
        t0 = time.perf_counter()
        totals = train.train_epoch(model, data_iter, loss_fn, opt, device,
                                   channels_last=channels_last, amp=amp)
        examples = totals[2].item()  # waits for the device
        runs.append(examples / (time.perf_counter() - t0))
    return runs, channels_last, amp


def flops_per_example(net, size, device):
    """Forward plus backward FLOPs of one training example (PyTorch's FLOP counter)."""
    from torch.utils.flop_counter import FlopCounterMode
    net = net.to(device).train()
    X = torch.randn(8, 1, size, size, device=device)
    with FlopCounterMode(display=False) as counter:
        net(X).sum().backward()
    net.zero_grad(set_to_none=True)
    return counter.get_total_flops() / len(X)


def peak_flops(device, override):
    """The device's dense bfloat16 peak in FLOP/s, or None if unknown."""
    if override:
        return override * 1e12
    if device.type != "cuda":
        return None
    name = torch.cuda.get_device_name(device)
    return next((tflops * 1e12 for pattern, tflops in PEAK_BF16 if re.search(pattern, name)),
                None)


def device_name(device):
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return f"cpu ({torch.get_num_threads()} threads)"


def classic_precision(device):
    """What the classic side's float32 convolutions and matrix products run in."""
    if device.type != "cuda":
        return "float32"
    conv = "TF32" if torch.backends.cudnn.allow_tf32 else "float32"
    matmul = "TF32" if torch.backends.cuda.matmul.allow_tf32 else "float32"
    return f"float32 tensors; convolutions in {conv} (cuDNN's default), matrix products in {matmul}"


def settings_lines(args, device):
    """Every setting that decides the result, one per line."""
    tf32 = torch.backends.cuda.matmul.allow_tf32 if device.type == "cuda" else "n/a"
    cudnn_tf32 = torch.backends.cudnn.allow_tf32 if device.type == "cuda" else "n/a"
    return [
        f"device: {device_name(device)}",
        f"CPU cores: {os.cpu_count()}, torch threads: {torch.get_num_threads()}",
        f"torch {torch.__version__}, CUDA {torch.version.cuda or 'none'}, "
        f"cuDNN {torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else 'none'}",
        f"TF32: matmul {tf32}, cuDNN {cudnn_tf32}",
        f"batch size {args.batch_size}; {args.repeats} timed full epoch(s) per side after "
        f"{args.warmup} untimed batches"
        + (f"; {args.limit} training images" if args.limit else "; all 60,000 training images"),
        f"classic pipeline: DataLoader with {args.workers} workers, pin_memory "
        f"{device.type == 'cuda'}, persistent workers {args.workers > 0}, "
        f"{classic_precision(device)}",
        f"d2lmini: compile {args.compile}",
    ]


def spread(values):
    """'median (min-max)' of a list of rates."""
    if len(values) == 1:
        return f"{values[0]:,.0f}"
    return f"{statistics.median(values):,.0f} ({min(values):,.0f}-{max(values):,.0f})"


def peak_memory(device):
    if device.type == "cuda":
        return f"{torch.cuda.max_memory_allocated(device) / 2**30:.2f} GiB"
    return "n/a (CPU)"


def first(data_iter, limit, shuffle):
    """The first ``limit`` examples of a DeviceLoader (all when limit is None)."""
    if not limit:
        return data_iter
    return data_iter.like(data_iter.images[:limit], data_iter.labels[:limit], shuffle=shuffle)


def time_to_accuracy(target, max_epochs, batch_size, device, quick, limit=None):
    make, size, lr = MODELS["resnet18"]
    d2lmini.seed_everything(0)
    train_iter, test_iter = d2lmini.load_fashion_mnist(batch_size, resize=size, device=device,
                                                       quick=quick)
    train_iter, test_iter = first(train_iter, limit, True), first(test_iter, limit, False)
    net = make()
    net.apply(train.init_xavier)
    channels_last, amp = gpu.place_net(net, device)
    opt = torch.optim.SGD(net.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    synchronize(device)
    t0 = time.perf_counter()
    for epoch in range(1, max_epochs + 1):
        train.train_epoch(net, train_iter, loss_fn, opt, device,
                          channels_last=channels_last, amp=amp)
        acc = d2lmini.evaluate_accuracy(net, test_iter, device)
        seconds = time.perf_counter() - t0
        print(f"  epoch {epoch}: test acc {acc:.4f} after {seconds:.1f} s", flush=True)
        if acc >= target:
            return seconds, epoch, acc
    return None, max_epochs, acc


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true",
                        help="64 images of each model: checks that it works, measures nothing")
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=3, help="timed full epochs per side")
    parser.add_argument("--warmup", type=int, default=10, help="untimed batches first")
    parser.add_argument("--limit", type=int, default=None,
                        help="train on the first LIMIT images only (default: all)")
    parser.add_argument("--workers", type=int, default=min(4, os.cpu_count() or 1))
    parser.add_argument("--compile", action="store_true", help="also torch.compile the model")
    parser.add_argument("--peak-tflops", type=float, default=None,
                        help="the device's dense bf16 TFLOP/s, if not in the built-in table")
    parser.add_argument("--out", help="also write the settings and the table here (Markdown)")
    parser.add_argument("--no-tta", action="store_true", help="skip the time-to-accuracy run")
    parser.add_argument("--target", type=float, default=0.92)
    parser.add_argument("--max-epochs", type=int, default=10)
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.models.split(",") if n.strip()]
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        parser.error(f"unknown model(s) {unknown}; choose from {list(MODELS)}")
    if args.small:
        args.batch_size, args.repeats, args.warmup, args.workers = 8, 1, 1, 0
        args.limit, args.max_epochs, args.target = 64, 1, min(args.target, 0.5)

    device = d2lmini.try_gpu()
    settings = settings_lines(args, device)
    print("\n".join(settings), flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="d2lmini-bench-") as root:  # removed after
        torchvision_root(root)
        for name in names:
            make, size, _ = MODELS[name]
            d2lmini.seed_everything(0)
            loader = classic_loader(root, size, args.batch_size, args.workers,
                                    pin_memory=device.type == "cuda", limit=args.limit)
            if device.type == "cuda":
                torch.cuda.reset_peak_memory_stats(device)
            classic = measure_classic(make(), loader, device, args.repeats, args.warmup)
            mem_a = peak_memory(device)
            del loader
            train_iter, _ = d2lmini.load_fashion_mnist(args.batch_size, resize=size,
                                                       device=device, quick=False)
            train_iter = first(train_iter, args.limit, True)
            if device.type == "cuda":
                torch.cuda.reset_peak_memory_stats(device)
            ours, channels_last, amp = measure_d2lmini(make(), train_iter, device,
                                                       args.repeats, args.warmup,
                                                       compile=args.compile)
            mem_b = peak_memory(device)
            flops = flops_per_example(make(), size, device)
            rows.append(dict(name=name, size=size, wall=[w for w, _ in classic],
                             d2l=[d for _, d in classic], ours=ours, mem_a=mem_a,
                             mem_b=mem_b, flops=flops, channels_last=channels_last, amp=amp))
            print(f"{name}: classic {spread(rows[-1]['wall'])} ex/s, d2lmini "
                  f"{spread(ours)} ex/s", flush=True)
            del train_iter
            write(args.out, settings, results_table(rows, peak_flops(device, args.peak_tflops)))

    table = results_table(rows, peak_flops(device, args.peak_tflops))
    print("\n" + table)
    if not args.no_tta:
        print(f"time to {args.target} test accuracy, ResNet-18 at 96x96, batch "
              f"{args.batch_size}, d2lmini defaults:")
        seconds, epochs, acc = time_to_accuracy(args.target, args.max_epochs, args.batch_size,
                                                device, quick=args.small, limit=args.limit)
        line = tta_line(args, seconds, epochs, acc)
        print(line)
        table += "\n" + line + "\n"
        write(args.out, settings, table)
    if args.out:
        print(f"wrote {args.out}")
    return rows


def write(out, settings, table):
    """The settings and the table so far, in Markdown, into ``out`` (if given)."""
    if out:
        Path(out).write_text("Settings:\n\n" + "".join(f"- {line}\n" for line in settings)
                             + "\n" + table)


def tta_line(args, seconds, epochs, acc):
    what = (f"Time to {args.target} test accuracy (ResNet-18 at 96x96, batch "
            f"{args.batch_size}, d2lmini's defaults, evaluation included): ")
    if seconds is None:
        return what + f"not reached in {epochs} epochs (last test accuracy {acc:.4f})."
    return what + f"{seconds:.1f} s, test accuracy {acc:.4f} after {epochs} epoch(s)."


def results_table(rows, peak):
    """The Markdown table: median (min-max) over the timed epochs."""
    lines = ["| model | input | classic ex/s (wall clock) | classic ex/s (d2l's measure) | "
             "d2lmini ex/s | b/a (wall) | peak mem classic | peak mem d2lmini | "
             "GFLOP/example | % of peak bf16 |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        ours, wall = statistics.median(r["ours"]), statistics.median(r["wall"])
        frac = f"{100 * ours * r['flops'] / peak:.1f}%" if peak and r["amp"] else "n/a"
        lines.append(
            f"| {r['name']} | {r['size']}x{r['size']} | {spread(r['wall'])} | "
            f"{spread(r['d2l'])} | {spread(r['ours'])} | {ours / wall:.1f}x | {r['mem_a']} | "
            f"{r['mem_b']} | {r['flops'] / 1e9:.3f} | {frac} |")
    lines.append("")
    lines.append("d2lmini speed-ups: " + ", ".join(
        f"{r['name']}: channels-last {r['channels_last']}, bf16 {r['amp']}" for r in rows))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
