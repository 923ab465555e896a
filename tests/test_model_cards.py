"""Model cards are rendered from one template (``poseviz/cards/template.md``) and their JSON figures."""
import json

import pytest

from poseviz import cards
from poseviz.models import zoo

SHIPPED = zoo.shipped_models(None)


@pytest.mark.parametrize("name", SHIPPED)
def test_each_shipped_card_is_its_json_rendered_through_the_template(name, tmp_path):
    """A hand edit of a card, or a template change not re-rendered into the cards, fails here."""
    m = json.loads(zoo.card_metrics_path(name).read_text())
    rendered = cards.write_card(m, tmp_path).read_text()
    assert rendered == zoo.card_path(name).read_text()
    assert "$" not in rendered  # every placeholder was filled


def test_the_template_fills_every_figure(tmp_path):
    trained_here = next(n for n in SHIPPED if zoo.entry(n).trained_here)
    m = json.loads(zoo.card_metrics_path(trained_here).read_text())
    m["pck_test_flip"] = 12.34
    text = cards.write_card(m, tmp_path).read_text()
    assert "12.34 % with flip test" in text and "Below the project's target" in text


def test_a_published_networks_card_says_whose_training_it_is(tmp_path):
    m = json.loads(zoo.card_metrics_path("efficientpose_rt").read_text())
    text = cards.write_card(m, tmp_path).read_text()
    assert "not trained by this project" in text and "its MPII figures here are not held out" in text
    assert "No training curves" in text and "train --model efficientpose_rt` is refused" in text
    assert "crop context 1.22" in text
    m["crop_context"] = 1.5
    assert "crop context 1.5" in cards.write_card(m, tmp_path).read_text()


@pytest.mark.parametrize("name", SHIPPED)
def test_cards_of_the_ablated_architectures_point_to_the_ablations(name):
    card, arch = zoo.card_path(name).read_text(), zoo.entry(name).arch
    assert ("`assets/ablations.md`" in card) == (arch in ("cpm", "hourglass", "hrnet"))


def test_a_card_says_how_its_last_cycle_was_trained(tmp_path):
    """The run's recorded precision and augmentation reach the card; older runs keep the old words."""
    m = json.loads(zoo.card_metrics_path("hrnet_lsp").read_text())
    m["training"] = {**m.get("training", {}), "autocast": "float32"}
    m["training"].pop("augment", None)
    old = cards.write_card(m, tmp_path).read_text()
    assert "rotation ±30°, scale ±25 %, flip" in old and "half-body" not in old and "bfloat16" not in old
    m["training"].update(autocast="bfloat16", augment={"rotation": 20.0, "scale": 0.3, "half_body_prob": 0.3,
                                                        "half_body_enlarge": 1.5})
    new = cards.write_card(m, tmp_path).read_text()
    assert "rotation ±20°, scale ±30 %" in new and "with bfloat16 autocast" in new
    assert "half-body crops (probability 0.3: the upper or the lower body's joints framed × 1.5)" in new
