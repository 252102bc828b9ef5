"""Finding and Report: the result of comparing two snapshots."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

BREAKING = "breaking"
NON_BREAKING = "non-breaking"
COSMETIC = "cosmetic"
SEVERITIES = (BREAKING, NON_BREAKING, COSMETIC)


@dataclass(frozen=True)
class Finding:
    kind: str  # e.g. "route-removed", "route-order-changed", "response-model-changed"
    severity: str  # one of SEVERITIES
    message: str
    location: str  # e.g. "GET /items/{id}", "middleware", "exception_handlers[ValueError]"

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)

    @property
    def has_breaking(self) -> bool:
        return any(f.severity == BREAKING for f in self.findings)

    def of_severity(self, severity: str) -> list[Finding]:
        return [f for f in self.findings if f.severity == severity]

    def counts(self) -> dict[str, int]:
        return {severity: len(self.of_severity(severity)) for severity in SEVERITIES}

    def summary(self) -> str:
        if not self.findings:
            return "no differences"
        return ", ".join(f"{count} {severity}" for severity, count in self.counts().items())

    def to_text(self) -> str:
        lines = [f"verify: {self.summary()}"]
        for severity in SEVERITIES:  # most important first, generation order within a severity
            for finding in self.of_severity(severity):
                lines.append(f"  {severity:<12} {finding.kind:<28} {finding.location}: {finding.message}")
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict:
        return {
            "has_breaking": self.has_breaking,
            "counts": self.counts(),
            "findings": [asdict(f) for f in self.findings],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"
