"""Live views redraw when a control changes, and register themselves for the benchmark."""

import pytest
from ipywidgets import FloatSlider, IntSlider

from helpers.widgets import LIVE_VIEWS, live_figure, live_html


def test_live_figure_redraws_on_change():
    seen = []

    def draw(fig, a):
        seen.append(a)
        fig.add_subplot().plot([0, 1], [0, a])

    view = live_figure(draw, a=FloatSlider(value=1.0, min=0, max=2))
    first = view.image.value
    view.controls["a"].value = 2.0
    assert seen == [1.0, 2.0] and view.image.value != first and first[:4] == b"\x89PNG"
    assert view in LIVE_VIEWS
    assert repr(view) == "LiveFigure(controls: a)"


def test_live_html_steps_with_buttons():
    view = live_html(lambda step: f"<b>{step}</b>", stepper="step",
                     step=IntSlider(value=0, min=0, max=2))
    previous, following = view.children[0].children[:2]
    following.click()
    following.click()
    following.click()  # stays at the maximum
    assert view.html.value == "<b>2</b>"
    previous.click()
    assert view.html.value == "<b>1</b>" and view in LIVE_VIEWS


def test_show_at_draws_each_setting_without_touching_the_live_view(capsys):
    seen = []

    def draw(fig, a, b):
        seen.append((a, b))
        fig.add_subplot().plot([0, 1], [0, a * b])

    view = live_figure(draw, a=FloatSlider(value=1.0, min=0, max=3),
                       b=FloatSlider(value=2.0, min=0, max=3))
    live_png = view.image.value
    assert view.settings({"a": 3.0}) == {"a": 3.0, "b": 2.0}
    pictures = [view.static_png(view.settings(s)) for s in ({"a": 0.5}, {"a": 3.0})]
    assert seen == [(1.0, 2.0), (0.5, 2.0), (3.0, 2.0)]
    assert pictures[0][:4] == b"\x89PNG" and pictures[0] != pictures[1]
    assert view.image.value == live_png and view.values() == {"a": 1.0, "b": 2.0}
    view.show_at({"a": 0.5}, {"a": 3.0, "b": 1.0})
    assert seen[-2:] == [(0.5, 2.0), (3.0, 1.0)]


def test_show_at_names_a_control_that_does_not_exist():
    view = live_html(lambda step: f"<b>{step}</b>", step=IntSlider(value=0, min=0, max=2))
    assert view.render_static(view.settings({"step": 2})).data == "<b>2</b>"
    with pytest.raises(ValueError, match="no control named 'stp'.*controls are step"):
        view.show_at({"stp": 1})
    with pytest.raises(ValueError, match="at least one setting"):
        view.show_at()
    with pytest.raises(ValueError, match="a setting is a dict"):
        view.show_at(2)
