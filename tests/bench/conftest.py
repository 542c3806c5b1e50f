"""Benchmarks run only when asked for (`make bench`, i.e. pytest -m bench); `make test` skips them."""
import pytest


def pytest_configure(config):
    config.addinivalue_line("markers", "bench: load benchmark on PostgreSQL (make bench; skipped by make test)")


def pytest_collection_modifyitems(config, items):
    if "bench" in (config.getoption("markexpr", "") or "").replace("not bench", ""):
        return
    skip = pytest.mark.skip(reason="benchmark: run with `make bench` (pytest -m bench)")
    for item in items:
        if item.get_closest_marker("bench"):
            item.add_marker(skip)
