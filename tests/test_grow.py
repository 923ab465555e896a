"""Function-preserving growth: a grown network computes what the trained one did, and can learn."""
import dataclasses

import pytest
import torch
from torch import nn

from poseviz.models import create_model
from poseviz.training.grow import add_cpm_stages, add_hourglass_stack, add_hrnet_module

SMALL_HRNET = dict(width=8, stages=((1, 1), (1, 1), (1, 1)), layer1_blocks=1, num_joints=14, input_size=(64, 64), schema="lsp14")


def _randomise_bn(model: nn.Module, seed: int = 0) -> nn.Module:
    """Non-trivial BN statistics and affines, as a trained network has (fresh ones are 0/1)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.weight.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.num_features, generator=g) * 0.1)
    return model.eval()


def _input(seed: int = 1) -> torch.Tensor:
    return torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(seed))


def test_hourglass_gains_a_stack_with_unchanged_prediction():
    torch.manual_seed(0)
    model = _randomise_bn(create_model("hourglass", num_stacks=2, num_feats=8, stem_planes=8, num_joints=14, input_size=(64, 64)))
    grown = add_hourglass_stack(model).eval()
    x = _input()
    with torch.no_grad():
        before, after = model(x), grown(x)
    assert grown.num_stacks == 3 and len(after.stages) == 3
    torch.testing.assert_close(after.stages[-1], before.stages[-1], rtol=0, atol=1e-6)
    torch.testing.assert_close(after.stages[0], before.stages[0], rtol=0, atol=0)
    # A fresh 3-stack network has exactly the grown one's parameters.
    fresh = create_model("hourglass", **dataclasses.asdict(grown.config))
    assert fresh.load_state_dict(grown.state_dict()).missing_keys == []


def test_cpm_gains_stages_copied_from_its_last_and_keeps_every_earlier_stage():
    torch.manual_seed(0)
    model = _randomise_bn(create_model("cpm", num_stages=2, num_joints=14, trunk_channels=8, feature_channels=8, head_channels=8,
                                       stage_channels=8, num_pools=2, input_size=(64, 64), batch_norm=True))
    grown = add_cpm_stages(model, 2).eval()
    x = _input()
    with torch.no_grad():
        before, after = model(x), grown(x)
    assert grown.config.num_stages == 4 and len(after.stages) == 4
    for s in range(2):  # stages 1..T compute what they did
        torch.testing.assert_close(after.stages[s], before.stages[s], rtol=0, atol=0)
    # Stage 3 is stage 2's weights applied to stage 2's beliefs: a further refinement, not a copy of the output.
    with torch.no_grad():
        feats = model.features(x)
        again = model.stages[-1](torch.cat([feats, before.stages[-1], model.center_map(x, tuple(feats.shape[-2:]))], 1))
    torch.testing.assert_close(after.stages[2], again, rtol=0, atol=1e-6)
    assert (after.stages[2] - before.stages[-1]).abs().max() > 1e-3
    with pytest.raises(ValueError, match="1-stage"):
        add_cpm_stages(create_model("cpm", num_stages=1, num_joints=14, trunk_channels=8, head_channels=8, input_size=(64, 64)), 1)
    with pytest.raises(ValueError, match="at least 1"):
        add_cpm_stages(model, 0)


def test_grow_command_adds_cpm_stages_for_the_ablation_model(tmp_path, capsys):
    from poseviz.cli import main
    from poseviz.models import zoo
    from poseviz.models.pretrained import read_state_dict

    out = tmp_path / "cpm6.safetensors"
    assert main(["grow", "cpm_lsp", "--add-stage", "3", "--out", str(out)]) == 0
    ablation = zoo.build("cpm6_ablation")  # the ablation entry takes the grown weights with nothing missing
    report = ablation.load_state_dict(read_state_dict(out), strict=False)
    assert report.missing_keys == [] and report.unexpected_keys == []
    assert main(["grow", "hrnet_lsp", "--add-stage", "1", "--out", str(tmp_path / "x.safetensors")]) == 2
    assert "--add-stage needs a CPM" in capsys.readouterr().err


def test_hourglass_remap_is_what_keeps_the_prediction():
    model = _randomise_bn(create_model("hourglass", num_stacks=2, num_feats=8, stem_planes=8, num_joints=14, input_size=(64, 64)))
    grown = add_hourglass_stack(model).eval()
    with torch.no_grad():
        grown.score_[1].bias.fill_(0.5)  # any non-zero remap changes the last stack's input
        moved = grown(_input()).stages[-1]
        assert (moved - model(_input()).stages[-1]).abs().max() > 1e-3


@pytest.mark.parametrize("arch", ["hrnet", "hrnet_dense"])
@pytest.mark.parametrize("stage", [2, 3, 4])
def test_hrnet_module_starts_as_the_identity(arch, stage):
    torch.manual_seed(0)
    model = _randomise_bn(create_model(arch, **SMALL_HRNET))
    grown = add_hrnet_module(model, stage).eval()
    x = _input()
    with torch.no_grad():
        before, after = model(x), grown(x)
    assert grown.config.stages[stage - 2] == (2, 1) and model.config.stages[stage - 2] == (1, 1)
    torch.testing.assert_close(after.heatmaps, before.heatmaps, rtol=0, atol=1e-6)
    fresh = create_model(arch, **{**SMALL_HRNET, "stages": grown.config.stages})
    report = fresh.load_state_dict(grown.state_dict())
    assert report.missing_keys == [] and report.unexpected_keys == []


def test_grown_hrnet_module_learns():
    model = _randomise_bn(create_model("hrnet", **SMALL_HRNET))
    grown = add_hrnet_module(model, 3).train()
    grown(_input()).heatmaps.square().sum().backward()
    new_block = grown.stage3[0].branches[0][0]
    assert new_block.bn2.weight.grad.abs().sum() > 0  # zero-scaled, yet it receives gradient


def test_stage_fed_by_the_non_local_block_is_refused():
    model = create_model("hrnet", **{**SMALL_HRNET, "nonlocal_at": (3, 1)})
    with pytest.raises(ValueError, match="non-local"):
        add_hrnet_module(model, 4)
    with pytest.raises(ValueError, match="stage must be"):
        add_hrnet_module(model, 5)


@pytest.mark.devdata
def test_grow_command_writes_weights_that_predict_as_the_shipped_ones(tmp_path, capsys):
    from safetensors.torch import load_file

    from poseviz.cli import main
    from poseviz.models import zoo

    out = tmp_path / "grown.safetensors"
    stacks = zoo.ZOO["hourglass_lsp"].kwargs["num_stacks"]
    assert main(["grow", "hourglass_lsp", "--out", str(out), "--add-stack", "1"]) == 0
    assert f"{{'num_stacks': {stacks + 1}}}" in capsys.readouterr().out
    shipped = zoo.build("hourglass_lsp")
    shipped.load_state_dict(load_file(zoo.weights_path("hourglass_lsp")))
    e = zoo.ZOO["hourglass_lsp"]
    grown = create_model(e.arch, **{**e.kwargs, "num_stacks": e.kwargs["num_stacks"] + 1})
    grown.load_state_dict(load_file(out))
    x = _input().repeat_interleave(2, -1).repeat_interleave(2, -2)  # 128 × 128
    with torch.no_grad():
        torch.testing.assert_close(grown.eval()(x).heatmaps, shipped.eval()(x).heatmaps, rtol=0, atol=1e-6)
    other = tmp_path / "other.safetensors"  # grow never overwrites, so the refusals below name a new file
    assert main(["grow", "cpm_lsp", "--out", str(other), "--add-stack", "1"]) == 2
    assert "needs a Stacked Hourglass" in capsys.readouterr().err
    wrong = tmp_path / "wrong.safetensors"
    wrong.write_bytes(zoo.weights_path("cpm_lsp").read_bytes())
    assert main(["grow", "hourglass_lsp", "--weights", str(wrong), "--out", str(other), "--add-stack", "1"]) == 2
    assert "does not hold hourglass_lsp weights" in capsys.readouterr().err


def test_card_records_a_growth_and_keeps_it_for_the_same_run(tmp_path, monkeypatch):
    import json

    from poseviz import cards
    from poseviz.models import zoo

    old = json.loads((zoo.ASSETS / "hourglass_lsp.json").read_text())
    card = tmp_path / "hourglass_lsp.json"
    card.write_text(json.dumps(old))
    monkeypatch.setattr(zoo, "card_metrics_path", lambda name: card)
    new = json.loads(json.dumps(old))
    new["config"]["num_stacks"] = old["config"]["num_stacks"] + 1
    grown = cards._growth("hourglass_lsp", new)
    assert grown == {"num_stacks": [old["config"]["num_stacks"], old["config"]["num_stacks"] + 1]}
    new["training"]["grown_from"] = grown
    new["training"]["select"], new["training"]["init_from"] = "last", "runs/init/hourglass_lsp.safetensors"
    text = cards.write_card(new, tmp_path).read_text()
    assert f"grown (num_stacks {old['config']['num_stacks']} → {old['config']['num_stacks'] + 1}) with `python -m poseviz grow`" in text
    # Re-carding the same run keeps the record; a later run from the grown weights drops it.
    card.write_text(json.dumps(new))
    assert cards._growth("hourglass_lsp", json.loads(json.dumps(new))) == grown
    later = json.loads(json.dumps(new))
    later["training"]["epochs"] += 10
    assert cards._growth("hourglass_lsp", later) is None


def test_card_names_the_layers_a_warm_start_from_another_model_left_fresh(tmp_path):
    """hrnet_lsp's weights fill an HRNet with a non-local block except the block itself."""
    import json

    from poseviz import cards
    from poseviz.models import create_model, zoo

    e = zoo.ZOO["hrnet_lsp"]
    with_nl = create_model("hrnet", **{**e.kwargs, "nonlocal_at": (3, 1)})
    src = "assets/hrnet_lsp.safetensors"  # as the train config records it: relative to the project root
    assert cards.fresh_layers(with_nl, src) == ["nonlocal_block"]
    assert cards.fresh_layers(zoo.build("hrnet_lsp"), src) == []
    assert cards.fresh_layers(with_nl, tmp_path / "gone.safetensors") is None
    m = json.loads((zoo.ASSETS / "hrnet_nl_lsp.json").read_text())
    # The shipped card's record may name another start (a revived copy of itself): state this one's.
    m["training"].update(select="last", init_from=src, init_model="hrnet_lsp", fresh_layers=["nonlocal_block"])
    text = cards.write_card(m, tmp_path).read_text()
    assert "warm-started from `assets/hrnet_lsp.safetensors`, which holds every layer but `nonlocal_block`" in text
    assert "starts as the identity" in text


def test_recarding_an_unchanged_hrnet_records_no_growth(tmp_path, monkeypatch):
    """The measured config (nested tuples in the zoo) must compare equal to the card's JSON lists."""
    import json

    from poseviz import cards
    from poseviz.models import zoo

    monkeypatch.setattr(zoo, "card_metrics_path", lambda name: tmp_path / f"{name}.json")
    (tmp_path / "hrnet_lsp.json").write_text(json.dumps({"config": zoo.ZOO["hrnet_lsp"].kwargs, "training": {"epochs": 1}}))
    m = {"config": cards.measured_config("hrnet_lsp"), "training": {"epochs": 2}}
    assert m["config"]["stages"] == [[2, 2], [2, 2], [2, 2]]
    assert cards._growth("hrnet_lsp", m) is None


def test_revive_reinitialises_dead_blocks_without_changing_the_output():
    from poseviz.models import zoo
    from poseviz.training.grow import revive_dead_blocks

    torch.manual_seed(0)
    model = zoo.build("hrnet_lsp")
    model.train()
    with torch.no_grad():  # a few batches so every BatchNorm has running statistics
        for _ in range(3):
            model(torch.randn(2, 3, 128, 128))
    dead = model.stage3[0].branches[1][0]
    live = model.stage3[0].branches[0][0]
    with torch.no_grad():  # what Adam's L2 decay leaves: zero convolutions, a small scale and a shift
        dead.conv1.weight.zero_()
        dead.conv2.weight.mul_(1e-9)
        dead.bn2.weight.fill_(3e-3)
        dead.bn2.bias.fill_(0.05)
        dead.bn2.running_mean.fill_(0.2)
    live_before = {k: v.clone() for k, v in live.state_dict().items()}
    model.eval()
    x = torch.randn(2, 3, 128, 128)
    with torch.no_grad():
        before = model(x).heatmaps
        assert revive_dead_blocks(model) == ["stage3.0.branches.1.0"]
        after = model(x).heatmaps
    torch.testing.assert_close(after, before, rtol=0, atol=1e-6)
    assert dead.conv1.weight.abs().max() > 0.01 and dead.conv2.weight.abs().max() > 0.01
    assert dead.bn2.weight.abs().max() == 0
    for k, v in live.state_dict().items():
        assert torch.equal(v, live_before[k]), k


def test_revive_reinitialises_dead_hourglass_blocks_and_keeps_their_constant():
    from poseviz.training.grow import revive_dead_blocks

    torch.manual_seed(0)
    model = _randomise_bn(create_model("hourglass", num_stacks=2, num_feats=16, stem_planes=16, num_joints=14,
                                       input_size=(64, 64), schema="lsp14"))
    dead = model.hg[1].hg[0][1][0]
    with torch.no_grad():  # what Adam's L2 decay left in hourglass_lsp: zero weights, a bias on the last conv
        for conv in (dead.conv1, dead.conv2, dead.conv3):
            conv.weight.zero_()
        dead.conv3.bias.fill_(0.3)
        for bn in (dead.bn1, dead.bn2, dead.bn3):
            bn.weight.zero_()
    # A block whose shortcut is a projection: a dead branch must leave the projection alone.
    projected = next(b for b in model.modules() if getattr(b, "downsample", None) is not None and b is not dead)
    projection_before = projected.downsample[0].weight.clone()
    model.eval()
    x = _input()
    with torch.no_grad():
        before = model(x).heatmaps
        assert revive_dead_blocks(model) == ["hg.1.hg.0.1.0"]
        after = model(x).heatmaps
    torch.testing.assert_close(after, before, rtol=0, atol=1e-6)
    assert dead.conv1.weight.abs().max() > 0.01 and dead.bn2.weight.min() == 1
    assert dead.conv3.weight.abs().max() == 0 and torch.all(dead.conv3.bias == 0.3)
    assert torch.equal(projected.downsample[0].weight, projection_before)
    # The revived branch has a non-zero input to its last convolution again, so it learns.
    model.train()
    model(x).heatmaps.square().mean().backward()
    assert dead.conv3.weight.grad.abs().max() > 0


def test_grow_revive_refuses_a_network_without_residual_blocks_and_a_healthy_one(tmp_path, capsys):
    from poseviz.cli import main
    from poseviz.training.grow import revive_dead_blocks

    out = tmp_path / "revived.safetensors"
    assert main(["grow", "cpm_lsp", "--revive", "--out", str(out)]) == 2
    assert "--revive needs an HRNet or a Stacked Hourglass" in capsys.readouterr().err
    with pytest.raises(TypeError, match="OpenPose"):
        revive_dead_blocks(create_model("openpose", num_joints=14))
    from safetensors.torch import save_file

    from poseviz.models import zoo
    from poseviz.training.loop import export_state

    healthy = tmp_path / "healthy.safetensors"
    save_file(export_state(zoo.build("hrnet_lsp")), str(healthy))  # fresh weights: no block is dead
    assert main(["grow", "hrnet_lsp", "--weights", str(healthy), "--revive", "--out", str(out)]) == 2
    assert "no dead residual blocks" in capsys.readouterr().err
    assert not out.exists()


def test_grow_revive_leaves_a_record_the_card_of_the_next_run_reads(tmp_path):
    import json

    from safetensors.torch import save_file

    from poseviz import cards
    from poseviz.cli import main
    from poseviz.models import zoo
    from poseviz.training.loop import export_state

    model = zoo.build("hrnet_lsp")
    with torch.no_grad():
        for conv in (model.stage2[0].branches[1][0].conv1, model.stage2[0].branches[1][0].conv2):
            conv.weight.zero_()
    weights = tmp_path / "trained.safetensors"
    save_file(export_state(model), str(weights))
    out = tmp_path / "new" / "hrnet_lsp_revived.safetensors"  # the folder does not exist yet
    assert main(["grow", "hrnet_lsp", "--weights", str(weights), "--revive", "--out", str(out)]) == 0
    record = json.loads(out.with_suffix(".json").read_text())
    assert record == {"model": "hrnet_lsp", "revived": ["stage2.0.branches.1.0"]}
    run = tmp_path / "runs" / "hrnet_lsp"
    run.mkdir(parents=True)
    (run / "config.json").write_text(json.dumps({"init_from": str(out), "select": "last", "epochs": 3}))
    t = cards._training_info(run)
    assert t["init_model"] == "hrnet_lsp" and t["revived_blocks"] == len(record["revived"])
    m = json.loads((zoo.ASSETS / "hrnet_lsp.json").read_text())
    m["training"] = {**t, "model": "hrnet_lsp"}
    text = cards.write_card(m, tmp_path).read_text()
    assert "a further cosine cycle continuing the previously shipped weights" in text
    assert f"before this cycle {len(record['revived'])} dead residual blocks" in text


def test_card_lists_earlier_cycles_logs_in_numeric_order(tmp_path):
    from poseviz import cards

    for k in (10, 2, 1):
        (tmp_path / f"hourglass_lsp_train_log_part{k}.csv").write_text("epoch\n")
    t = {"model": "hourglass_lsp", "select": "last", "init_from": "assets/hourglass_lsp.safetensors", "epochs": 3}
    row = cards._checkpoint_row(t, tmp_path)
    assert row.index("part1.csv") < row.index("part2.csv") < row.index("part10.csv")
