"""Which router each endpoint goes to: a router per resource or feature, the way a team draws them by hand.

Teams that split their own monoliths group by resource, not by URL segment: `/songs` and `/song/{id}` share a
router, HTML pages sit with the API they render (`/people` and `/api/people`), login/logout/register form one
auth router, health/version/root pages one system router, a resource of two endpoints joins the resource it
shares helpers with, and only a resource too big for one file splits, into few modules by sub-resource.
Every decision is recorded as a reason, so the plan can say why its endpoints are together.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from splitter.analysis.blocks import router_prefix, strongly_connected
from splitter.analysis.model import Analysis
from splitter.planning.destination import MAIN, Destination
from splitter.analysis.path_keys import group_key
from splitter.planning.plan_io import Endpoint, Group
from splitter.planning.size_split import split_large_groups

# First path segments of health checks and probes: with root pages and metadata, one `system` router.
HEALTH_SEGMENTS = frozenset(
    "health healthz healthcheck health-check ping ready readyz livez live alive liveness readiness heartbeat".split()
)
# Service metadata when it ends the path (/metrics, /api/version); /api/metrics/cointime is a resource.
META_SEGMENTS = frozenset("status metrics version info".split())
# First path segments of sign-in and session handling: one `auth` router.
AUTH_SEGMENTS = frozenset(
    "auth login logout signin signout signup sign-in sign-out sign-up register token oauth oauth2 sso password "
    "account".split()
)
SYSTEM, AUTH = "system", "auth"


class GroupingInput(NamedTuple):
    """What grouping needs to know about one block that holds endpoints."""

    block: int
    paths: list[str | None]
    functions: list[str]
    lines: int
    line: int
    uses: frozenset[str]  # module-level names it reads: helpers, models, globals, imported names
    prefix: str = ""  # the split APIRouter's own prefix, which `paths` begin with (a routes module's router)


class Grouping(NamedTuple):
    group_of: dict[int, str]  # block -> group key ('orders', 'orders/refunds' for a size split)
    reasons: dict[str, list[str]]  # group key -> why its blocks are there


def singular(word: str) -> str:
    """'categories' -> 'category', 'songs' -> 'song', 'status' -> 'status' (a crude stem is enough to pair names)."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def _tokens(key: str) -> list[str]:
    return [singular(t) for t in re.split(r"[-_./]+", key.lower()) if t]


def resource_key(path: str | None, skip_segments: Sequence[str], resources: frozenset[str] = frozenset()) -> str | None:
    """The resource an endpoint belongs to, by its path: its first literal segment after API/version segments,
    with health, root pages and top-level files (`/robots.txt`) as `system` and sign-in segments as `auth`.
    `resources`: metadata segments that have sub-paths in this app (/api/metrics/cointime): resources there."""
    key = group_key(path, skip_segments)
    if key is None:
        return None
    segment = key.lower()
    last = path is not None and group_key(path, skip_segments, depth=2) == key
    if segment == "" or segment in HEALTH_SEGMENTS or (last and segment in META_SEGMENTS - resources):
        return SYSTEM
    if "." in segment and path.rstrip("/").count("/") == 1:
        return SYSTEM  # /robots.txt, /sitemap.xml
    if segment in AUTH_SEGMENTS:
        return AUTH
    return key


def resource_prefix(path: str, skip_segments: Sequence[str]) -> str:
    """The path up to its resource segment: '/api/v1/orders/{id}' -> '/api/v1/orders'."""
    skip = [re.compile(f"^(?:{pattern})$", re.IGNORECASE) for pattern in skip_segments]
    kept = []
    for segment in [s for s in path.split("/") if s]:
        kept.append(segment)
        if "{" in segment or not any(p.match(segment) for p in skip):
            break
    return "/" + "/".join(kept)


def sub_resource(path: str | None, skip_segments: Sequence[str]) -> str:
    """The second literal segment: '/api/song/{id}/art/url' -> 'art'; '' when there is none."""
    key = group_key(path, skip_segments, depth=2) or ""
    return key.split("/")[1] if "/" in key else ""


class GroupAssigner:
    def __init__(
        self,
        members: list[GroupingInput],
        skip_segments: Sequence[str],
        max_lines: int,
        min_endpoints: int,
        overrides: dict[str, list[str]] | None = None,
        import_sources: dict[str, str] | None = None,
    ) -> None:
        self.members = {m.block: m for m in members}
        self.skip = skip_segments
        self.max_lines = max_lines
        self.import_sources = import_sources or {}  # imported name -> its module: the imports a module needs
        self.budget = int(max_lines * 0.8)  # room for the header and imports
        self.min_endpoints = min_endpoints
        self.overrides = overrides or {}
        self.result = Grouping({}, defaultdict(list))
        self.fixed: set[str] = set()  # groups the user set in [tool.splitter]: never merged or split

    def run(self) -> Grouping:
        self._by_resource()
        self._unify_plurals()
        self._merge_siblings()
        self._merge_small_groups()
        split_large_groups(self)
        return self.result

    # -- steps ---------------------------------------------------------------------------------------------
    def _by_resource(self) -> None:
        nested = frozenset(
            key.split("/")[0].lower()
            for m in self.members.values()
            for key in [group_key(m.paths[0] if m.paths else None, self.skip, depth=2) or ""]
            if "/" in key
        )
        for member in self.members.values():
            override = self._override(member)
            if override is not None:
                self.result.group_of[member.block] = override
                self.fixed.add(override)
                continue
            key = resource_key(member.paths[0], self.skip, nested) if member.paths else None
            self.result.group_of[member.block] = key if key is not None else (member.functions[0] or "misc")
        for group in self.fixed:
            self.result.reasons[group].append("set in [tool.splitter] groups")
        for group in self.groups():
            if group == SYSTEM:
                self.result.reasons[group].append("health checks, version, root pages and top-level files")
            elif group == AUTH:
                self.result.reasons[group].append("sign-in, sign-out, registration and tokens")
            elif group not in self.fixed:
                prefixes = sorted(
                    {resource_prefix(p, self.skip) for b in self.groups()[group] for p in self.members[b].paths if p}
                )
                shown = f": {', '.join(prefixes)}" if prefixes else ""  # no literal path: its own name alone
                self.result.reasons[group].append(f"resource `{group}`{shown}")

    def _override(self, member: GroupingInput) -> str | None:
        for group, patterns in self.overrides.items():
            for pattern in patterns:
                if pattern.startswith("/"):
                    if any(_under(p, pattern) or _under(p, member.prefix + pattern) for p in member.paths):
                        return group  # a path as served, or as its decorator writes it
                elif pattern in member.functions:
                    return group
        return None

    def _unify_plurals(self) -> None:
        """`/songs/upload` and `/song/{id}` are one resource: the spelling with more endpoints names it."""
        groups = self.groups()
        by_stem: dict[str, list[str]] = defaultdict(list)
        for group in groups:
            if group not in self.fixed:
                by_stem["_".join(_tokens(group))].append(group)
        for spellings in by_stem.values():
            if len(spellings) < 2:
                continue
            spellings.sort(key=lambda g: (-self.endpoint_count(groups[g]), len(g), g))
            for other in spellings[1:]:
                self._move(other, spellings[0], f"`{other}` is another spelling of `{spellings[0]}`")

    def _merge_siblings(self) -> None:
        """Resources named by the same noun are siblings: `user-profiles` and `device-profiles` share a
        `profiles` router, `self-audit` and `security-audit` join `audit`."""
        groups = self.groups()
        by_noun: dict[str, list[str]] = defaultdict(list)
        for group in groups:
            tokens = _tokens(group)
            if group not in self.fixed and group not in (SYSTEM, AUTH) and tokens and len(tokens[-1]) > 2:
                by_noun[tokens[-1]].append(group)
        for noun, siblings in sorted(by_noun.items()):
            if len(siblings) < 2:
                continue
            bare = [g for g in siblings if _tokens(g) == [noun]]
            largest = max(siblings, key=lambda g: (self.endpoint_count(groups[g]), g))
            target = bare[0] if bare else re.split(r"[-_./]+", largest)[-1]
            names = ", ".join(f"`{g}`" for g in sorted(siblings) if g != target)
            for group in siblings:
                if group != target:
                    self._move(group, target, "")
            self.result.reasons[target].append(f"with its siblings {names}: one router for `{noun}`")

    def _merge_small_groups(self) -> None:
        """A group under `min_endpoints` joins the group it shares the most specific helpers with (or whose name
        it extends: `/artists/raw` beside `/artist-aliases`); one that shares nothing joins the other leftovers."""
        leftovers: list[str] = []
        while True:
            groups = self.groups()
            small = sorted(
                (
                    g
                    for g in groups
                    if g not in self.fixed
                    and g not in leftovers
                    and self.endpoint_count(groups[g]) < self.min_endpoints
                    and not self._big_enough(g, groups[g])
                ),
                key=lambda g: (self.endpoint_count(groups[g]), g),
            )
            if not small or len(groups) < 2:
                break
            group = small[0]
            target, why = self._closest(group, groups)
            if target is None:
                leftovers.append(group)
                continue
            self._move(group, target, why)
        self._batch_leftovers([g for g in leftovers if g in self.groups()])

    def _batch_leftovers(self, leftovers: list[str]) -> None:
        """Small groups related to nothing: one router for all of them reads better than one file each."""
        if len(leftovers) == 1:
            self._place_lone(leftovers[0])
        if len(leftovers) < 2:
            return
        total = sum(self.endpoint_count(self.groups()[g]) for g in leftovers)
        name = "_".join(leftovers) if len(leftovers) == 2 else "misc"
        for group in leftovers:
            self._move(group, name, "")
        self.result.reasons[name] = [
            f"small resources that share no helper with any other group ({', '.join(leftovers)}: {total} endpoints)"
        ]

    def _big_enough(self, group: str, blocks: list[int]) -> bool:
        """An endpoint of half a file (a long websocket handler) is a module of its own: merged, it would only
        be split off again."""
        lines = sum(self.members[b].lines for b in blocks)
        if lines <= self.budget // 2:
            return False
        if not any("big enough" in r for r in self.result.reasons[group]):
            self.result.reasons[group].append(f"{lines} lines: big enough for a module of its own")
        return True

    def _place_lone(self, group: str) -> None:
        """One small group related to nothing specific: beside the group it shares the most names with at all
        (the same database session, the same models) rather than a router of its own."""
        groups = self.groups()
        deps = self._deps(groups)
        others = [g for g in sorted(groups) if g != group and g not in self.fixed]
        best = max(others, key=lambda g: (len(deps[g] & deps[group]), self.endpoint_count(groups[g])), default=None)
        if best is None or not deps[best] & deps[group]:
            self.result.reasons[group].append("shares nothing with any other group")
            return
        shared = _shown(sorted(deps[best] & deps[group]))
        self._move(group, best, f"`{group}` ({self.endpoint_count(groups[group])} endpoint(s)), which uses {shared}")

    def _closest(self, group: str, groups: dict[str, list[int]]) -> tuple[str | None, str]:
        deps = self._deps(groups)
        frequency: dict[str, int] = defaultdict(int)
        for used in deps.values():
            for dependency in used:
                frequency[dependency] += 1
        specific = max(2, len(groups) // 4)  # what most groups use (auth, get_db) says nothing about belonging
        best, best_score, best_shared = None, 0.0, []
        for other in sorted(groups):
            if other == group:
                continue
            shared = [d for d in deps[group] & deps[other] if frequency[d] <= specific]
            score = sum(math.log(len(groups) / frequency[d]) for d in shared)
            related = bool(set(_tokens(group)) & set(_tokens(other)))
            if related:
                score += 1.0  # `artists` beside `artist-aliases`, `security-audit` beside `audit`
            score += 1e-3 * self.endpoint_count(groups[other])  # ties: the bigger group
            if score > best_score + 1e-9 and (shared or related):
                best, best_score, best_shared = other, score, shared
        if best is None:
            return None, ""
        names = _shown(sorted(best_shared, key=lambda d: (frequency[d], d)))
        why = f"`{group}` ({self.endpoint_count(groups[group])} endpoint(s))" + (
            f" shares {names}" if names else " extends its name"
        )
        return best, why

    def sub_unit(self, group: str, member: GroupingInput) -> str:
        """Its sub-resource ('art' for /song/{id}/art), or '=<resource>' for a resource merged into the group,
        which moves as a whole and, heading a module of its own, names it."""
        path = member.paths[0] if member.paths else None
        own = resource_key(path, self.skip)
        if own is None or "_".join(_tokens(own)) == "_".join(_tokens(group)):
            return sub_resource(path, self.skip)
        return f"={own}"

    # -- helpers -------------------------------------------------------------------------------------------
    def groups(self) -> dict[str, list[int]]:
        groups: dict[str, list[int]] = defaultdict(list)
        for block, group in self.result.group_of.items():
            groups[group].append(block)
        return dict(groups)

    def endpoint_count(self, blocks: Iterable[int]) -> int:
        return sum(len(self.members[b].paths) for b in blocks)

    def _deps(self, groups: dict[str, list[int]]) -> dict[str, set[str]]:
        return {g: set().union(*(self.members[b].uses for b in blocks)) for g, blocks in groups.items()}

    def _move(self, source: str, target: str, why: str) -> None:
        for block, group in self.result.group_of.items():
            if group == source:
                self.result.group_of[block] = target
        self.result.reasons.pop(source, None)
        if why:
            self.result.reasons[target].append(f"with {why}")


def _under(path: str | None, pattern: str) -> bool:
    return path is not None and (path == pattern or path.startswith(pattern.rstrip("/") + "/"))


def _shown(names: list[str], limit: int = 3) -> str:
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(f"`{n}`" for n in names[:limit]) + more


def cyclic_groups(
    group_of_block: dict[int, str], deps: dict[int, set[int]], dest: dict[int, Destination]
) -> list[list[str]]:
    """Sets of groups whose endpoints call each other's endpoints (directly or through helpers that land beside
    them), each sorted: their routers would import each other."""
    edges: dict[str, set[str]] = defaultdict(set)
    for block_id, group in group_of_block.items():
        seen, stack = {block_id}, list(deps[block_id])
        while stack:
            other = stack.pop()
            if other in seen:
                continue
            seen.add(other)
            target = group_of_block.get(other)
            if target is not None:
                if target != group:
                    edges[group].add(target)
            elif dest.get(other) != MAIN:
                stack.extend(deps[other])  # a helper between them lands beside the endpoint it calls
    groups = sorted(set(group_of_block.values()))
    index = {g: i for i, g in enumerate(groups)}
    numbered = {index[g]: {index[t] for t in targets} for g, targets in edges.items()}
    components = strongly_connected(list(range(len(groups))), numbered)
    return [sorted(groups[i] for i in c) for c in components if len(c) > 1]


def explain_groups(
    groups: Iterable[Group],
    reasons: dict[str, list[str]],
    factory: str | None = None,
    registrars: Iterable[str] = (),
    given: bool = False,
) -> None:
    """Per group, in words a reviewer checks: how grouping decided, what only it uses, why a second router.
    `registrars`: functions registering routes on the app the factory `factory` makes, or is `given` (a registrar
    module's entry; analysis/factory_split.py)."""
    registrars = set(registrars)
    for group in groups:
        why = list(reasons.get(group.name, []))
        own = [n for n in group.service_symbols + group.router_symbols if n not in registrars]
        registering = [n for n in group.router_symbols if n in registrars]
        if registering:
            verb = "registers" if len(registering) == 1 else "register"
            how = "is given" if given else "makes"
            why.append(f"{_shown(registering, 4)} {verb} them for the app `{factory}()` {how}")
        if own:
            why.append(f"helpers and models only this group uses: {_shown(own, 4)}")
        for router in sorted({e.router for e in group.endpoints} - {group.router}):
            first = min(e.line for e in group.endpoints if e.router == router)
            why.append(
                f"`{router}` (from line {first} on) is included at its original place in the route table, so routes "
                "that can match the same request keep their order"
            )
        group.why = why


def common_path(analysis: Analysis, endpoints: list[Endpoint]) -> str:
    """The literal path a group's endpoints share (the plan's table shows it), each endpoint's path under the
    prefix of the monolith's own APIRouter it is registered on: `/reconciliation/sessions`, not `/sessions`."""
    prefixes = {r: _own_router_prefix(analysis, r) for r in {e.router for e in endpoints}}
    return _common_prefix([prefixes[e.router] + e.path for e in endpoints if e.path is not None])


def _own_router_prefix(analysis: Analysis, router: str) -> str:
    """The prefix of the monolith's own APIRouter `router`; for a router the split generates, that of the APIRouter
    its routes were registered on (a routes module's split router), "" for an app's."""
    index = analysis.local_routers.get(router)
    if index is None:
        return analysis.primary_prefix
    return router_prefix(analysis, analysis.units[index]) or ""


def _common_prefix(paths: list[str]) -> str:
    if not paths:
        return ""
    split = [p.split("/") for p in paths]
    common = []
    for parts in zip(*split, strict=False):
        if len(set(parts)) != 1 or "{" in parts[0]:
            break
        common.append(parts[0])
    return "/".join(common) or "/"
