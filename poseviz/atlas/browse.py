"""Browsing an atlas: per-model summaries, filters, worst people first, and where one model fails and another
does not. Everything here is pandas on the atlas's rows, so a page answers a filter change without a network."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from poseviz.atlas.store import MANIFEST, read_atlas
from poseviz.metrics.bootstrap import bootstrap_mean, interval_text

__all__ = ["ATLASES", "Atlas", "list_atlases", "load", "summary", "joint_summary", "Filters", "filter_people",
           "fails_where_other_does_not", "SIZE_BANDS", "for_pages", "visibility_mix"]

ATLASES = "atlases"  # folder under the data root where the page looks for atlases
# COCO's area bands (px² of the person's segment): small < 32², medium < 96², large above
SIZE_BANDS = {"small (< 32 px)": (0.0, 32.0), "medium (32–96 px)": (32.0, 96.0), "large (> 96 px)": (96.0, np.inf)}
_PER_JOINT = ["joints", "gt_v", "err_norm", "err_px", "ks", "error_class", "belief"]


@dataclass
class Atlas:
    """An atlas loaded for browsing: one row per person × model (``people``) and one per joint (``joints``)."""

    path: Path
    manifest: dict
    people: pd.DataFrame
    joints: pd.DataFrame

    @property
    def models(self) -> list[str]:
        return list(self.manifest["models"])


def list_atlases(root: str | Path) -> list[Path]:
    """Atlas folders (holding a manifest) under ``root/atlases``, newest first."""
    base = Path(root) / ATLASES
    if not base.is_dir():
        return []
    found = [p for p in base.iterdir() if (p / MANIFEST).is_file()]
    return sorted(found, key=lambda p: -(p / MANIFEST).stat().st_mtime)


def load(path: str | Path) -> Atlas:
    """Read an atlas and explode its per-joint lists into one row per person × model × joint."""
    df, m = read_atlas(path)
    df = df.reset_index(drop=True)
    df["person"] = df.index
    ok = df[df.error == ""]
    stage_gain = [(_stage_gain(s) if s is not None and len(s) > 1 else np.nan) for s in ok.stage_err_norm]
    df.loc[ok.index, "stage_gain"] = stage_gain
    if len(ok):
        j = ok[["person", "model", "ann_id", "oks", "size_px", "crowd_index"] + _PER_JOINT].explode(_PER_JOINT)
        j = j[j.error_class != ""].astype({"gt_v": int, "err_norm": float, "err_px": float, "ks": float, "belief": float})
    else:
        j = pd.DataFrame(columns=["person", "model", "ann_id", "oks", "size_px", "crowd_index"] + _PER_JOINT)
    j = j.rename(columns={"joints": "joint"}).reset_index(drop=True)
    return Atlas(Path(path), m, df, j)


def _stage_gain(stage_err) -> float:
    """Mean normalised error of the first stage minus the last's, over labelled joints: > 0 when refinement helped."""
    first, last = np.asarray(stage_err[0], float), np.asarray(stage_err[-1], float)
    lab = ~np.isnan(first)
    return float(np.mean(first[lab] - last[lab])) if lab.any() else np.nan


def summary(atlas: Atlas) -> pd.DataFrame:
    """Per model: people scored, errors, mean OKS (with its 95 % bootstrap interval over the people), share with OKS ≥ 0.5 and ≥ 0.75, the error-class mix of labelled
    joints (%), and the mean gain from the first to the last stage."""
    rows = []
    for model in atlas.models:
        p = atlas.people[atlas.people.model == model]
        ok = p[(p.error == "") & p.oks.notna()]
        j = atlas.joints[atlas.joints.model == model]
        mix = j.error_class.value_counts(normalize=True) * 100 if len(j) else pd.Series(dtype=float)
        rows.append({"model": model, "people": len(ok), "error rows": int((p.error != "").sum()),
                     "mean OKS": round(ok.oks.mean(), 3),
                     "mean OKS 95 % CI": interval_text(bootstrap_mean(ok.oks.to_numpy()), 3) if len(ok) else "–",
                     "OKS ≥ 0.5 (%)": round(100 * (ok.oks >= 0.5).mean(), 1),
                     "OKS ≥ 0.75 (%)": round(100 * (ok.oks >= 0.75).mean(), 1),
                     **{f"{c} (%)": round(float(mix.get(c, 0.0)), 1) for c in ("good", "jitter", "inversion", "swap", "miss")},
                     "stage gain (err / √area)": round(float(p.stage_gain.mean()), 4) if p.stage_gain.notna().any() else None})
    return pd.DataFrame(rows)


def visibility_mix(atlas: Atlas) -> pd.DataFrame:
    """Error-class mix (% of labelled joints) per model, for visible (v = 2) and occluded (v = 1) joints apart,
    with how many joints each row rests on."""
    j = atlas.joints.assign(visibility=atlas.joints.gt_v.map({2: "visible", 1: "occluded"}))
    mix = pd.crosstab([j.model, j.visibility], j.error_class, normalize="index") * 100
    mix = mix.reindex(columns=["good", "jitter", "inversion", "swap", "miss"], fill_value=0.0).round(1)
    mix.columns = [f"{c} (%)" for c in mix.columns]
    mix["joints"] = j.groupby(["model", "visibility"]).size()
    return mix


def joint_summary(atlas: Atlas) -> pd.DataFrame:
    """Mean normalised error (error / √area) per joint (rows) and model (columns), labelled joints only."""
    return atlas.joints.pivot_table(index="joint", columns="model", values="err_norm", aggfunc="mean").round(3)


@dataclass(frozen=True)
class Filters:
    """What the page filters on; None means any."""

    model: str | None = None
    joint: str | None = None
    error_class: str | None = None
    visibility: int | None = None  # 1 labelled but occluded, 2 visible (of ``joint``, or of any joint)
    size: tuple[float, float] | None = None  # √area in px
    crowding: tuple[float, float] | None = None  # crowd index


def filter_people(atlas: Atlas, f: Filters, limit: int | None = None) -> pd.DataFrame:
    """People (person × model rows without an error) matching ``f``, worst first: by the chosen joint's normalised
    error when a joint is chosen, else by OKS."""
    p = atlas.people[(atlas.people.error == "") & atlas.people.oks.notna()]
    if f.model:
        p = p[p.model == f.model]
    if f.size:
        p = p[p.size_px.between(*f.size)]
    if f.crowding:
        p = p[p.crowd_index.between(*f.crowding)]
    j = atlas.joints
    if f.joint or f.error_class or f.visibility:
        m = np.ones(len(j), bool)
        if f.joint:
            m &= (j.joint == f.joint).to_numpy()
        if f.error_class:
            m &= (j.error_class == f.error_class).to_numpy()
        if f.visibility:
            m &= (j.gt_v == f.visibility).to_numpy()
        hit = j[m]
        p = p[p.person.isin(hit.person)]
        if f.joint:
            worst = hit.groupby("person").err_norm.max()
            p = p.assign(joint_err=p.person.map(worst)).sort_values(["joint_err", "oks"], ascending=[False, True])
            return p.head(limit) if limit else p
    p = p.sort_values(["oks", "ann_id"])
    return p.head(limit) if limit else p


def fails_where_other_does_not(atlas: Atlas, a: str, b: str, threshold: float = 0.5) -> pd.DataFrame:
    """People whose OKS under model ``a`` is below ``threshold`` while under ``b`` it is at least that, worst gap
    first: columns ann_id, oks_a, oks_b, gap."""
    p = atlas.people[(atlas.people.error == "") & atlas.people.oks.notna()]
    wide = p.pivot_table(index="ann_id", columns="model", values="oks", aggfunc="first")
    if a not in wide or b not in wide:
        return pd.DataFrame(columns=["ann_id", "oks_a", "oks_b", "gap"])
    w = wide[[a, b]].dropna()
    w = w[(w[a] < threshold) & (w[b] >= threshold)]
    out = pd.DataFrame({"ann_id": w.index, "oks_a": w[a].to_numpy(), "oks_b": w[b].to_numpy()})
    out["gap"] = out.oks_b - out.oks_a
    return out.sort_values("gap", ascending=False).reset_index(drop=True)


def for_pages(rgb: np.ndarray, row) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """The image and box to open an atlas row's person on the app's pages: the image already at most the pages'
    side limit (so they do not rescale it) and the box for their framing (``poseviz.atlas.rows.page_box``)."""
    import cv2

    from poseviz.atlas.rows import page_box
    from poseviz.io.images import DEFAULT_MAX_SIDE

    f = min(1.0, DEFAULT_MAX_SIDE / max(rgb.shape[:2]))
    if f < 1.0:
        rgb = cv2.resize(rgb, (round(rgb.shape[1] * f), round(rgb.shape[0] * f)), interpolation=cv2.INTER_AREA)
    return rgb, page_box(np.asarray(row.box, dtype=np.float64) * f, row.box_enlarge, rgb.shape[1], rgb.shape[0])
