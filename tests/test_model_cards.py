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
    m = json.loads(zoo.card_metrics_path(SHIPPED[0]).read_text())
    m["pck_test_flip"] = 12.34
    text = cards.write_card(m, tmp_path).read_text()
    assert "12.34 % with flip test" in text and "Below the project's target" in text


@pytest.mark.parametrize("name", SHIPPED)
def test_cards_of_the_ablated_architectures_point_to_the_ablations(name):
    card, arch = zoo.card_path(name).read_text(), zoo.entry(name).arch
    assert ("`assets/ablations.md`" in card) == (arch in ("cpm", "hourglass", "hrnet"))
