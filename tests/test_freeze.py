"""Training only some parts (--train-only): the frozen parts, their BatchNorm statistics included,
come out of a run bit for bit as loaded; the named parts learn; bad names are refused."""
import json

import pytest
import torch
from safetensors.torch import load_file

from poseviz.core.errors import PoseVizInputError
from poseviz.models import zoo
from poseviz.training.freeze import freeze_except, keep_frozen_in_eval, parse_parts
from poseviz.training.loop import TrainConfig, train

HEAD = "dense_head,part_logits,u,v"


def test_parse_parts():
    assert parse_parts(" dense_head, u ,,v ") == ("dense_head", "u", "v")
    assert parse_parts(None) == () and parse_parts("") == ()


def test_frozen_parts_keep_weights_and_batchnorm_statistics():
    torch.manual_seed(0)
    model = zoo.build("hrnet_dense_lsp")
    frozen = freeze_except(model, parse_parts(HEAD))
    assert "stage4" in frozen and "dense_head" not in frozen
    before = {k: v.clone() for k, v in model.state_dict().items()}
    opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
    model.train()
    keep_frozen_in_eval(model, frozen)
    out = model(torch.randn(2, 3, 128, 128))
    (out.dense.part_logits.square().mean() + out.heatmaps.square().mean()).backward()
    opt.step()
    after = model.state_dict()
    changed = {k.split(".")[0] for k in before if not torch.equal(before[k], after[k])}
    # The head's BatchNorm statistics and weights move; nothing in the backbone does.
    assert changed and changed <= {"dense_head", "part_logits", "u", "v"}
    assert "dense_head" in changed
    assert model.dense_head.training and not model.stage4.training


def test_without_eval_mode_batchnorm_statistics_would_move():
    """Why ``keep_frozen_in_eval`` exists: requires_grad_(False) alone leaves running statistics live."""
    model = zoo.build("hrnet_dense_lsp")
    freeze_except(model, parse_parts(HEAD))
    before = model.bn1.running_mean.clone()
    model.train()
    model(torch.randn(2, 3, 128, 128))
    assert not torch.equal(before, model.bn1.running_mean)


def test_refusals(tmp_path):
    model = zoo.build("hrnet_dense_lsp")
    with pytest.raises(PoseVizInputError, match="not a part of DenseHRNet; its parts are conv1"):
        freeze_except(model, ("dense_head", "charts"))
    every = tuple(n for n, _ in model.named_children())
    with pytest.raises(PoseVizInputError, match="names every part"):
        freeze_except(model, every)
    with pytest.raises(PoseVizInputError, match="--init-from"):
        TrainConfig(model="hrnet_dense_lsp", out_dir=str(tmp_path), train_only="dense_head").check()
    with pytest.raises(PoseVizInputError, match="at least one part"):
        TrainConfig(model="hrnet_dense_lsp", out_dir=str(tmp_path), train_only=" , ",
                    init_from=str(zoo.weights_path("hrnet_lsp"))).check()


@pytest.mark.devdata  # trains on LSP images
def test_a_run_leaves_the_keypoints_of_its_start(tmp_path):
    """The chart head trained on HRNet's frozen backbone: the keypoint path's weights stay identical."""
    start = zoo.weights_path("hrnet_lsp")
    cfg = TrainConfig(model="hrnet_dense_lsp", out_dir=str(tmp_path), epochs=1, batch_size=4, limit=8, eval_every=0,
                      threads=2, lr=1e-2, init_from=str(start), train_only=HEAD, precision="fp32")
    cfg.check()
    train(cfg, progress=False)
    run = tmp_path / "hrnet_dense_lsp"
    out = load_file(str(run / "last.safetensors"))
    ref = load_file(str(start))
    for k, v in ref.items():
        assert torch.equal(out[k].float(), v.float()), k
    assert json.loads((run / "config.json").read_text())["frozen"][-1] == "final_layer"
    # The head learned: its weights left their initial values (train seeds the build with cfg.seed).
    torch.manual_seed(cfg.seed)
    init = zoo.build("hrnet_dense_lsp").state_dict()
    assert not torch.equal(out["part_logits.weight"].float(), init["part_logits.weight"].half().float())


def test_card_says_what_was_frozen_and_claims_identical_maps_only_when_true():
    from poseviz.cards import _frozen_note

    head = parse_parts(HEAD)
    frozen = [n for n, _ in zoo.build("hrnet_dense_lsp").named_children() if n not in head]
    t = {"model": "hrnet_dense_lsp", "init_from": "assets/hrnet_lsp.safetensors", "frozen": frozen, "fresh_layers": list(head)}
    note = _frozen_note(t)
    assert "only `dense_head`, `part_logits`, `u`, `v` were trained" in note
    assert "exactly those of the `hrnet_lsp` weights it started from" in note
    # Training a layer the source already had (final_layer) changes the maps: no such claim.
    t2 = {**t, "frozen": [n for n in frozen if n != "final_layer"]}
    assert "`final_layer`" in _frozen_note(t2) and "exactly" not in _frozen_note(t2)
    assert _frozen_note({"model": "hrnet_dense_lsp"}) == ""
