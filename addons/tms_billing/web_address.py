"""What counts as a web address, for links users enter and connections' URLs."""

from urllib.parse import urlsplit


def is_web_address(url):
    """Whether ``url`` is an http(s) address with a host (no script, mail or file link)."""
    parts = urlsplit(url or "")
    return parts.scheme in ("http", "https") and bool(parts.hostname)
