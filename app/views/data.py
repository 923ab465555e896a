"""Data: which datasets and checkpoints the data root holds, and the command that fetches the rest."""
import pandas as pd
import streamlit as st

from poseviz.data.fetch import status
from poseviz.data.registry import REGISTRY
from poseviz.data.root import ENV_VAR, data_root, development_data
from poseviz.data.samples import sample_images

st.title("Data")
root = data_root()
where = "the development data beside the checkout" if root == development_data() else "your data root"
st.markdown(f"PoseViz reads datasets from **{where}**. Set the `{ENV_VAR}` environment variable or "
            "`data_root` in the config file to use another folder; `python -m poseviz data path` prints it.")
rows = [{"present": "yes" if s.present else "no", "name": s.name, "what": REGISTRY[s.name].title,
         "get it with": "" if s.present else f"python -m poseviz data fetch {s.name}",
         "licence": REGISTRY[s.name].licence} for s in status(root)]
st.dataframe(pd.DataFrame(rows), hide_index=True)
extra = [name for name in ("coco-mini", "mpii") if (root / name).is_dir()]
if extra:
    st.caption(f"Also present: {', '.join(extra)} (development copies; the COCO sample feeds the OKS laboratory's default).")
st.subheader("Sample photos in the gallery")
st.write(", ".join(sample_images()) or "none")
st.caption("Downloads are checked against their published hash (COCO) or the one recorded at the first download, "
           "resume after an interruption, and unpack into the data root only when complete.")
