"""The README's shipped-model table is generated from the cards and must match them."""
import re
from pathlib import Path

import pytest

from poseviz.cards.readme_table import TABLE_END, TABLE_START, replace_table, shipped_table, task_label
from poseviz.models.zoo import card_metrics, shipped_models

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_table_is_the_one_the_cards_give():
    text = README.read_text(encoding="utf-8")
    between = text.split(TABLE_START, 1)[1].split(TABLE_END, 1)[0].strip()
    assert between == shipped_table(), "README is stale: run python -m poseviz models --write-readme README.md"


def test_rows_carry_each_cards_figures_best_first():
    rows = shipped_table().splitlines()[2:]
    names = [re.match(r"\| `(\w+)`", r).group(1) for r in rows]
    assert sorted(names) == sorted(shipped_models(None))
    flips = []
    for name, row in zip(names, rows):
        m = card_metrics(name)
        pck, flip = map(float, re.search(r"\| ([\d.]+) % \(([\d.]+) %\)", row).groups())
        assert pck == pytest.approx(m["pck_test"], abs=0.05)
        assert flip == pytest.approx(m["pck_test_flip"], abs=0.05)
        assert f"{m['params'] / 1e6:.2f} M" in row
        flips.append(flip)
    assert flips == sorted(flips, reverse=True)


def test_replace_touches_only_the_marked_block():
    doc = f"intro\n{TABLE_START}\nold | table\n{TABLE_END}\noutro\n"
    out = replace_table(doc, "NEW")
    assert out == f"intro\n{TABLE_START}\nNEW\n{TABLE_END}\noutro\n"
    with pytest.raises(ValueError, match="markers"):
        replace_table("no markers here", "NEW")


def test_task_labels_name_the_architectural_twist():
    assert task_label("hrnet_nl_lsp") == "belief maps, non-local block"
    assert task_label("hrnet_lsp") == "belief maps"
    assert task_label("cpm_lsp").endswith("(CPM + BatchNorm)")
    assert "part affinity fields" in task_label("openpose_lsp")


def test_cli_prints_and_writes_the_table(tmp_path, capsys):
    from poseviz.cli import main

    assert main(["models", "--markdown"]) == 0
    assert capsys.readouterr().out.strip() == shipped_table()
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n{TABLE_START}\nstale\n{TABLE_END}\n", encoding="utf-8")
    assert main(["models", "--write-readme", str(readme)]) == 0
    assert shipped_table() in readme.read_text(encoding="utf-8")
    assert "updated" in capsys.readouterr().out
