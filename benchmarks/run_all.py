"""Run every benchmark and print its table (``make bench``)."""
import runpy
from pathlib import Path

HERE = Path(__file__).parent
for name in ("accuracy", "latency", "first_result", "default_person", "box_robustness", "bottom_up", "app_render", "occlusion_sweep", "memory", "upload_soak", "coco_ap_ci", "live", "train_precision", "atlas"):
    print(f"\n# {name}")
    runpy.run_path(str(HERE / f"{name}.py"), run_name="__main__")
