"""The app shell: the command line, the terminal front end of `watcher run`, the demo."""
