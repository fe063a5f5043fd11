"""Every notebook in JupyterLab in a real (headless) Chromium: runs clean, widgets work.

For each notebook: open it, run all cells, wait for the kernel to be idle, then check that no
cell shows a traceback, that every widget the notebook creates is rendered as a widget (not as
its plain-text description), and that moving a slider or pressing a button changes what the
widget drives. A screenshot of each notebook goes to tests/screenshots/ (ignored by git).
"""

import json
from pathlib import Path

import pytest
from browser import LabServer, launch, missing_browser

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
SHOTS = ROOT / "tests" / "screenshots"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

why_not = missing_browser()
if why_not:
    pytest.skip(why_not, allow_module_level=True)

from playwright.sync_api import sync_playwright  # noqa: E402


def saved_widget_count(name: str) -> int:
    """How many widget views the saved notebook shows (one per widget output)."""
    notebook = json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))
    return sum(WIDGET_MIME in output.get("data", {})
               for cell in notebook["cells"] if cell["cell_type"] == "code"
               for output in cell.get("outputs", []))


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    server = LabServer(ROOT, tmp_path_factory.mktemp("lab"))
    try:
        with sync_playwright() as playwright:
            browser = launch(playwright)
            try:
                yield server, browser
            finally:
                browser.close()
    finally:
        server.stop()


def wait_idle(page, timeout_ms=120_000):
    page.wait_for_function(
        "() => (document.querySelector('#jp-main-statusbar') || {}).textContent?.includes('Idle')",
        timeout=timeout_ms)


def widget_state(output) -> str:
    """What a widget output shows: its images' sources and its text."""
    return output.evaluate(
        "el => [...el.querySelectorAll('img')].map(i => i.src.slice(-200)).join('|')"
        " + el.textContent")


def interact(page, output) -> str:
    """Move the first slider, or press the first button, or pick another dropdown option."""
    handle = output.locator(".noUi-handle").first
    if handle.count():
        # The keyboard, not a mouse drag: pictures and embedded players still loading above
        # can move the page between finding the handle and dragging it.
        handle.focus()
        for _ in range(3):
            handle.press("ArrowRight")
        return "slider"
    button = output.locator("button.widget-button:not([disabled])").first
    if button.count():
        button.click()
        return "button"
    select = output.locator("select").first
    if select.count():
        options = select.locator("option").all_inner_texts()
        current = select.input_value()
        select.select_option(next(o for o in options if o != current))
        return "dropdown"
    return "nothing to move"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_in_jupyterlab(lab, name):
    server, browser = lab
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(server.url(name))
        page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
        wait_idle(page)
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_function(
            "() => ![...document.querySelectorAll('.jp-InputArea-prompt')]"
            ".some(p => p.textContent.includes('*'))", timeout=180_000)
        wait_idle(page)

        # textContent, not innerText: JupyterLab skips painting cells out of view, and
        # innerText of an unpainted element is empty.
        errors = page.locator(
            ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
        ).all_text_contents()
        tracebacks = [text for text in errors if "Traceback" in text or "Error" in text]
        assert not tracebacks, f"{name}: error output:\n{tracebacks[0][:2000]}"

        expected = saved_widget_count(name)
        outputs = page.locator(".jp-OutputArea-output:has(.jupyter-widgets)")
        assert outputs.count() >= expected, (
            f"{name}: {expected} widgets expected, {outputs.count()} rendered")
        texts = " ".join(page.locator(".jp-OutputArea-output").all_text_contents())
        assert "Error displaying widget" not in texts
        controllable = page.locator(
            ".jp-OutputArea-output:has(.noUi-handle), "
            ".jp-OutputArea-output:has(button.widget-button), .jp-OutputArea-output:has(select)")
        if controllable.count():  # progress bars are widgets too, but have nothing to move
            output = controllable.first
            output.scroll_into_view_if_needed()
            # Let the first picture arrive and the controls settle before touching them.
            page.wait_for_function(
                "el => [...el.querySelectorAll('img')].every(i => i.complete && i.naturalWidth)"
                " && el.querySelector('.widget-html-content, img')",
                arg=output.element_handle(), timeout=20_000)
            page.wait_for_timeout(500)
            before = widget_state(output)
            how = interact(page, output)
            assert how != "nothing to move", f"{name}: its first widget has no control"
            page.wait_for_function(
                "([el, before]) => ([...el.querySelectorAll('img')].map(i => i.src.slice(-200))"
                ".join('|') + el.textContent) !== before",
                arg=[output.element_handle(), before], timeout=20_000)
            wait_idle(page)
            page.wait_for_timeout(500)  # let the last redraw's picture paint
        SHOTS.mkdir(exist_ok=True)
        page.locator(".jp-NotebookPanel:visible").screenshot(
            path=str(SHOTS / f"{Path(name).stem}.png"))
    finally:
        page.close()
