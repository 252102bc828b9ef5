"""oasdiff-style comparison of two OpenAPI documents.

Classification (see docs/verify.md): what can make an existing client fail is breaking (removed path or
operation, changed parameter/body/response schema, required-ness, status codes, operationId, security);
what only adds is non-breaking (new operation, new optional parameter, new response status); documentation
(summary, description, examples, tag order, JSON key order) is cosmetic. An unknown difference is breaking:
the comparison must never wave through what it does not understand.

Schemas are compared with `$ref`s resolved, so a changed component is reported at every operation that uses
it, and the name of the referenced component still counts (generated clients use it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from splitter.analysis.model import HTTP_VERBS as HTTP_METHODS
from splitter.verification.findings import BREAKING, COSMETIC, NON_BREAKING, Finding

DOC_KEYS = frozenset({"summary", "description", "externalDocs", "example", "examples"})
# Inside these keys, dict keys are names chosen by the user (a property may be called "description").
NAME_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "content", "headers"})
_REF_PREFIX = "#/components/schemas/"


def strip_docs(node: Any, keys_are_names: bool = False) -> Any:
    """`node` without documentation-only keywords, so a difference left over changes behaviour."""
    if isinstance(node, dict):
        return {
            key: strip_docs(value, keys_are_names=not keys_are_names and key in NAME_MAPS)
            for key, value in node.items()
            if keys_are_names or key not in DOC_KEYS
        }
    if isinstance(node, list):
        return [strip_docs(item) for item in node]
    return node


class _Resolver:
    def __init__(self, document: dict) -> None:
        self.schemas = (document.get("components") or {}).get("schemas") or {}

    def resolve(self, node: Any, seen: frozenset[str] = frozenset()) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(_REF_PREFIX):
                name = ref[len(_REF_PREFIX) :]
                if name in seen or name not in self.schemas:
                    return {"$ref": name}
                return {"$ref": name, "schema": self.resolve(self.schemas[name], seen | {name})}
            return {key: self.resolve(value, seen) for key, value in node.items()}
        if isinstance(node, list):
            return [self.resolve(item, seen) for item in node]
        return node


class OpenAPIDiff:
    def __init__(self, before: dict, after: dict, allowed_tag_additions: bool) -> None:
        self.before, self.after = before, after
        self.old, self.new = _Resolver(before), _Resolver(after)
        self.tag_addition_severity = COSMETIC if allowed_tag_additions else NON_BREAKING
        # `apply --tags` adds these on purpose; say so, so a reviewer can tell them from accidental changes.
        self.intended = " (intended: tags opted in)" if allowed_tag_additions else ""
        self.findings: list[Finding] = []

    def add(self, kind: str, severity: str, message: str, location: str) -> None:
        self.findings.append(Finding(kind, severity, message, location))

    def _doc_or(self, kind: str, a: Any, b: Any, location: str, what: str) -> None:
        """Report a difference between two resolved values: cosmetic if only documentation differs."""
        if a == b:
            return
        if strip_docs(a) == strip_docs(b):
            self.add("documentation-changed", COSMETIC, f"{what}: documentation changed", location)
        else:
            self.add(kind, BREAKING, f"{what} changed", location)

    def run(self) -> list[Finding]:
        before, after = self.before, self.after
        self._paths(before.get("paths") or {}, after.get("paths") or {})
        self._tag_list(before.get("tags") or [], after.get("tags") or [])
        self._info(before.get("info") or {}, after.get("info") or {})
        old_security = (before.get("components") or {}).get("securitySchemes")
        new_security = (after.get("components") or {}).get("securitySchemes")
        self._doc_or("security-schemes-changed", old_security, new_security, "components", "security schemes")
        for key in sorted((set(before) | set(after)) - {"paths", "tags", "info", "components"}):
            if before.get(key) == after.get(key):
                continue
            severity = COSMETIC if key in DOC_KEYS else NON_BREAKING if key == "openapi" else BREAKING
            self.add("document-changed", severity, f"top-level {key!r} changed", key)
        for location in order_differences(before, after, "openapi"):
            self.add("key-order-changed", COSMETIC, "same content, different key order", location)
        return self.findings

    def _info(self, before: dict, after: dict) -> None:
        for key in sorted(set(before) | set(after)):
            if before.get(key) != after.get(key):
                severity = NON_BREAKING if key in ("title", "version") else COSMETIC
                self.add("info-changed", severity, f"info.{key} changed", "info")

    def _tag_list(self, before: list, after: list) -> None:
        old = {tag.get("name"): tag for tag in before}
        new = {tag.get("name"): tag for tag in after}
        for name in old.keys() - new.keys():
            self.add("tag-removed", NON_BREAKING, f"tag {name!r} no longer declared", "tags")
        for name in [tag.get("name") for tag in after if tag.get("name") not in old]:
            self.add("tag-added", self.tag_addition_severity, f"tag {name!r} declared{self.intended}", "tags")
        for name in old.keys() & new.keys():
            if old[name] != new[name]:
                self._doc_or("tag-changed", old[name], new[name], "tags", f"tag {name!r}")
        if old == new and [t.get("name") for t in before] != [t.get("name") for t in after]:
            self.add("tag-order-changed", COSMETIC, "declared tags reordered", "tags")

    def _paths(self, before: dict, after: dict) -> None:
        for path, item in before.items():
            if path not in after:
                methods = " ".join(m.upper() for m in item if m in HTTP_METHODS)
                self.add("path-removed", BREAKING, f"path removed ({methods})", path)
        for path in after:
            if path not in before:
                self.add("path-added", NON_BREAKING, "path added", path)
        for path, item in before.items():
            if path in after:
                self._path_item(path, item, after[path])

    def _path_item(self, path: str, before: dict, after: dict) -> None:
        for method in HTTP_METHODS:
            location = f"{method.upper()} {path}"
            if method in before and method not in after:
                self.add("operation-removed", BREAKING, "operation removed", location)
            elif method in after and method not in before:
                self.add("operation-added", NON_BREAKING, "operation added", location)
            elif method in before:
                self._operation(location, before[method], after[method])
        for key in sorted((set(before) | set(after)) - set(HTTP_METHODS)):
            a, b = self.old.resolve(before.get(key)), self.new.resolve(after.get(key))
            self._doc_or("path-item-changed", a, b, path, f"path item {key!r}")

    def _operation(self, location: str, before: dict, after: dict) -> None:
        handled = {"parameters", "requestBody", "responses", "tags", "deprecated", "operationId"}
        self._parameters(location, before.get("parameters") or [], after.get("parameters") or [])
        self._request_body(location, before.get("requestBody"), after.get("requestBody"))
        self._responses(location, before.get("responses") or {}, after.get("responses") or {})
        self._operation_tags(location, before.get("tags") or [], after.get("tags") or [])
        if bool(before.get("deprecated")) != bool(after.get("deprecated")):
            self.add("deprecation-changed", NON_BREAKING, "deprecated flag changed", location)
        if before.get("operationId") != after.get("operationId"):
            message = f"operationId {before.get('operationId')!r} -> {after.get('operationId')!r}"
            self.add("operation-id-changed", BREAKING, message, location)
        for key in sorted((set(before) | set(after)) - handled):
            a, b = self.old.resolve(before.get(key)), self.new.resolve(after.get(key))
            if key in DOC_KEYS:
                if a != b:
                    self.add("documentation-changed", COSMETIC, f"{key} changed", location)
            else:
                self._doc_or("operation-changed", a, b, location, key)

    def _parameters(self, location: str, before: list, after: list) -> None:
        old = {(p.get("in"), p.get("name")): self.old.resolve(p) for p in before}
        new = {(p.get("in"), p.get("name")): self.new.resolve(p) for p in after}
        for key, param in old.items():
            where = f"{location} parameter {key[0]}:{key[1]}"
            if key not in new:
                self.add("parameter-removed", BREAKING, "parameter removed", where)
                continue
            other = new[key]
            if bool(param.get("required")) != bool(other.get("required")):
                message = f"required {bool(param.get('required'))} -> {bool(other.get('required'))}"
                self.add("parameter-required-changed", BREAKING, message, where)
            rest_old = {k: v for k, v in param.items() if k != "required"}
            rest_new = {k: v for k, v in other.items() if k != "required"}
            self._doc_or("parameter-changed", rest_old, rest_new, where, "parameter")
        for key, param in new.items():
            if key in old:
                continue
            where = f"{location} parameter {key[0]}:{key[1]}"
            if param.get("required"):
                self.add("required-parameter-added", BREAKING, "required parameter added", where)
            else:
                self.add("optional-parameter-added", NON_BREAKING, "optional parameter added", where)

    def _request_body(self, location: str, before: dict | None, after: dict | None) -> None:
        where = f"{location} request body"
        if before is None and after is None:
            return
        if after is None:
            self.add("request-body-removed", BREAKING, "request body removed", where)
        elif before is None:
            required = bool(after.get("required"))
            severity = BREAKING if required else NON_BREAKING
            self.add("request-body-added", severity, f"{'required' if required else 'optional'} body", where)
        else:
            if bool(before.get("required")) != bool(after.get("required")):
                self.add("request-body-required-changed", BREAKING, "required-ness changed", where)
            a = self.old.resolve({k: v for k, v in before.items() if k != "required"})
            b = self.new.resolve({k: v for k, v in after.items() if k != "required"})
            self._doc_or("request-body-changed", a, b, where, "request body")

    def _responses(self, location: str, before: dict, after: dict) -> None:
        for status, response in before.items():
            where = f"{location} response {status}"
            if status not in after:
                self.add("response-status-removed", BREAKING, f"response {status} removed", where)
                continue
            a, b = self.old.resolve(response), self.new.resolve(after[status])
            if a == b:
                continue
            if strip_docs(a) == strip_docs(b):
                self.add("documentation-changed", COSMETIC, "response description changed", where)
            elif strip_docs(a.get("content")) != strip_docs(b.get("content")):
                self.add("response-model-changed", BREAKING, "response body schema changed", where)
            else:
                self.add("response-changed", BREAKING, "response headers or links changed", where)
        for status in after:
            if status not in before:
                where = f"{location} response {status}"
                self.add("response-status-added", NON_BREAKING, f"response {status} added", where)

    def _operation_tags(self, location: str, before: list, after: list) -> None:
        added = [tag for tag in after if tag not in before]
        removed = [tag for tag in before if tag not in after]
        if added:
            message = f"tags added: {', '.join(added)}{self.intended}"
            self.add("tags-added", self.tag_addition_severity, message, location)
        if removed:
            self.add("tags-removed", NON_BREAKING, f"tags removed: {', '.join(removed)}", location)
        if not added and not removed and before != after:
            self.add("tag-order-changed", COSMETIC, "tags reordered", location)


def order_differences(before: Any, after: Any, location: str) -> Iterator[str]:
    """Locations of objects whose keys are the same but come in another order (JSON key order)."""
    if isinstance(before, dict) and isinstance(after, dict):
        if set(before) == set(after) and list(before) != list(after):
            yield location
        for key in before:
            if key in after:
                yield from order_differences(before[key], after[key], f"{location}.{key}")
    elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for index, (a, b) in enumerate(zip(before, after, strict=True)):
            yield from order_differences(a, b, f"{location}[{index}]")


def diff_openapi(before: dict | None, after: dict | None, allowed_tag_additions: bool = False) -> list[Finding]:
    if before is None and after is None:
        return []
    if before is None or after is None:
        state = "appeared" if before is None else "disappeared"
        return [Finding("openapi-changed", BREAKING, f"the OpenAPI document {state}", "openapi")]
    return OpenAPIDiff(before, after, allowed_tag_additions).run()
