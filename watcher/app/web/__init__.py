"""The web view (`watcher serve`): pages, Atom feeds and an HTTP API over the store, served by Starlette and uvicorn."""
