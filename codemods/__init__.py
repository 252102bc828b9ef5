"""libcst transformers used by `splitter apply`; each also runs alone via `python -m libcst.tool codemod`."""
