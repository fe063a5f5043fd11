"""A scalar reverse-mode automatic differentiation engine, small enough to read in one sitting.

Every ``Value`` remembers the values it was computed from and how to pass a gradient back to
them. ``backward()`` visits the graph in reverse topological order and applies the chain rule:
each node adds (its gradient) x (local derivative) to each of its inputs.

    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = (a * b + 1).sigmoid()
    c.backward()
    a.grad   # dc/da
"""

from __future__ import annotations

import math

import numpy as np


def sigmoid(z):
    """1 / (1 + exp(-z)), elementwise, written so that no value of z overflows.

    z: a number or an array of any shape (the result has the same shape). A ``Value``, or an
    array of them, goes through ``Value.sigmoid`` so that gradients can flow back.
    """
    if isinstance(z, Value):
        return z.sigmoid()
    if isinstance(z, np.ndarray) and z.dtype == object:
        return np.vectorize(sigmoid, otypes=[object])(z)
    return np.exp(-np.logaddexp(0.0, -z))


class Value:
    """A number in a computation graph, with the gradient of the final output after backward().

    Attributes:
        data: the number.
        grad: d(output)/d(this), filled by ``backward()`` on the output.
        parents: the Values this one was computed from.
        op: the operation that made it ("+", "*", "sigmoid", ...; "" for an input).
        label: an optional name, shown in graph drawings.
    """

    def __init__(self, data, parents=(), op="", label=""):
        if isinstance(data, Value):
            raise TypeError("Value(Value(...)): pass the number, not a Value.")
        try:
            self.data = float(data)
        except (TypeError, ValueError):
            raise TypeError(f"a Value holds one number, got {data!r}.") from None
        self.grad = 0.0
        self.parents = tuple(parents)
        self.op = op
        self.label = label
        self._backward = lambda: None

    def __repr__(self):
        name = f"{self.label}=" if self.label else ""
        return f"Value({name}{self.data:.4g}, grad={self.grad:.4g})"

    @staticmethod
    def _lift(other) -> Value:
        return other if isinstance(other, Value) else Value(other)

    # -- operations: each sets how its gradient flows back to its inputs ----------------
    def __add__(self, other):
        other = self._lift(other)
        out = Value(self.data + other.data, (self, other), "+")

        def backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = backward
        return out

    def __mul__(self, other):
        other = self._lift(other)
        out = Value(self.data * other.data, (self, other), "*")

        def backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = backward
        return out

    def __sub__(self, other):
        other = self._lift(other)
        out = Value(self.data - other.data, (self, other), "-")

        def backward():
            self.grad += out.grad
            other.grad -= out.grad
        out._backward = backward
        return out

    def __pow__(self, exponent):
        if isinstance(exponent, Value):
            raise TypeError("only a number exponent is supported: x ** 2, not x ** Value.")
        out = Value(self.data ** exponent, (self,), f"**{exponent:g}")

        def backward():
            self.grad += exponent * self.data ** (exponent - 1) * out.grad
        out._backward = backward
        return out

    def exp(self):
        out = Value(math.exp(self.data), (self,), "exp")

        def backward():
            self.grad += out.data * out.grad
        out._backward = backward
        return out

    def log(self):
        if self.data <= 0:
            raise ValueError(f"log of {self.data:g}: the logarithm needs a positive number.")
        out = Value(math.log(self.data), (self,), "log")

        def backward():
            self.grad += out.grad / self.data
        out._backward = backward
        return out

    def tanh(self):
        out = Value(math.tanh(self.data), (self,), "tanh")

        def backward():
            self.grad += (1 - out.data ** 2) * out.grad
        out._backward = backward
        return out

    def sigmoid(self):
        out = Value(sigmoid(self.data), (self,), "sigmoid")

        def backward():
            self.grad += out.data * (1 - out.data) * out.grad
        out._backward = backward
        return out

    def relu(self):
        out = Value(max(self.data, 0.0), (self,), "relu")

        def backward():
            self.grad += (self.data > 0) * out.grad
        out._backward = backward
        return out

    # -- the rest follow from the ones above ---------------------------------------------
    def __neg__(self):
        return self * -1

    def __truediv__(self, other):
        return self * self._lift(other) ** -1

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return self._lift(other) - self

    def __rtruediv__(self, other):
        return self._lift(other) / self

    def __rpow__(self, base):
        """number ** Value, as exp(Value * ln(number)); the number must be positive."""
        if base <= 0:
            raise ValueError(f"{base:g} ** Value: only a positive base is supported.")
        return (self * math.log(base)).exp()

    # -- the chain rule over the whole graph ---------------------------------------------
    def graph(self) -> list[Value]:
        """Every Value this one depends on, itself last, each after all of its parents."""
        order, seen = [], set()

        def visit(node):
            if id(node) not in seen:
                seen.add(id(node))
                for parent in node.parents:
                    visit(parent)
                order.append(node)
        visit(self)
        return order

    def backward(self) -> None:
        """Fill ``grad`` of every Value in the graph with d(self)/d(that value)."""
        order = self.graph()
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            node._backward()
