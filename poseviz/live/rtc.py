"""WebRTC settings for a classroom: no STUN/TURN server (nothing outside the machine is needed), and
ICE candidates on the loopback interface when the machine has no other network.

aiortc (through aioice) offers only non-loopback addresses; a laptop with Wi-Fi off has none, and its
browser could not reach the server's media at all. ``allow_loopback_candidates`` patches aioice's
address discovery (it has no option for this) to add 127.0.0.1 when nothing else is found, or to use
only 127.0.0.1 when ``POSEVIZ_RTC_LOOPBACK=1`` (browser and server on one machine, no traffic on any
other interface).
"""
from __future__ import annotations

import os

__all__ = ["RTC_CONFIGURATION", "LOOPBACK_VAR", "allow_loopback_candidates"]

RTC_CONFIGURATION: dict = {"iceServers": []}  # explicit: streamlit-webrtc would otherwise ask a public STUN server
LOOPBACK_VAR = "POSEVIZ_RTC_LOOPBACK"


def allow_loopback_candidates() -> bool:
    """Install the loopback fallback in aioice (idempotent); returns whether it is installed."""
    try:
        import aioice.ice as ice
    except ImportError:
        return False
    if getattr(ice.get_host_addresses, "_poseviz", False):
        return True
    original = ice.get_host_addresses

    def get_host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        if os.environ.get(LOOPBACK_VAR) == "1":
            return ["127.0.0.1"] if use_ipv4 else []
        found = original(use_ipv4, use_ipv6)
        return found or (["127.0.0.1"] if use_ipv4 else [])

    get_host_addresses._poseviz = True
    ice.get_host_addresses = get_host_addresses
    return True
