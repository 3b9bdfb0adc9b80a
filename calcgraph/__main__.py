"""`python -m calcgraph` runs the CLI."""

from calcgraph.cli import main

if __name__ == "__main__":
    main()
