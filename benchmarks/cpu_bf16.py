"""float32 against bfloat16 on the CPU: the same training run both ways.

    python benchmarks/cpu_bf16.py                 # NiN at 67x67, 10 epochs, all the data
    python benchmarks/cpu_bf16.py --steps 10      # the speed of the four networks only
    python benchmarks/cpu_bf16.py --small         # a few images, to check that it works

It trains one of the course's networks with the recipe of its chapter (the
same seed, data order and initialization both times), once in float32 and
once wrapped in ``d2lmini.precision.BFloat16OnCPU`` (bfloat16 autocast,
channels-last weights), and prints, for each, the training examples per
second (training steps only), the seconds in all and the test accuracy after
every epoch. The chapters use bfloat16 on the CPU only where this ratio is at
least 1.5 and the test accuracy is no worse. With ``--steps N`` it measures
only the speed, of each of the four networks at the size its chapter trains
at on a CPU: N training steps on random images both ways, after two untimed
ones. ``--out FILE`` writes the table in Markdown too.
"""
import argparse
import os
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import d2lmini  # noqa: E402
from d2lmini.precision import BFloat16OnCPU, cpu_has_bf16  # noqa: E402


def nin_no_last_relu():
    net = d2lmini.nin()
    del net[7][-1]
    return net


def small_vgg():
    return d2lmini.vgg(d2lmini.narrow_arch(d2lmini.VGG11, ratio=4))


#: name: (constructor, image size, learning rate), as the chapters train them
NETS = {"nin": (nin_no_last_relu, 67, 0.02), "alexnet": (d2lmini.alexnet, 67, 0.01),
        "vgg": (small_vgg, 48, 0.05), "googlenet": (d2lmini.googlenet, 64, 0.1)}


def run(name, bf16, args):
    make, size, lr = NETS[name]
    d2lmini.seed_everything(args.seed)
    train_iter, test_iter = d2lmini.load_fashion_mnist(args.batch_size, resize=size,
                                                       device="cpu")
    net = make().apply(d2lmini.init_he)
    start = time.perf_counter()
    history = d2lmini.train_classifier(BFloat16OnCPU(net) if bf16 else net, train_iter,
                                       test_iter, args.epochs, lr=lr, init_weights=False,
                                       plot=False)
    seconds = time.perf_counter() - start
    speed = sum(history.epoch_examples) / sum(history.epoch_seconds)
    return speed, seconds, history.test_acc


def step_speed(name, bf16, steps, batch_size):
    """Training examples per second over ``steps`` minibatches of random images."""
    make, size, lr = NETS[name]
    torch.manual_seed(0)
    net = make().apply(d2lmini.init_he)
    net = BFloat16OnCPU(net) if bf16 else net
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    X, y = torch.rand(batch_size, 1, size, size), torch.randint(0, 10, (batch_size,))
    for i in range(steps + 2):
        if i == 2:  # the first two steps set up the kernels
            start = time.perf_counter()
        loss = torch.nn.functional.cross_entropy(net(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return steps * batch_size / (time.perf_counter() - start)


def speed_table(args, setting):
    lines = [f"Setting: {setting}.", "",
             "| network, image size | float32 examples/sec | bfloat16 examples/sec | ratio |",
             "|---|---|---|---|"]
    for name, (_, size, _) in NETS.items():
        fp32, bf16 = (step_speed(name, b, args.steps, args.batch_size) for b in (False, True))
        lines.append(f"| {name}, {size}x{size} | {fp32:,.0f} | {bf16:,.0f} | "
                     f"{bf16 / fp32:.2f}x |")
        print(lines[-1], flush=True)
    return lines


def run_table(args, setting):
    """One whole run both ways: speed, seconds and test accuracy by epoch."""
    rows = {label: run(args.net, bf16, args)
            for label, bf16 in (("float32", False), ("bfloat16 autocast, channels-last", True))}
    (s32, _, acc32), (s16, _, acc16) = rows.values()
    lines = [f"Setting: {setting}.", "",
             "| precision | examples/sec | seconds | test accuracy by epoch |",
             "|---|---|---|---|"]
    for label, (speed, seconds, accs) in rows.items():
        lines.append(f"| {label} | {speed:,.0f} | {seconds:.0f} | "
                     + ", ".join(f"{a:.3f}" for a in accs) + " |")
    lines += ["", f"bfloat16 / float32: {s16 / s32:.2f}x the examples per second; "
              f"last test accuracy {acc16[-1]:.3f} against {acc32[-1]:.3f}."]
    print("\n".join(lines))
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--net", choices=sorted(NETS), default="nin")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int,
                        help="measure only the speed of the four networks, over this many steps")
    parser.add_argument("--small", action="store_true",
                        help="quick mode's few images (to check that the script works)")
    parser.add_argument("--out", help="also write the table to this Markdown file")
    args = parser.parse_args(argv)
    if args.epochs < 1 or args.batch_size < 1 or (args.steps is not None and args.steps < 1):
        parser.error("--epochs, --batch-size and --steps must be positive")
    os.environ["D2LMINI_MODE"] = "quick" if args.small else "full"
    d2lmini.set_sizes(quick_per_class=20, quick_test_per_class=10,
                      quick_epochs=args.epochs, quick_size=NETS[args.net][1])
    machine = (f"cpu ({torch.get_num_threads()} threads), PyTorch {torch.__version__}, "
               f"bfloat16 instructions: {'yes' if cpu_has_bf16() else 'no (emulated)'}")
    if args.steps:
        setting = (f"{args.steps} training steps of random images after 2 untimed ones, "
                   f"minibatch {args.batch_size}, {machine}")
        print(setting, flush=True)
        lines = speed_table(args, setting)
    else:
        size = NETS[args.net][1]
        setting = (f"{args.net} at {size}x{size}, {args.epochs} epochs, minibatch "
                   f"{args.batch_size}, seed {args.seed}, "
                   f"{'quick-mode subset' if args.small else 'all 60,000 training images'}, "
                   f"{machine}")
        print(setting, flush=True)
        lines = run_table(args, setting)
    if args.out:
        Path(args.out).write_text("\n".join(lines) + "\n")

if __name__ == "__main__":
    main()
