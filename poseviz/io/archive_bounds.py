"""One rule for how far an archive may unpack, shared by dataset downloads and images uploaded as a zip."""
from __future__ import annotations

from poseviz.core.errors import PoseVizInputError

__all__ = ["check_unpacked_size"]


def check_unpacked_size(name: str, members: int, unpacked: int, packed: int, max_members: int, max_unpacked: int,
                        max_ratio: float) -> None:
    """Refuse (``PoseVizInputError``) an archive of ``packed`` bytes declaring ``unpacked`` bytes in ``members``
    members beyond ``max_members``, ``max_unpacked`` bytes or ``max_ratio`` × its own size (a zip bomb)."""
    allowed = min(max_unpacked, int(max_ratio * max(packed, 1)))
    if members > max_members:
        raise PoseVizInputError(f"{name} holds more than {max_members:,} members; not unpacked")
    if unpacked > allowed:
        raise PoseVizInputError(f"{name} would unpack to more than {allowed:,} bytes ({max_ratio:.0f} × its size, "
                                f"{max_unpacked:,} at most); not unpacked")
