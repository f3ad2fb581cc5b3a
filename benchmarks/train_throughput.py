"""Training throughput: the classic teaching pipeline against d2lmini's.

    python benchmarks/train_throughput.py            # the full benchmark (meant for a GPU)
    python benchmarks/train_throughput.py --small    # a few batches of each, to check it works

For LeNet-BN at 28x28, ResNet-18 at 96x96 and DenseNet at 96x96 it measures,
in one run on one device:

(a) the classic pipeline: torchvision's FashionMNIST dataset, a per-image PIL
    resize and ToTensor, a DataLoader with worker processes, float32, and a
    ``loss.item()`` after every batch (one host synchronisation per batch);
(b) d2lmini's: the dataset on the device, resized there, channels-last and
    bfloat16 autocast where the device supports them (the defaults of
    ``d2lmini.train_classifier``), metrics kept on the device.

It prints examples/sec of each, the ratio b/a, the peak device memory, and for
ResNet-18 the model FLOPs per second as a fraction of the GPU's peak bfloat16
throughput. Unless ``--no-tta``, it then trains ResNet-18 with d2lmini's
defaults until the test accuracy reaches ``--target`` and prints the wall time.
"""
import argparse
import gzip
import os
import sys
import tempfile
import time
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import d2lmini  # noqa: E402
from d2lmini import gpu, train  # noqa: E402

MODELS = {  # name: (constructor, input size, learning rate used for training)
    "lenet_bn": (lambda: d2lmini.lenet_bn(scratch=False), 28, 1.0),
    "resnet18": (d2lmini.resnet18, 96, 0.05),
    "densenet": (d2lmini.densenet, 96, 0.1),
}

#: Dense bfloat16 tensor-core peaks (FLOP/s) of GPUs we may run on, by name.
PEAK_BF16 = {"H200": 989e12, "H100": 989e12, "A100": 312e12, "L4": 121e12, "A10": 125e12}


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


def classic_loader(root, size, batch_size, workers, pin_memory):
    from torchvision import datasets, transforms
    steps = ([transforms.Resize(size)] if size != 28 else []) + [transforms.ToTensor()]
    dataset = datasets.FashionMNIST(str(root), train=True, download=False,
                                    transform=transforms.Compose(steps))
    return torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=True,
                                       num_workers=workers, pin_memory=pin_memory,
                                       persistent_workers=workers > 0, drop_last=True)


def measure_classic(net, loader, device, batches, warmup):
    """Examples/sec of the classic loop: fp32, one synchronisation per batch."""
    net.to(device).train()
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    done, t0, seen = 0, None, 0
    while done < warmup + batches:
        for X, y in loader:
            if done == warmup:
                synchronize(device)
                t0 = time.perf_counter()
            X, y = X.to(device), y.to(device)
            loss = loss_fn(net(X), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss.item()  # the per-batch host synchronisation of the classic loop
            if done >= warmup:
                seen += len(y)
            done += 1
            if done == warmup + batches:
                break
    synchronize(device)
    return seen / (time.perf_counter() - t0)


def measure_d2lmini(net, data_iter, device, batches, warmup, compile=False):
    """Examples/sec of d2lmini's training loop with its default speed-ups."""
    channels_last, amp = gpu.place_net(net, device)
    model = torch.compile(net) if compile else net
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()

    def limited(n):
        count = 0
        while True:
            for batch in data_iter:
                yield batch
                count += 1
                if count == n:
                    return
    train.train_epoch(model, limited(warmup), loss_fn, opt, device,
                      channels_last=channels_last, amp=amp).tolist()
    synchronize(device)
    t0 = time.perf_counter()
    totals = train.train_epoch(model, limited(batches), loss_fn, opt, device,
                               channels_last=channels_last, amp=amp)
    examples = totals[2].item()  # waits for the device
    return examples / (time.perf_counter() - t0), channels_last, amp


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
    if override:
        return override * 1e12
    if device.type != "cuda":
        return None
    name = torch.cuda.get_device_name(device)
    return next((v for k, v in PEAK_BF16.items() if k in name), None)


def peak_memory(device):
    if device.type == "cuda":
        return f"{torch.cuda.max_memory_allocated(device) / 2**30:.2f} GiB"
    return "n/a (CPU)"


def time_to_accuracy(target, max_epochs, batch_size, device, quick):
    make, size, lr = MODELS["resnet18"]
    d2lmini.seed_everything(0)
    train_iter, test_iter = d2lmini.load_fashion_mnist(batch_size, resize=size, device=device,
                                                       quick=quick)
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
        acc = d2lmini.evaluate_accuracy(net, test_iter, device, channels_last, amp)
        seconds = time.perf_counter() - t0
        print(f"  epoch {epoch}: test acc {acc:.4f} after {seconds:.1f} s", flush=True)
        if acc >= target:
            return seconds, epoch, acc
    return None, max_epochs, acc


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true",
                        help="a few small batches of each model: checks that it works, measures nothing")
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--batches", type=int, default=50, help="measured batches per pipeline")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--workers", type=int, default=min(4, os.cpu_count() or 1))
    parser.add_argument("--compile", action="store_true", help="also torch.compile the model")
    parser.add_argument("--peak-tflops", type=float, default=None,
                        help="the device's peak bf16 TFLOP/s, if not in the built-in table")
    parser.add_argument("--no-tta", action="store_true", help="skip the time-to-accuracy run")
    parser.add_argument("--target", type=float, default=0.92)
    parser.add_argument("--max-epochs", type=int, default=10)
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.models.split(",") if n.strip()]
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        parser.error(f"unknown model(s) {unknown}; choose from {list(MODELS)}")
    if args.small:
        args.batch_size, args.batches, args.warmup, args.workers = 8, 1, 1, 0
        args.no_tta = True

    device = d2lmini.try_gpu()
    print(f"device: {torch.cuda.get_device_name(device) if device.type == 'cuda' else 'cpu'}, "
          f"torch {torch.__version__}, batch size {args.batch_size}, "
          f"{args.batches} measured batches after {args.warmup} warm-up batches")
    rows = []
    with tempfile.TemporaryDirectory(prefix="d2lmini-bench-") as root:  # removed after
        torchvision_root(root)
        for name in names:
            make, size, _ = MODELS[name]
            d2lmini.seed_everything(0)
            loader = classic_loader(root, size, args.batch_size, args.workers,
                                    pin_memory=device.type == "cuda")
            if device.type == "cuda":
                torch.cuda.reset_peak_memory_stats(device)
            classic = measure_classic(make(), loader, device, args.batches, args.warmup)
            mem_a = peak_memory(device)
            del loader
            train_iter, _ = d2lmini.load_fashion_mnist(args.batch_size, resize=size,
                                                       device=device, quick=False)
            if device.type == "cuda":
                torch.cuda.reset_peak_memory_stats(device)
            net = make()
            ours, channels_last, amp = measure_d2lmini(net, train_iter, device, args.batches,
                                                       args.warmup, compile=args.compile)
            mem_b = peak_memory(device)
            flops = flops_per_example(make(), size, device)
            rows.append((name, size, classic, ours, mem_a, mem_b, flops, channels_last, amp))
            del train_iter, net

    peak = peak_flops(device, args.peak_tflops)
    print()
    print(f"| model | input | classic ex/s | d2lmini ex/s | b/a | peak mem classic | "
          f"peak mem d2lmini | GFLOP/example | % of peak bf16 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, size, a, b, mem_a, mem_b, flops, cl, amp in rows:
        frac = f"{100 * b * flops / peak:.1f}%" if peak else "n/a"
        print(f"| {name} | {size}x{size} | {a:,.0f} | {b:,.0f} | {b / a:.1f}x | {mem_a} | "
              f"{mem_b} | {flops / 1e9:.3f} | {frac} |")
    print(f"\nd2lmini settings: channels-last {rows[0][7] if rows else '-'} for conv nets, "
          f"bf16 autocast {rows[0][8] if rows else '-'}, compile {args.compile}")

    if not args.no_tta:
        print(f"\ntime to {args.target} test accuracy, ResNet-18 at 96x96, batch "
              f"{args.batch_size}, d2lmini defaults:")
        seconds, epochs, acc = time_to_accuracy(args.target, args.max_epochs, args.batch_size,
                                                device, quick=args.small)
        if seconds is None:
            print(f"not reached in {epochs} epochs (last test acc {acc:.4f})")
        else:
            print(f"reached {acc:.4f} after {epochs} epochs, {seconds:.1f} s")
    return rows


if __name__ == "__main__":
    main()
