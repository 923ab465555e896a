"""The Live camera page in Chromium with a fake camera: run by tests/test_live_browser.py, possibly inside a
network namespace of its own. Prints one JSON line with what it saw.

usage: live_camera_check.py CLIP.y4m SCREENSHOT.png [DATA_ROOT [SECONDS [ENOUGH_FRAMES]]]

``run_isolated`` runs it in a network namespace of its own when this machine allows one (a veth pair on a
private address inside it, as Chromium offers no ICE candidates on loopback alone), else on this machine's
own addresses with the server's media on 127.0.0.1: nothing leaves the machine either way.
"""
import json
import subprocess
import sys
import time
from pathlib import Path

from browser import CHROMIUM, CHROMIUM_ARGS, running_app

LIVE_ENV = {"POSEVIZ_RTC_LOOPBACK": "1"}  # server media on 127.0.0.1 only


def _frames_processed(page) -> int:
    for m in page.get_by_test_id("stMetric").all():
        if "Frames processed" in m.inner_text():
            return int(m.get_by_test_id("stMetricValue").inner_text())
    return -1


def _open_live_page(page, url: str, events: list[str], app, tries: int = 3, wait_ms: int = 60_000) -> None:
    """Open the Live page, loading it again when it has not drawn its metrics yet (a first load that stays
    blank has been seen once on a fresh machine); raises with what the page, the browser and the server showed."""
    for attempt in range(tries):
        if attempt == 0:
            page.goto(url)
        else:
            events.append(f"reloading (attempt {attempt + 1}); the page showed: {page.locator('body').inner_text()[:300]!r}")
            page.reload()
        try:
            page.get_by_text("Frames processed").wait_for(timeout=wait_ms)
            return
        except Exception:
            pass
    html = page.content()
    raise RuntimeError(f"the Live page never drew its metrics. page text: {page.locator('body').inner_text()[:1500]!r}\n"
                       f"page HTML ({len(html)} chars): {html[:1500]}\nbrowser:\n" + "\n".join(events[-40:]) +
                       f"\nserver log:\n{app.log_tail()}")


def main(clip: str, shot: str, seconds: float = 40.0, enough_frames: int | None = 60, data_root: str | None = None) -> dict:
    """Stream for up to ``seconds`` (until ``enough_frames`` are counted, if given), freeze a frame, open it in
    Explore; returns the frame counts read every 2 s, the server's RSS at each read, the returned video's size
    and the exceptions shown."""
    from playwright.sync_api import sync_playwright

    seen: dict = {"counts": [], "rss_mb": []}
    env = {**LIVE_ENV, **({"POSEVIZ_DATA": data_root} if data_root else {})}
    with running_app(env) as app, sync_playwright() as p:
        url = app.url
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            *CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={clip}"])
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        events: list[str] = []  # for whoever reads a failure
        page.on("console", lambda m: events.append(f"console {m.type}: {m.text}"))
        page.on("pageerror", lambda e: events.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: events.append(f"request failed: {r.url} {r.failure}"))
        page.on("websocket", lambda ws: events.append(f"websocket opened: {ws.url}"))
        _open_live_page(page, f"{url}/live", events, app)
        component = page.frame_locator("iframe[title*='webrtc'], iframe").first
        component.get_by_role("button", name="Start camera").click(timeout=60_000)
        start = time.time()
        while time.time() - start < seconds:
            page.wait_for_timeout(2000)
            seen["counts"].append(_frames_processed(page))
            seen["rss_mb"].append(app.rss_mb())
            if enough_frames is not None and seen["counts"][-1] > enough_frames:
                break
        video = component.locator("video").first
        seen["video_size"] = video.evaluate("v => [v.videoWidth, v.videoHeight]")
        seen["exceptions"] = page.locator("[data-testid=stException]").count()
        page.screenshot(path=shot)
        page.get_by_role("button", name="Freeze this frame and open it in Explore").click()
        page.get_by_role("heading", name="Explore belief maps").wait_for(timeout=120_000)
        page.get_by_text("One joint, every stage").wait_for(timeout=120_000)
        seen["explore_source"] = page.locator("[data-testid=stSidebar]").get_by_text("Frozen frame").count()
        seen["exceptions_after_freeze"] = page.locator("[data-testid=stException]").count()
        browser.close()
    return seen


NAMESPACE_SETUP = ("ip link set lo up && ip link add pv0 type veth peer name pv1 && ip addr add 10.200.0.1/24 dev pv0 "
                   "&& ip link set pv0 up && ip link set pv1 up")


def own_namespace_works() -> bool:
    try:
        return subprocess.run(["unshare", "-n", "sh", "-c", NAMESPACE_SETUP], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def run_isolated(clip: str, shot: str, data_root: str = "", seconds: float = 40.0, enough_frames: int = 60) -> dict:
    """``main`` in a subprocess, in a network namespace of its own when possible; when that run fails, once more
    on this machine's own addresses (media still on 127.0.0.1). Returns what it saw; raises with both reports."""
    check = [sys.executable, str(Path(__file__).resolve()), clip, shot, data_root, str(seconds), str(enough_frames)]
    isolated = ["unshare", "-n", "sh", "-c", NAMESPACE_SETUP + ' && exec "$@"', "sh", *check]
    failures = []
    for cmd in ([isolated] if own_namespace_works() else []) + [check]:
        run = subprocess.run(cmd, cwd=Path(__file__).parent, capture_output=True, text=True, timeout=seconds + 600)
        if run.returncode == 0:
            return json.loads(run.stdout.strip().splitlines()[-1])
        where = "in its own network namespace" if cmd is isolated else "on this machine's addresses"
        failures.append(f"--- {where} (exit {run.returncode}):\n{run.stdout[-2000:]}{run.stderr[-10000:]}")
    raise RuntimeError("\n".join(failures))


if __name__ == "__main__":
    args = sys.argv[1:] + [""] * (5 - len(sys.argv[1:]))
    enough = int(args[4]) if args[4] else 60
    print(json.dumps(main(args[0], args[1], seconds=float(args[3] or 40), enough_frames=enough if enough > 0 else None,
                          data_root=args[2] or None)))
