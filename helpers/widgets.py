"""Live figures driven by ipywidgets controls, safe under strict nbval.

A control's callback redraws a matplotlib ``Figure`` (no pyplot state) and puts the
PNG into an ``ipywidgets.Image``. Nothing is printed or displayed from the callback,
so a notebook re-run by nbval (which has no widget manager) sees the same cell
output as the saved one: the widget's view, which nbval skips, and a short text
repr, which it compares.

    view = live_figure(draw, temperature=FloatSlider(...))
    view            # last line of a cell shows controls + picture
    view.redraw()   # what a control change calls; returns seconds taken
    view.show_at({"temperature": 0.5}, {"temperature": 2.0})   # static pictures, saved

A widget's picture lives in the kernel: a reader of the saved notebook (or of its HTML
edition) sees nothing where the live view was. ``show_at`` draws the same view at a few
settings as ordinary outputs, which are saved with the notebook.

``draw(fig, **values)`` receives a cleared figure and the controls' current values.
"""

from __future__ import annotations

import io
import time
import weakref
from collections.abc import Callable

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def figure_png(fig: Figure, dpi: int = 100) -> bytes:
    """Render a matplotlib ``Figure`` to PNG bytes with the Agg backend."""
    if fig.canvas is None or not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


# Every live view made in this kernel, so bench/notebooks.py can time their redraws.
LIVE_VIEWS: weakref.WeakSet = weakref.WeakSet()


class LiveView(widgets.VBox):
    """A row of controls above an output; changing any control calls ``redraw()``.

    Subclasses make the output (``self.output``) and say how to paint it (``paint``).

    Attributes:
        controls: dict name -> ipywidgets control; their values are passed on by name.
        last_seconds: wall time of the last redraw.
    """

    def __init__(self, controls: dict, output: widgets.Widget, extra_buttons=()):
        self.controls = dict(controls)
        self.output = output
        self.last_seconds = 0.0
        row = widgets.HBox([*extra_buttons, *self.controls.values()])
        super().__init__(children=[row, output])
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.redraw()
        LIVE_VIEWS.add(self)

    def values(self) -> dict:
        """The controls' current values, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def paint(self, values: dict) -> None:
        raise NotImplementedError

    def redraw(self) -> float:
        """Redraw with the current values; returns the seconds it took."""
        start = time.perf_counter()
        self.paint(self.values())
        self.last_seconds = time.perf_counter() - start
        return self.last_seconds

    def _on_change(self, _change) -> None:
        self.redraw()

    def settings(self, setting: dict) -> dict:
        """The controls' values with ``setting`` (name -> value) put over them.

        Raises ValueError naming any name that is not one of the controls.
        """
        if not isinstance(setting, dict):
            raise ValueError(f"a setting is a dict of control values, e.g. "
                             f"{{{next(iter(self.controls))!r}: ...}}; got {setting!r}.")
        unknown = sorted(set(setting) - set(self.controls))
        if unknown:
            raise ValueError(f"no control named {', '.join(map(repr, unknown))}; this view's "
                             f"controls are {', '.join(self.controls)}.")
        return {**self.values(), **setting}

    def render_static(self, values: dict):
        """One static output (an IPython display object) for ``values``."""
        raise NotImplementedError

    def show_at(self, *settings: dict) -> None:
        """Display the view at each setting as a caption and a static picture.

        The live view is not changed. Each setting is a dict naming some controls, e.g.
        ``{"temperature": 2.0}``; the others keep their current values.
        """
        from IPython.display import Markdown, display

        if not settings:
            raise ValueError("give at least one setting, e.g. show_at({'x': 1.0}).")
        for setting in settings:
            values = self.settings(setting)
            caption = ", ".join(f"{name} = {value}" for name, value in setting.items())
            display(Markdown(f"**{caption}**"), self.render_static(values))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(controls: {', '.join(self.controls)})"


class LiveFigure(LiveView):
    """Controls above a picture drawn by ``draw(fig, **values)`` on a matplotlib Figure.

    Attributes:
        image: the ``ipywidgets.Image`` holding the current PNG.
        figure: the matplotlib ``Figure`` that ``draw`` paints on.
    """

    def __init__(self, draw: Callable[..., None], controls: dict, figsize=(6.0, 3.5),
                 dpi: int = 90):
        self.draw_function = draw
        self.figure = Figure(figsize=figsize, layout="constrained")
        FigureCanvasAgg(self.figure)
        self.dpi = dpi
        # Show the PNG at its own pixel size; the browser would otherwise stretch it to the
        # output's full width and blur it.
        width_px = int(round(figsize[0] * dpi))
        self.image = widgets.Image(format="png",
                                   layout=widgets.Layout(width=f"{width_px}px", max_width="100%"))
        super().__init__(controls, self.image)

    def paint(self, values: dict) -> None:
        self.figure.clear()
        self.draw_function(self.figure, **values)
        self.image.value = figure_png(self.figure, dpi=self.dpi)

    def static_png(self, values: dict) -> bytes:
        """The picture for ``values``, drawn on a figure of its own (the live one is kept)."""
        figure = Figure(figsize=self.figure.get_size_inches(), layout="constrained")
        self.draw_function(figure, **values)
        return figure_png(figure, dpi=self.dpi)

    def render_static(self, values: dict):
        from IPython.display import Image

        return Image(data=self.static_png(values), format="png")


def live_figure(draw: Callable[..., None], figsize=(6.0, 3.5), dpi: int = 90,
                **controls) -> LiveFigure:
    """Build a ``LiveFigure`` from a draw function and named controls."""
    return LiveFigure(draw, controls, figsize=figsize, dpi=dpi)


class LiveHTML(LiveView):
    """Controls above an HTML panel filled by ``render(**values) -> str``.

    With ``stepper`` naming an integer control, "previous" and "next" buttons move that
    control by one.
    """

    def __init__(self, render: Callable[..., str], controls: dict, stepper: str | None = None):
        self.render_function = render
        self.html = widgets.HTML()
        buttons = ()
        if stepper is not None:
            target = controls[stepper]
            width = widgets.Layout(width="110px")
            previous = widgets.Button(description="◀ previous", layout=width)
            following = widgets.Button(description="next ▶", layout=width)
            previous.on_click(
                lambda _: setattr(target, "value", max(target.min, target.value - 1)))
            following.on_click(
                lambda _: setattr(target, "value", min(target.max, target.value + 1)))
            buttons = (previous, following)
        super().__init__(controls, self.html, buttons)

    def paint(self, values: dict) -> None:
        self.html.value = self.render_function(**values)

    def render_static(self, values: dict):
        from IPython.display import HTML

        return HTML(self.render_function(**values))


def live_html(render: Callable[..., str], stepper: str | None = None, **controls) -> LiveHTML:
    """Build a ``LiveHTML`` from a render function and named controls."""
    return LiveHTML(render, controls, stepper=stepper)
