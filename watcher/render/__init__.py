"""Rich renderables for the terminal: edits, tables, the dashboard; page text always enters as Text."""
