"""Every benchmark script imports (its ``main`` is not run here: timings belong to ``make bench``), and
``run_all`` runs each one that exists. A renamed module once broke three of them unnoticed."""
import ast
import runpy
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
SCRIPTS = sorted(p for p in BENCH.glob("*.py") if p.name not in ("run_all.py", "_common.py"))


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_benchmark_imports_and_has_a_main(script):
    namespace = runpy.run_path(str(script), run_name="benchmark_import_check")
    assert callable(namespace.get("main")), f"{script.name} has no main()"


def test_run_all_names_only_existing_benchmarks():
    tree = ast.parse((BENCH / "run_all.py").read_text())
    names = [elt.value for node in ast.walk(tree) if isinstance(node, ast.Tuple)
             for elt in node.elts if isinstance(elt, ast.Constant) and isinstance(elt.value, str)]
    assert names and all((BENCH / f"{n}.py").is_file() for n in names)
