"""Memory under load: RSS growth after 50 different images in one session, and after 10 sessions
of 5 images each (interleaved, as concurrent users would be). Target: growth ≤ 300 MB."""
import gc
import sys

sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
from _common import LSP, ROOT, rss_mb, table  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

PAGE = str(ROOT / "app" / "views" / "explore.py")


def _session() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=300).run()
    at.sidebar.radio(key="img_source").set_value("Upload").run()
    return at


def _upload(at: AppTest, i: int) -> None:
    p = LSP / "images" / f"im{1001 + i:04d}.jpg"
    at.file_uploader(key="img_upload").set_value((p.name, p.read_bytes(), "image/jpeg")).run()
    assert not at.exception, at.exception


def main() -> None:
    warm = _session()
    _upload(warm, 999)  # load models and libraries before measuring
    gc.collect()
    base = rss_mb()
    one = _session()
    for i in range(50):
        _upload(one, i)
    gc.collect()
    after_one = rss_mb()
    sessions = [_session() for _ in range(10)]
    for round_ in range(5):
        for s, at in enumerate(sessions):
            _upload(at, 100 + 5 * s + round_)
    gc.collect()
    after_many = rss_mb()
    rows = [
        {"scenario": "baseline (models loaded)", "RSS MB": round(base), "growth MB": 0},
        {"scenario": "1 session, 50 different images", "RSS MB": round(after_one), "growth MB": round(after_one - base)},
        {"scenario": "+10 sessions × 5 images", "RSS MB": round(after_many), "growth MB": round(after_many - base)},
    ]
    table(rows, f"Memory (target: growth ≤ 300 MB) — {'met' if after_many - base <= 300 else 'NOT met'}")


if __name__ == "__main__":
    main()
