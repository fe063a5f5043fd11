"""Helpers for Session 2 of the course: backpropagation and misc.

Every notebook imports this one package. Submodules are imported on demand, so
``import helpers`` stays fast; use ``from helpers import data`` or
``helpers.data.load_mnist()`` after ``import helpers.data``.
"""

__version__ = "0.2.0"
