from watcher.app.cli import main

main()
