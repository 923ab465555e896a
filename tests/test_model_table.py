"""The README's shipped-model table is generated from the cards and must match them."""
import re
from pathlib import Path

import pytest

from poseviz.cards.readme_table import TABLE_END, TABLE_START, replace_table, shipped_table, task_label
from poseviz.models import zoo
from poseviz.models.zoo import card_metrics, shipped_models

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_table_is_the_one_the_cards_give():
    text = README.read_text(encoding="utf-8")
    between = text.split(TABLE_START, 1)[1].split(TABLE_END, 1)[0].strip()
    assert between == shipped_table(), "README is stale: run python -m poseviz models --write-readme README.md"


def test_rows_carry_each_cards_figures_best_first():
    rows = [r for r in shipped_table().splitlines()[2:] if r.startswith("| `")]
    names = [re.match(r"\| `(\w+)`", r).group(1) for r in rows]
    assert sorted(names) == sorted(shipped_models(None))
    firsts = []
    for name, row in zip(names, rows):
        m, u = card_metrics(name), card_metrics(name)["user_boxes"]
        cells = [c.strip() for c in row.strip("|").split("|")]
        # what a user gets first (detector boxes, bold), then the joints' box figures, labelled in the header
        assert cells[2] == f"**{u['lsp_detected_flip']:.1f} %**" and cells[3] == f"**{u['coco_detected_flip']['AP']:.3f}**"
        # MPII figures of a network its authors trained on MPII carry the "not held out" mark
        mark = "" if zoo.entry(name).trained_here else " ¹"
        assert cells[4] == f"**{u['mpii_own_box_flip']:.1f} %**{mark}" and cells[7] == f"{m['mpii_pckh_flip']:.1f} %{mark}"
        assert cells[5] == f"{m['pck_test_flip']:.1f} %" and cells[6] == f"{m['coco_boxes_flip']['AP']:.3f}"
        assert f"{m['params'] / 1e6:.2f} M" in row
        firsts.append(u["lsp_detected_flip"])
    assert firsts == sorted(firsts, reverse=True)
    assert shipped_table().endswith("¹ not held out: EfficientPose's authors trained it on all of MPII.")
    header = shipped_table().splitlines()[0]
    assert header.index("detector box") < header.index("joints' box")


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
    assert task_label("efficientpose_rt").startswith("skeleton PAFs, then belief maps (MPII-16")


def test_cli_prints_and_writes_the_table(tmp_path, capsys):
    from poseviz.cli import main

    assert main(["models", "--markdown"]) == 0
    assert capsys.readouterr().out.strip() == shipped_table()
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n{TABLE_START}\nstale\n{TABLE_END}\n", encoding="utf-8")
    assert main(["models", "--write-readme", str(readme)]) == 0
    assert shipped_table() in readme.read_text(encoding="utf-8")
    assert "updated" in capsys.readouterr().out
