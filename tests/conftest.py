"""Shared test set-up.

Matplotlib draws off-screen in the test process. This is set with matplotlib.use, not
the MPLBACKEND variable: nbval's kernels inherit the environment, and with MPLBACKEND set
they would stop showing figures inline.
"""

import matplotlib

matplotlib.use("Agg")
