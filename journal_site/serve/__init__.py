"""``journal serve``: the site built in memory, served over HTTP, rebuilt on every save.

The shape of MkDocs' livereload server: a standard-library threaded HTTP server and
Server-Sent Events (http.py), a file watcher (watch.py), and the process's life with
its build loop (app.py). Nothing is written to disk but the engine's store.
"""

from journal_site.serve.app import serve_command

__all__ = ["serve_command"]
