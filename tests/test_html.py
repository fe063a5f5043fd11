"""The static HTML edition: the index links every notebook, and a page renders with its widgets."""

import functools
import http.server
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from browser import free_port, launch, missing_browser

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_html.py"), "--saved",
                    "--out", str(out)], check=True, capture_output=True)
    return out


def test_every_notebook_has_a_page_and_an_index_entry(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    for notebook in NOTEBOOKS:
        page = site / f"{notebook.stem}.html"
        assert page.exists(), f"no page for {notebook.name}"
        assert f'href="{page.name}"' in index
        text = page.read_text(encoding="utf-8")
        assert "Traceback (most recent call last)" not in text
        assert 'href="01_session1_model.ipynb"' not in text


@pytest.fixture(scope="module")
def served(site):
    port = free_port()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    handler.log_message = lambda *args: None
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


@pytest.mark.skipif(missing_browser() is not None, reason=str(missing_browser()))
@pytest.mark.skipif(shutil.which("npm") is None,
                    reason="npm not found: pages load widgets from a CDN, unreachable offline")
def test_index_and_a_widget_page_render_in_a_browser(served):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page()
            page.goto(f"{served}/index.html")
            assert page.locator("li a").count() == len(NOTEBOOKS)
            page.goto(f"{served}/00_start_here.html")
            page.wait_for_selector(".widget-slider", timeout=30_000)
            assert page.locator(".widget-image").count() >= 1
            broken = page.evaluate(
                "() => [...document.images].filter(i => !(i.complete && i.naturalWidth)).length")
            assert broken == 0, f"{broken} pictures did not load"
        finally:
            browser.close()
