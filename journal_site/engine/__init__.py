"""One build engine for ``journal build``, ``journal serve`` and a deploy (see site.py)."""
