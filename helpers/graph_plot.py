"""Draw an autodiff graph with matplotlib: each node with its value and gradient."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch

from helpers.autodiff import Value


def layout(root: Value) -> dict:
    """Position of each node: x = its depth from the inputs, y spread within each depth."""
    order = root.graph()
    depth = {}
    for node in order:  # parents come first, so their depth is known
        depth[id(node)] = 1 + max((depth[id(p)] for p in node.parents), default=-1)
    # Inputs sit just left of the first node that uses them, not all in the first column.
    first_use: dict[int, int] = {}
    for node in order:
        for parent in node.parents:
            if not parent.parents:
                first_use[id(parent)] = min(first_use.get(id(parent), depth[id(node)]),
                                            depth[id(node)])
    for key, used_at in first_use.items():
        depth[key] = used_at - 1
    columns: dict[int, list] = {}
    for node in order:
        columns.setdefault(depth[id(node)], []).append(node)
    positions = {}
    for x, nodes in columns.items():
        for i, node in enumerate(nodes):
            positions[id(node)] = (x, (len(nodes) - 1) / 2 - i)
    return positions


def draw_graph(root: Value, title: str = "", show_grad: bool = True, width: float = 1.6):
    """The computation graph of ``root``: inputs on the left, ``root`` on the right.

    Each box shows the node's label or operation, its value and (after ``backward()``)
    its gradient in red: how much the output changes per unit change of that node.
    """
    positions = layout(root)
    order = root.graph()
    span_x = max(x for x, _ in positions.values()) + 1
    span_y = max(abs(y) for _, y in positions.values()) * 2 + 1
    fig, ax = plt.subplots(figsize=(width * span_x + 0.5, 0.85 * span_y + 0.6))
    for node in order:
        x, y = positions[id(node)]
        for parent in node.parents:
            px, py = positions[id(parent)]
            ax.annotate("", xy=(x - 0.36, y), xytext=(px + 0.36, py),
                        arrowprops={"arrowstyle": "->", "color": "#888888", "lw": 1})
        name = node.label or node.op or "const"
        if node.label and node.op:
            name = f"{node.label} ({node.op})"
        text = f"{name}\n{node.data + 0.0:.4g}"  # + 0.0 shows -0.0 as 0
        if show_grad:
            text += f"\ngrad {node.grad:.4g}"
        colour = "#e8eef8" if not node.parents else "#fdf0e6"
        ax.add_patch(FancyBboxPatch((x - 0.34, y - 0.3), 0.68, 0.6,
                                    boxstyle="round,pad=0.02", fc=colour, ec="#555555"))
        ax.text(x, y + (0.1 if show_grad else 0.05), text.rsplit("\ngrad", 1)[0], ha="center",
                va="center", fontsize=7.5)
        if show_grad:
            ax.text(x, y - 0.19, f"grad {node.grad + 0.0:.4g}", ha="center", va="center",
                    fontsize=7.5, color="#c0392b")
    ax.set_xlim(-0.5, span_x - 0.5)
    ax.set_ylim(-span_y / 2, span_y / 2)
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig
