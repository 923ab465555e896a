"""Every shipped weight file loads, matches its model card, and reproduces the card's PCK."""
import json

import numpy as np
import pytest

from poseviz.cards import SUBSET
from poseviz.data.lsp import lsp_split
from poseviz.metrics.evaluation import evaluate_lsp
from poseviz.models import zoo
from poseviz.models.pretrained import load_pretrained

pytestmark = pytest.mark.devdata  # every test here reads ../shared/data

SHIPPED = zoo.shipped_models(None)  # every task


def test_every_zoo_model_is_shipped_with_a_card():
    assert SHIPPED == zoo.list_zoo(None)
    assert set(zoo.TASKS) == {zoo.ZOO[n].task for n in SHIPPED}
    for name in SHIPPED:
        assert zoo.card_path(name).is_file() and zoo.card_metrics_path(name).is_file()


@pytest.mark.parametrize("name", SHIPPED)
def test_weights_reproduce_the_cards_pck_on_the_fixed_subset(name, lsp):
    card = json.loads(zoo.card_metrics_path(name).read_text())
    model = load_pretrained(name)
    assert card["params"] == sum(p.numel() for p in model.parameters())
    ev = evaluate_lsp(model, lsp, lsp_split("test")[:SUBSET], progress=False)
    assert ev.pck.mean == pytest.approx(card["pck_subset50"], abs=0.5)
    assert 0 < card["pck_test"] <= card["pck_test_flip"] + 5 and np.isfinite(card["median_ms_per_crop"])


@pytest.mark.parametrize("name", zoo.shipped_models("dense"))
def test_chart_model_reproduces_the_cards_part_iou(name, lsp):
    from poseviz.metrics.dense_eval import evaluate_dense

    card = json.loads(zoo.card_metrics_path(name).read_text())
    scores = evaluate_dense(load_pretrained(name), lsp, lsp_split("test")[:SUBSET], progress=False)
    assert 100 * scores.miou == pytest.approx(card["charts_subset50"]["miou"], abs=0.5)
    # head and torso (no left/right to confuse) are found far above chance
    assert card["charts_test"]["part_iou"]["head"] > 30 and card["charts_test"]["part_iou"]["torso"] > 30


@pytest.mark.parametrize("name", zoo.shipped_models("paf"))
def test_paf_model_reproduces_the_cards_coco_ap(name):
    from poseviz.cards import coco_mini_ap

    card = json.loads(zoo.card_metrics_path(name).read_text())["coco_mini_bottom_up"]
    got = coco_mini_ap(load_pretrained(name))
    assert card["joints"] == 12 and card["images"] == 80
    for k in ("AP", "AP .5", "AR"):
        assert got[k] == pytest.approx(card[k], abs=0.005)


@pytest.mark.parametrize("name", SHIPPED)
def test_weights_reproduce_the_cards_coco_and_mpii_figures_on_fixed_subsets(name):
    """The card's COCO (ground-truth boxes, images 1–20) and MPII validation (people 1–50) figures, flip test."""
    from poseviz.cards import COCO_SUBSET
    from poseviz.metrics.source_scores import score_sources
    from poseviz.models.fast_inference import for_inference

    card = json.loads(zoo.card_metrics_path(name).read_text())
    model = for_inference(load_pretrained(name))
    coco = score_sources(model, ("coco",), flip=True, limit=COCO_SUBSET, progress=False)["coco"]
    mpii = score_sources(model, ("mpii",), flip=True, limit=SUBSET, progress=False)["mpii"]
    assert coco["AP"] == pytest.approx(card["coco_boxes_subset20_flip"], abs=0.005)
    assert mpii["mean"] == pytest.approx(card["mpii_pckh_subset50_flip"], abs=0.5)
    assert card["coco_boxes_flip"]["people"] == 84 and card["mpii_people"] == 200
