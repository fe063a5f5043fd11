"""Live views redraw when a control changes, and register themselves for the benchmark."""

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
