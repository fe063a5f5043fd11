"""The notebooks here are hostile hand-ins for the checker's tests, not lessons: nbval must
not run them (tests/test_check_batch.py and the sandbox tests feed them to the checker)."""

collect_ignore_glob = ["*.ipynb", "*/*.ipynb"]
