"""`python -m watcher`: runs the command line."""

from watcher.app.cli import main

main()
