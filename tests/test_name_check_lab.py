"""Notebook 06's name check in JupyterLab reads the file the kernel runs, by its real path.

JupyterLab 4 starts a notebook's kernel with the notebook's path in JPY_SESSION_NAME, and
ipykernel binds it to ``__session__``; the check (helpers.names.this_notebook) reads that file.
This test opens a renamed copy of notebook 06 in JupyterLab, in a headless Chromium, runs it,
and reads what the check says it read.
"""

import shutil
from pathlib import Path

import pytest
from browser import LabServer, launch, missing_browser

ROOT = Path(__file__).resolve().parents[1]

why_not = missing_browser()
if why_not:
    pytest.skip(why_not, allow_module_level=True)

from playwright.sync_api import sync_playwright  # noqa: E402


def test_the_name_check_reads_the_renamed_notebook_it_runs_in(tmp_path):
    server = LabServer(ROOT, tmp_path)
    notebooks = server.root / "notebooks"
    shutil.copy(notebooks / "06_python_numpy_tutorial.ipynb", notebooks / "my hand-in.ipynb")
    try:
        with sync_playwright() as playwright:
            browser = launch(playwright)
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(server.url("my hand-in.ipynb"))
                page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
                page.wait_for_function(
                    "() => (document.querySelector('#jp-main-statusbar') || {})"
                    ".textContent?.includes('Idle')", timeout=120_000)
                page.evaluate(
                    "() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
                page.wait_for_function(
                    "() => [...document.querySelectorAll('.jp-OutputArea-output')]"
                    ".some(o => o.textContent.includes('the name check'))", timeout=180_000)
                texts = " ".join(page.locator(".jp-OutputArea-output").all_text_contents())
            finally:
                browser.close()
    finally:
        server.stop()
    assert "Read the saved file my hand-in.ipynb, the notebook this kernel runs." in texts
    assert "✓ the name check passes" in texts
