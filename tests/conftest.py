"""Shared test set-up: headless matplotlib, and one thread for BLAS so results match everywhere."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")
