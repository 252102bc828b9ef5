"""A moved model keeping the monolith's `__module__` resolves postponed annotations in main.py's namespace, so
main.py binds what they name (fixtures/regressions/namesake_model_with_postponed_annotations)."""

from __future__ import annotations

import ast

from splitter.emit.annotation_namespace import postponed_annotation_names

MODEL = (
    "class OrderRequest(BaseModel):\n"
    "    lines: List[Line]\n"
    "    note: 'Optional[Note]' = None\n"
    "    kind: Literal['fast'] = 'fast'\n"
    "    def total(self) -> Decimal: ...\n"  # a method's annotation: not a field pydantic resolves
)


def test_postponed_annotations_name_every_field_type() -> None:
    names = postponed_annotation_names(ast.parse(MODEL).body[0], future=True)
    assert names == {"List", "Line", "Optional", "Note", "Literal"}  # not "fast": a value


def test_without_postponement_only_quoted_parts_are_looked_up_later() -> None:
    names = postponed_annotation_names(ast.parse(MODEL).body[0], future=False)
    assert names == {"Optional", "Note"}
