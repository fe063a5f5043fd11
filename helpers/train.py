"""Train the Session 1 network on a full-size data set from the command line.

    python -m helpers.train --data ~/.keras/datasets/mnist.npz --epochs 2
    python -m helpers.train --data /usr/share/datasets/fashion-mnist --epochs 2 --save fm.npz

``--data`` takes whatever ``helpers.data.load_mnist`` takes (Keras' mnist.npz, a folder of
IDX files, or "onboard"); without it, ``$COURSE_MNIST`` or the on-board subset is used.
Prints each epoch's time and test accuracy, with a progress bar per epoch.
"""

from __future__ import annotations

import argparse
import sys
import time

from helpers.data import DataError, load_mnist
from helpers.model import Adam, session1_model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.train",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=None, help="mnist.npz, an IDX folder, or 'onboard'")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--kernel-size", type=int, default=3)
    parser.add_argument("--shift", type=int, default=0, help="random shifts of up to N pixels")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=None, help="train on the first N images only")
    parser.add_argument("--save", default=None, help="write the trained model to this .npz")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    try:
        data = load_mnist(args.data)
    except DataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    x, y = data.x_train[:args.limit], data.y_train[:args.limit]
    print(f"{data.source}: training on {len(x):,} images, testing on {len(data.x_test):,}")
    model = session1_model(kernel_size=args.kernel_size, seed=args.seed)
    optimizer = Adam()
    for epoch in range(args.epochs):
        start = time.perf_counter()
        model.fit(x, y, epochs=1, batch_size=args.batch_size, optimizer=optimizer,
                  seed=args.seed + epoch, progress=not args.quiet, shift=args.shift)
        seconds = time.perf_counter() - start
        loss, accuracy = model.evaluate(data.x_test, data.y_test)
        print(f"epoch {epoch + 1}/{args.epochs}: {seconds:.1f} s, test loss {loss:.4f}, "
              f"test accuracy {accuracy:.2%}", flush=True)
    if args.save:
        model.save(args.save)
        print(f"saved to {args.save}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
