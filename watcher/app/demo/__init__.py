"""`watcher demo`: a local newsroom (newsroom) edits its stories on a timeline while watcher watches it (watch)."""
