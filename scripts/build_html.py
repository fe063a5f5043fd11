"""Build the static HTML edition of the course: every notebook executed and exported, with an index.

    python scripts/build_html.py            # execute each notebook afresh (make html)
    python scripts/build_html.py --saved    # export the outputs saved in the notebooks
    python scripts/build_html.py --out DIR  # somewhere other than site/

Widgets keep working in the pages: each notebook's widget state is embedded, and the
widget renderer (@jupyter-widgets/html-manager) and require.js are copied next to the
pages from the npm registry the first time (`npm pack`), so the pages need no CDN. Without
npm the pages load them from a CDN instead, which needs a connection when viewed.
Notebooks execute in a temporary copy of notebooks/, so files they write stay out of the repo.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from execute_notebooks import run  # noqa: E402

# name@version -> (sha256 of the npm tarball, files to keep from it)
ASSETS = {
    "@jupyter-widgets/html-manager@1.0.14": (
        "9d647396585ef74da93f87f645c5dcc14bebf5784192c577f72b199597614e81",
        "dist/", "html-manager"),
    "requirejs@2.3.7": (
        "31f3330c978fb28684622fe71165dc946432cf0210b2ea8a1ca0233e70f2737d",
        "require.js", "requirejs"),
}


def fetch_assets(static: Path) -> bool:
    """Put html-manager and require.js under ``static``; False if npm is not available."""
    if (static / "requirejs" / "require.js").exists() and \
            (static / "html-manager" / "embed-amd.js").exists():
        return True
    if shutil.which("npm") is None:
        print("npm not found: the pages will load the widget renderer from a CDN.")
        return False
    with tempfile.TemporaryDirectory() as tmp:
        for spec, (digest, keep, folder) in ASSETS.items():
            result = subprocess.run(["npm", "pack", spec, "--silent"], cwd=tmp,
                                    capture_output=True, text=True)
            if result.returncode != 0:
                print(f"npm pack {spec} failed; the pages will use a CDN.\n{result.stderr[-500:]}")
                return False
            tarball = Path(tmp) / result.stdout.strip().splitlines()[-1]
            if hashlib.sha256(tarball.read_bytes()).hexdigest() != digest:
                raise SystemExit(f"{spec}: the tarball's SHA-256 is not the recorded one.")
            with tarfile.open(tarball) as archive:
                for member in archive.getmembers():
                    name = member.name.removeprefix("package/")
                    if member.isfile() and name.startswith(keep):
                        inside = name[len(keep):] if keep.endswith("/") else Path(name).name
                        target = static / folder / inside
                        target.parent.mkdir(parents=True, exist_ok=True)
                        target.write_bytes(archive.extractfile(member).read())
    return True


def title_of(notebook: nbformat.NotebookNode, fallback: str) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def build(out: Path, execute: bool) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    local = fetch_assets(out / "_static")
    exporter = HTMLExporter(template_name="lab")
    if local:
        exporter.require_js_url = "_static/requirejs/require.js"
        exporter.widget_renderer_url = "_static/html-manager/embed-amd.js"
    pages = []
    entries = []
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "notebooks"
        shutil.copytree(ROOT / "notebooks", copy,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "handin"))
        for path in sorted(copy.glob("*.ipynb")):
            notebook = nbformat.read(path, as_version=4)
            if execute:
                seconds = run(notebook, copy)
                print(f"{path.name}: executed in {seconds:.1f} s")
            body, _ = exporter.from_notebook_node(notebook)
            # Links between notebooks point at their pages.
            body = body.replace('.ipynb"', '.html"').replace(".ipynb#", ".html#")
            page = out / f"{path.stem}.html"
            page.write_text(body, encoding="utf-8")
            pages.append(page)
            entries.append((page.name, title_of(notebook, path.stem)))
    items = "\n".join(f'    <li><a href="{name}">{html.escape(title)}</a></li>'
                      for name, title in entries)
    (out / "index.html").write_text(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        "<title>Session 2: backpropagation and misc</title>\n"
        "<style>body{font-family:sans-serif;max-width:44em;margin:2em auto;line-height:1.5}"
        "</style></head>\n<body>\n<h1>Session 2: backpropagation and misc</h1>\n"
        "<p>Every notebook of the session, executed and saved as a page. Widgets show the "
        "state they had when the page was built; run the notebooks in JupyterLab to play "
        "with them.</p>\n<ol>\n" + items + "\n</ol>\n</body></html>\n", encoding="utf-8")
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "site")
    parser.add_argument("--saved", action="store_true",
                        help="export the saved outputs instead of executing afresh")
    args = parser.parse_args()
    pages = build(args.out, execute=not args.saved)
    print(f"wrote {len(pages)} pages and index.html to {args.out}")


if __name__ == "__main__":
    main()
