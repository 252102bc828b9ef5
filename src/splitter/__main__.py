"""`python -m splitter`: the same command as the `splitter` console script."""

from splitter.cli import main

if __name__ == "__main__":
    main()
