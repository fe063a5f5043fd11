#!/usr/bin/env bash
# Set up the course, check the hand-in, publish the report: what the learner's workflow
# (classroom/check-handin.yml) runs, and what tests/test_classroom.py runs locally.
#   HANDIN       the notebooks to check (default: the two assignments' notebooks)
#   REPORT       the Markdown report (default check-report.md; the JSON goes beside it)
#   CHECK_FLAGS  more options for helpers.check (e.g. --assignment tables)
# Exits with the checker's status: 0 all pass, 1 a hand-in fails, 2 nothing checked.
set -euo pipefail
cd "$(dirname "$0")/.."
HANDIN=${HANDIN:-notebooks/05_backprop_tables.ipynb notebooks/06_python_numpy_tutorial.ipynb}
REPORT=${REPORT:-check-report.md}
make venv
status=0
# HANDIN and CHECK_FLAGS are lists of words, split on purpose.
# shellcheck disable=SC2086
.venv/bin/python -m helpers.check $HANDIN ${CHECK_FLAGS:-} --md "$REPORT" \
  --json "${REPORT%.md}.json" || status=$?
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  if [ -f "$REPORT" ]; then
    cat "$REPORT" >> "$GITHUB_STEP_SUMMARY"
  else
    echo "The checker wrote no report (exit status $status); see the job's log." \
      >> "$GITHUB_STEP_SUMMARY"
  fi
fi
exit "$status"
