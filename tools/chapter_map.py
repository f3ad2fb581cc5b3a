"""Draw the map of the course's chapters for the landing page.

    python tools/chapter_map.py      # writes _static/chapter-map.svg

Each box is a chapter, each arrow "read this first". The dependencies are
listed once, here; a test checks that every chapter of _toc.yml is on the map.
"""
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "_static" / "chapter-map.svg"

# chapter file (as in _toc.yml): (label, column, row)
CHAPTERS = {
    "chapters/preliminaries": ("Preliminaries", 1.3, 0),
    "chapters/cnn/convolutions": ("Convolutions\nand LeNet", 0, 1),
    "chapters/cnn/alexnet": ("AlexNet", 0, 2),
    "chapters/cnn/vgg": ("VGG", 0, 3),
    "chapters/cnn/nin": ("NiN", 0, 4),
    "chapters/cnn/googlenet": ("GoogLeNet", 0, 5),
    "chapters/cnn/batch-norm": ("Batch\nnormalization", 0, 6),
    "chapters/cnn/resnet": ("ResNet", 0, 7),
    "chapters/cnn/densenet": ("DenseNet", 0, 8),
    "chapters/vision/augmentation": ("Image\naugmentation", 1.3, 3),
    "chapters/vision/fine-tuning": ("Fine-tuning", 1.3, 8),
    "chapters/optimization/optimization-intro": ("Optimization\nand deep\nlearning", 2.6, 1),
    "chapters/optimization/convexity": ("Convexity", 2.6, 2),
    "chapters/optimization/gd": ("Gradient\ndescent", 2.6, 3),
    "chapters/optimization/sgd": ("SGD", 2.6, 4),
    "chapters/optimization/minibatch-sgd": ("Minibatch\nSGD", 2.6, 5),
    "chapters/optimization/momentum": ("Momentum", 1.95, 6),
    "chapters/optimization/adagrad": ("AdaGrad", 3.4, 6),
    "chapters/optimization/rmsprop": ("RMSProp", 3.4, 7),
    "chapters/optimization/adadelta": ("AdaDelta", 4.2, 8),
    "chapters/optimization/adam": ("Adam", 2.6, 8),
}

# (before, after): read `before` first
DEPENDS = [
    ("chapters/preliminaries", "chapters/cnn/convolutions"),
    ("chapters/cnn/convolutions", "chapters/cnn/alexnet"),
    ("chapters/cnn/alexnet", "chapters/cnn/vgg"),
    ("chapters/cnn/vgg", "chapters/cnn/nin"),
    ("chapters/cnn/nin", "chapters/cnn/googlenet"),
    ("chapters/cnn/googlenet", "chapters/cnn/batch-norm"),
    ("chapters/cnn/batch-norm", "chapters/cnn/resnet"),
    ("chapters/cnn/resnet", "chapters/cnn/densenet"),
    ("chapters/cnn/alexnet", "chapters/vision/augmentation"),
    ("chapters/vision/augmentation", "chapters/vision/fine-tuning"),
    ("chapters/cnn/resnet", "chapters/vision/fine-tuning"),
    ("chapters/preliminaries", "chapters/optimization/optimization-intro"),
    ("chapters/optimization/optimization-intro", "chapters/optimization/convexity"),
    ("chapters/optimization/convexity", "chapters/optimization/gd"),
    ("chapters/optimization/gd", "chapters/optimization/sgd"),
    ("chapters/optimization/sgd", "chapters/optimization/minibatch-sgd"),
    ("chapters/optimization/minibatch-sgd", "chapters/optimization/momentum"),
    ("chapters/optimization/minibatch-sgd", "chapters/optimization/adagrad"),
    ("chapters/optimization/adagrad", "chapters/optimization/rmsprop"),
    ("chapters/optimization/rmsprop", "chapters/optimization/adadelta"),
    ("chapters/optimization/rmsprop", "chapters/optimization/adam"),
    ("chapters/optimization/momentum", "chapters/optimization/adam"),
]

PART_COLORS = {"cnn": "#dbe9f6", "vision": "#f3e0ee", "optimization": "#e3f1df",
               "": "#f3e6d8"}


#: Text size in points: 9 px high when the map is shrunk to a phone's 342 px
#: text column (10.8 * 4/3 * 342 / (5.6 * 96) = 9.2).
FONTSIZE = 10.8


def draw():
    fig = Figure(figsize=(5.6, 8.0))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(-0.66, 4.86)
    ax.set_ylim(9.15, -0.5)
    ax.axis("off")
    w, h = 1.2, 0.75
    for key, (label, x, y) in CHAPTERS.items():
        part = key.split("/")[1] if key.count("/") == 2 else ""
        ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h,
                                    boxstyle="round,pad=0.02,rounding_size=0.08",
                                    facecolor=PART_COLORS[part], edgecolor="#555", lw=0.8))
        ax.text(x, y, label, ha="center", va="center", fontsize=FONTSIZE)
    for a, b in DEPENDS:
        (_, xa, ya), (_, xb, yb) = CHAPTERS[a], CHAPTERS[b]
        ax.add_patch(FancyArrowPatch((xa, ya + h / 2), (xb, yb - h / 2),
                                     arrowstyle="-|>", mutation_scale=10, color="#444",
                                     lw=0.9, shrinkA=1, shrinkB=1))
    ax.text(0, 8.45, "Convolutional\nnetworks", ha="center", va="top",
            fontsize=FONTSIZE, style="italic", color="#1f4e79")
    ax.text(1.3, 8.45, "Computer\nvision", ha="center", va="top", fontsize=FONTSIZE,
            style="italic", color="#7a2e62")
    ax.text(4.0, 3.0, "Optimization", ha="center", va="center", fontsize=FONTSIZE,
            style="italic", color="#2e6b2e")
    return fig


if __name__ == "__main__":
    OUT.parent.mkdir(exist_ok=True)
    draw().savefig(OUT, format="svg", metadata={"Date": None})
    print(f"wrote {OUT.relative_to(ROOT)}")
