"""The hand-in of the backprop tables: rendering, the Markdown round trip, checking, writing."""

import numpy as np
import pytest

from helpers import backprop_tables as bt
from helpers import tables_handin as th

FIXED = {  # values of one's own: none equals the course default or the article's value
    "wh": [[0.31, 0.77, 0.26], [0.58, 0.94, 0.12], [0.83, 0.39, 0.65], [0.07, 0.49, 0.71]],
    "bh": [[0.22, 0.64, 0.35]],
    "wout": [[0.53], [0.16], [0.87]],
    "bout": [[0.44]],
}


@pytest.mark.parametrize("digits", [3, 5, 8])
def test_markdown_parses_back_to_the_same_numbers(digits):
    tables = bt.compute_tables(FIXED)
    text = th.to_markdown(tables, digits)
    init, settings, parsed = th.read_handin(text)
    assert settings == {"lr": 0.1, "digits": digits}
    np.testing.assert_array_equal(init["wh"], np.array(FIXED["wh"]))
    for step in range(12):
        assert set(parsed[step]) == set(tables.snapshots[step])
        for name, rows in parsed[step].items():
            truth = tables.snapshots[step][name]
            np.testing.assert_allclose(rows, truth, rtol=0.5 * 10.0 ** (1 - digits), atol=0)
    assert th.verify_handin(text).ok
    assert "| X | wh | bh | hidden_layer_input | hidden_layer_activations | *wout* |" in text
    assert "| **d_output** |" in text.split("## Step 7")[1].split("## Step 8")[0]


def test_a_wrong_number_and_default_values_are_reported():
    text = th.to_markdown(bt.compute_tables(FIXED))
    value = th.format_number(bt.compute_tables(FIXED).snapshots[7]["d_output"][1, 0])
    bent = text.replace(value, "0.999", 1)
    result = th.verify_handin(bent)
    assert not result.ok and any("d_output row 1" in p for p in result.problems)
    default = th.verify_handin(th.to_markdown(bt.compute_tables(bt.COURSE_DEFAULT_INIT)))
    assert not default.ok and "course defaults" in default.problems[0]
    assert not th.verify_handin("# just some notes").ok


def test_handin_files_are_written_atomically(tmp_path, monkeypatch):
    tables = bt.compute_tables(bt.initial_values(5))
    monkeypatch.chdir(tmp_path)
    md = th.write_handin(tables)
    assert md.as_posix() == "handin/backprop_tables.md"
    assert md.read_text() == th.to_markdown(tables)
    # Writing again replaces our own file, and leaves no temporary file behind.
    th.write_handin(bt.compute_tables(bt.initial_values(6)))
    assert th.read_handin(md.read_text())[0]["bout"][0, 0] == bt.initial_values(6)["bout"][0, 0]
    assert [p.name for p in (tmp_path / "handin").iterdir()] == ["backprop_tables.md"]


@pytest.mark.parametrize("victim", ["backprop_tables.md"])
def test_handin_never_replaces_a_file_it_did_not_write(tmp_path, victim):
    folder = tmp_path / "handin"
    folder.mkdir()
    (folder / victim).write_text("my own notes\n")
    with pytest.raises(th.HandinWriteError, match="not written by write_handin"):
        th.write_handin(bt.compute_tables(FIXED), folder)
    assert (folder / victim).read_text() == "my own notes\n"
    assert [p.name for p in folder.iterdir()] == [victim]


def test_handin_bad_arguments_are_explained(tmp_path):
    tables = bt.compute_tables(FIXED)
    (tmp_path / "afile").write_text("x")
    with pytest.raises(th.HandinWriteError, match="not a folder"):
        th.write_handin(tables, tmp_path / "afile")
    with pytest.raises(ValueError, match="digits"):
        th.write_handin(tables, tmp_path, digits=0)
    with pytest.raises(ValueError, match="no folders"):
        th.write_handin(tables, tmp_path, name="../elsewhere")
    with pytest.raises(TypeError, match="compute_tables"):
        th.write_handin(FIXED, tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["afile"]


def _handin(**changes):
    """A correct hand-in for FIXED with text replacements applied."""
    text = th.to_markdown(bt.compute_tables(FIXED))
    for old, new in changes.items():
        assert old in text
        text = text.replace(old, new, 1)
    return text


def test_bent_hand_ins_are_reported():
    tables = bt.compute_tables(FIXED)
    e0 = th.format_number(tables.snapshots[5]["E"][0, 0])
    cases = {
        "nan": (text := _handin()).replace(f"| {e0} |", "| nan |", 1),
        "coarse": text.replace('"digits": 5', '"digits": 2'),
        "lr": text.replace('"lr": 0.1', '"lr": 0.2'),
        "no step": text.replace("## Step 4:", "## Stage 4:"),
        "bad heading": text.replace("## Step 4:", "## Step four:"),
        "twice": text.replace("## Step 4:", "## Step 3:"),
        "no step 12": text + "\n## Step 12: extra\n\n| X |\n|---|\n| 1 |\n",
        "words": text.replace(f"| {e0} |", "| about a half |", 1),
    }
    expected = {
        "nan": "E row 0: nan", "coarse": "at least 3", "lr": "learning rate 0.2",
        "no step": "steps [4] are missing", "bad heading": "does not give a step number",
        "twice": "step 3 appears twice", "no step 12": "no such step",
        "words": "is not a row of numbers",
    }
    for case, bent in cases.items():
        result = th.verify_handin(bent)
        assert not result.ok, case
        assert any(expected[case] in p for p in result.problems), (case, result.problems)


def test_missing_columns_and_rows_are_reported():
    tables = bt.compute_tables(FIXED)
    text = _handin()
    lines = text.splitlines()
    # Blank the output column of step 4 (the 8th column) in every row.
    start = lines.index(next(line for line in lines if line.startswith("## Step 4:")))
    for i in range(start, start + 10):
        if lines[i].startswith("| ") and not lines[i].startswith("| X"):
            cells = lines[i].split("|")
            cells[8] = " "
            lines[i] = "|".join(cells)
    result = th.verify_handin("\n".join(lines))
    assert any("step 4: no values for output" in p for p in result.problems), result.problems
    # Drop the last row of step 11.
    row = " | ".join(th._cell(tables.snapshots[11].get(c), 2, th.DIGITS) for c in bt.COLUMNS)
    result = th.verify_handin(text.replace(f"| {row} |\n", ""))
    assert any("step 11, X: 2 rows, expected 3" in p for p in result.problems), result.problems
    assert not th.verify_handin(12345).ok


def test_html_marks_computed_and_read_columns():
    html = th.step_html(bt.compute_tables(FIXED), 7)
    assert "Step 7" in html and "#ffd9b3" in html and "#cfe0f7" in html
    with pytest.raises(ValueError, match="0 to 11"):
        th.step_html(bt.compute_tables(FIXED), 12)


def test_bad_digits_are_explained():
    tables = bt.compute_tables(FIXED)
    for bad in (0, 2.5, "3", True):
        with pytest.raises(ValueError, match="digits must be a whole number"):
            th.to_markdown(tables, digits=bad)
        with pytest.raises(ValueError, match="digits must be a whole number"):
            th.step_html(tables, 3, digits=bad)


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 42])
def test_every_update_shows_at_the_default_digits(seed):
    """Between step 9 and step 11 every weight and bias changes: the written tables show it."""
    tables = bt.compute_tables(bt.initial_values(seed))
    before, after = tables.snapshots[9], tables.snapshots[11]
    for name in bt.SHAPES:
        for r in range(before[name].shape[0]):
            old = th._cell(before[name], r, th.DIGITS).split()
            new = th._cell(after[name], r, th.DIGITS).split()
            assert all(a != b for a, b in zip(old, new, strict=True)), (name, r, old, new)
    for name in ("d_output", "d_hiddenlayer"):
        assert all(float(v) != 0 for r in range(3) for v in th._cell(after[name], r, th.DIGITS)
                   .split())


def test_at_three_decimals_the_course_defaults_hide_updates():
    """Why the tables use significant digits: fixed 3 places hide a change of wh."""
    tables = bt.compute_tables(bt.COURSE_DEFAULT_INIT)
    wh_before, wh_after = tables.snapshots[9]["wh"], tables.snapshots[11]["wh"]
    assert np.any(np.round(wh_before, 3) == np.round(wh_after, 3))
    assert np.any(np.round(tables.snapshots[9]["d_hiddenlayer"], 3) == 0)
    assert np.abs(wh_after - wh_before).min() == pytest.approx(6.21e-5, rel=1e-3)


@pytest.mark.parametrize("digits", [3, 5])
def test_the_tolerance_follows_the_digits_written(digits):
    tables = bt.compute_tables(FIXED)
    text = th.to_markdown(tables, digits)
    truth = tables.snapshots[9]["d_hiddenlayer"][2, 1]
    written = th.format_number(truth, digits)
    unit = 10.0 ** (np.floor(np.log10(abs(truth))) - digits + 1)
    assert f" {written} " in text
    near = th.format_number(truth + 0.4 * unit, digits + 2)
    far = th.format_number(truth + 0.7 * unit, digits + 2)
    assert th.verify_handin(text.replace(f" {written} ", f" {near} ", 1)).ok
    result = th.verify_handin(text.replace(f" {written} ", f" {far} ", 1))
    assert not result.ok and "d_hiddenlayer row 2" in result.problems[0]


def test_older_hand_ins_with_fixed_decimals_are_still_read():
    tables = bt.compute_tables(FIXED)
    text = th.to_markdown(tables).replace('"digits": 5', '"decimals": 3')
    assert th.read_handin(text)[1] == {"lr": 0.1, "decimals": 3}
    assert th.verify_handin(text).ok
    value = th.format_number(tables.snapshots[5]["E"][0, 0])
    assert not th.verify_handin(text.replace(f"| {value} |", "| 0.5 |", 1)).ok


def test_notebook_05_step_pictures_for_its_saved_seed():
    """The numbers notebook 05's prose reads off its step 9 and step 10 pictures (seed 2017),
    and the course defaults' smallest wh change, which 3 decimals would hide."""
    tables = bt.compute_tables(bt.initial_values(2017))
    step9, step10 = th.step_html(tables, 9), th.step_html(tables, 10)
    d_hidden = tables.snapshots[9]["d_hiddenlayer"]
    assert th.format_number(np.abs(d_hidden).min()) == "0.00029581"
    assert "0.00029581" in step9 and "0.94193 0.53476" in step9
    assert "0.94211 0.53489" in step10 and "0.94193" not in step10
    change = np.abs(tables.snapshots[10]["wh"] - tables.snapshots[9]["wh"]).min()
    assert f"{change:.5f}" == "0.00010"
    defaults = bt.compute_tables(bt.COURSE_DEFAULT_INIT)
    change = np.abs(defaults.snapshots[10]["wh"] - defaults.snapshots[9]["wh"]).min()
    assert f"{change:.6f}" == "0.000062"


def test_the_verifier_refuses_any_entry_of_the_defaults_or_the_article():
    article = th.verify_handin(th.to_markdown(bt.compute_tables(bt.ARTICLE_INIT)))
    assert not article.ok and article.problems[0].startswith("19 of 19 initial values")
    assert "wh[0,0] = 0.42 is the article's value" in article.problems[0]
    one = {**FIXED, "bout": [[0.69]]}  # the article's bout, everything else one's own
    result = th.verify_handin(th.to_markdown(bt.compute_tables(one)))
    assert not result.ok and len(result.problems) == 1
    assert result.problems[0].startswith("1 of 19") and "bout = 0.69 is the article's value" \
        in result.problems[0]
    assert th.verify_handin(th.to_markdown(bt.compute_tables(FIXED))).ok


@pytest.mark.parametrize("old, new, message", [
    ('"digits": 5', '"digits": 1' + "0" * 400, "out of range"),
    ('"digits": 5', '"decimals": 1e400', "must be numbers"),
    ("## Step 3:", "## Step \u00b2:", "does not give a step number"),
    ("## Step 3:", "## Step " + "9" * 5000 + ":", "does not give a step number"),
])
def test_hostile_settings_and_headings_are_format_errors(old, new, message):
    text = th.to_markdown(bt.compute_tables(FIXED))
    assert old in text
    result = th.verify_handin(text.replace(old, new))
    assert not result.ok and message in result.problems[0]


def test_deeply_nested_initial_values_are_a_format_error():
    text = f"```json {th.HEADER_TAG}\n" + "[" * 100_000 + "]" * 100_000 + "\n```"
    assert "nested too deeply" in th.verify_handin(text).problems[0]
