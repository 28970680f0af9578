"""The Content Security Policy of every page: sent as a header by hosts that take
``_headers`` (publish.py) and by ``journal serve``, and written into every page's
``<meta>`` (render.py) for hosts that send no headers."""

CSP_DIRECTIVES: tuple[tuple[str, str], ...] = (
    ("default-src", "'none'"),
    ("script-src", "'self'"),
    ("style-src", "'self'"),
    # blob: for images and SVG charts that an encrypted page decrypts in the browser.
    ("img-src", "'self' blob:"),
    # connect-src for the search index (and encrypted files) fetched from the site itself.
    ("connect-src", "'self'"),
    ("form-action", "'self'"),
    ("base-uri", "'none'"),
    ("frame-ancestors", "'none'"),
)
CONTENT_SECURITY_POLICY = "; ".join(f"{name} {value}" for name, value in CSP_DIRECTIVES)
META_IGNORED = frozenset({"frame-ancestors", "report-uri", "sandbox"})
"""Directives a browser ignores (with a console error) in a ``<meta>`` policy."""
META_CONTENT_SECURITY_POLICY = "; ".join(
    f"{name} {value}" for name, value in CSP_DIRECTIVES if name not in META_IGNORED
)
"""The same policy for every page's ``<meta http-equiv>``, for hosts that send no headers.
A host that sends the header enforces both, so the stricter (the header) wins."""
