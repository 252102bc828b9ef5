"""Analyze one monolith with `ast`: the app, its registrations and hooks, and every top-level unit."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from splitter.analysis.ast_walk import walk
from splitter.analysis.app_setup import detach_app_setup
from splitter.analysis.app_uses import app_in_decorator_arguments, app_in_signature
from splitter.analysis.apps import (
    app_lifespan,
    ordered_apps,
    pin_app_factories,
    pin_readers_of_split_routers,
    router_prefixes,
    router_settings,
    routers_hold_routes,
)
from splitter.analysis.conditional_binds import bound_in_every_branch, maybe_unbound
from splitter.analysis.global_bindings import bind_global_only_names, rebound_imports_bind
from splitter.analysis.model import (
    COMPAT_HOOK_REASON,
    FORWARD_FUNCTION,
    HOOK_DECORATORS,
    Analysis,
    Diagnostic,
    ImportedName,
    Unit,
)
from splitter.analysis.registrations import Registrar, diagnose_registrations, literal_string
from splitter.analysis.route_owners import route_decorator_receivers, routers_made_by_calls, unknown_owner_reason
from splitter.analysis.scopes import ScopeFacts, statement_facts
from splitter.analysis.app_rebinding import mark_app_wrappers
from splitter.analysis.registries import add_registry_reads, mark_registering_definitions
from splitter.analysis.task_names import imported_celery_apps, mark_tasks_named_after_their_module, unread_task_apps
from splitter.analysis.source import name_and_package, parse_python, read_python, split_lines
from splitter.gcpause import without_gc

if TYPE_CHECKING:
    from splitter.analysis.factory_extract import Extracted

# Calls whose result is a plain value: creating them at import time is not "import-time work" worth ordering.
PURE_CALLS = frozenset(
    """
    TypeVar Field NewType namedtuple NamedTuple APIRouter Depends Security Query Header Cookie Body Form File Path
    compile frozenset set dict list tuple defaultdict deque OrderedDict Counter Lock RLock Semaphore
    BoundedSemaphore Event Condition Queue timedelta Decimal getLogger HTTPBearer HTTPBasic OAuth2PasswordBearer
    APIKeyHeader APIKeyQuery APIKeyCookie ContextVar Enum IntEnum StrEnum object cast field ConfigDict
    SettingsConfigDict str int float bool bytes timezone date datetime time UUID Template partial itemgetter
    attrgetter Literal Annotated TypeAdapter WeakValueDictionary WeakKeyDictionary WeakSet ZoneInfo
    """.split()
)
_PINNED_NAMES = frozenset({"__getattr__", "__dir__", "__all__", "__version__", "__path__"})


def _module_own(binds: tuple[str, ...], kind: str) -> str:
    """`__version__`, `__all__`, a module `__getattr__`: what the module says of itself stays in it."""
    own = [name for name in binds if name in _PINNED_NAMES]
    return f"`{own[0]}` describes the module itself" if own and kind != "import" else ""


def _callee_name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _does_import_time_work(node: ast.stmt) -> bool:
    for sub in walk(node):
        if isinstance(sub, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if isinstance(sub, ast.Call) and _callee_name(sub.func) not in PURE_CALLS:
            return True
        if isinstance(sub, (ast.Await, ast.Yield, ast.YieldFrom)):
            return True
        if isinstance(sub, ast.Subscript) and isinstance(sub.value, ast.Attribute) and sub.value.attr == "environ":
            return True
    return False


def _is_type_checking_block(node: ast.stmt) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    named = (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )
    return named and not node.orelse and all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in node.body)


def _imports_of(node: ast.stmt) -> tuple[ImportedName, ...]:
    if isinstance(node, ast.Import):
        return tuple(ImportedName(a.name, None, a.asname, 0, node.lineno) for a in node.names)
    if isinstance(node, ast.ImportFrom):
        return tuple(ImportedName(node.module or "", a.name, a.asname, node.level, node.lineno) for a in node.names)
    return tuple(name for s in _branches(node) for name in _imports_of(s))


def _branches(node: ast.stmt) -> list[ast.stmt]:
    """The statements of every branch of an `if`/`try` (not of its condition or handler types)."""
    if isinstance(node, ast.If):
        return node.body + node.orelse
    if isinstance(node, ast.Try):
        return node.body + [s for h in node.handlers for s in h.body] + node.orelse + node.finalbody
    return []


def _is_constant_assign(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Assign)
        and all(isinstance(t, ast.Name) for t in node.targets)
        and isinstance(node.value, ast.Constant)
    )


def _is_import_block(node: ast.stmt) -> bool:
    """`try: import x / except ImportError: x = None` or an `if` that only chooses between imports: an optional
    dependency idiom that every module using its names can repeat, like a plain import."""
    if isinstance(node, ast.Try):
        fallback_ok = all(
            isinstance(s, (ast.Import, ast.ImportFrom, ast.Pass, ast.Raise)) or _is_constant_assign(s)
            for h in node.handlers
            for s in h.body
        )
        body_ok = all(isinstance(s, (ast.Import, ast.ImportFrom)) or _is_constant_assign(s) for s in node.body)
        has_import = any(isinstance(s, (ast.Import, ast.ImportFrom)) for s in node.body)
        return has_import and body_ok and fallback_ok and not node.finalbody and not node.orelse
    if isinstance(node, ast.If) and "__name__" not in ast.unparse(node.test):
        branches = node.body + node.orelse
        return all(isinstance(s, (ast.Import, ast.ImportFrom, ast.Pass)) or _is_import_block(s) for s in branches)
    return False


def _unit_kind(node: ast.stmt, index: int) -> str:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return "import"
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return "function"
    if isinstance(node, ast.ClassDef):
        return "class"
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        return "assign"
    if (
        index == 0
        and isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    ):
        return "docstring"
    if _is_import_block(node) and not _is_type_checking_block(node):
        return "import_block"
    if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test) and "__name__" in ast.unparse(node.test):
        return "main_guard"
    if isinstance(node, (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try)):
        return "compound"
    return "statement"


_FASTAPI = ("fastapi", "fastapi.applications", "fastapi.routing")


def _constructor_names(tree: ast.Module, class_name: str, homes: tuple[str, ...]) -> tuple[set[str], set[str]]:
    """Names bound to <package>.<class_name> (direct) and to the package (attribute access); `homes`: the package,
    then its modules that export the class too."""
    direct, modules = set(), set()
    for node in _module_level(tree.body):
        if isinstance(node, ast.ImportFrom) and node.module in homes:
            direct |= {a.asname or a.name for a in node.names if a.name == class_name}
        elif isinstance(node, ast.Import):
            modules |= {a.asname or a.name for a in node.names if a.name == homes[0]}
    return direct, modules


def _module_level(statements: list[ast.stmt]) -> list[ast.stmt]:
    """Module-level statements, looking into `if`/`try` branches (imports there are ordinary imports)."""
    found = []
    for node in statements:
        found.append(node)
        found += _module_level(_branches(node))
    return found


def _assigned_names(node: ast.stmt) -> list[str]:
    targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
    return [t.id for t in targets if isinstance(t, ast.Name)]


def _find_objects(
    tree: ast.Module, class_name: str, homes: tuple[str, ...] = _FASTAPI, in_branches: bool = False
) -> list[tuple[str, ast.stmt]]:
    """Module-level `name = <class_name>(...)` statements; with `in_branches`, also a top-level `if` whose every
    branch binds the name so (pingpong: `if config.development: v1 = FastAPI()` / `else: v1 = FastAPI(...)`)."""
    direct, modules = _constructor_names(tree, class_name, homes)

    def made_by(node: ast.stmt) -> list[str]:
        if not isinstance(node, (ast.Assign, ast.AnnAssign)) or not isinstance(node.value, ast.Call):
            return []
        func = node.value.func
        matches = (isinstance(func, ast.Name) and func.id in direct) or (
            isinstance(func, ast.Attribute)
            and func.attr == class_name
            and isinstance(func.value, ast.Name)
            and func.value.id in modules
        )
        return _assigned_names(node) if matches else []

    found = []
    for node in tree.body:
        names = bound_in_every_branch(node, made_by) if in_branches and isinstance(node, ast.If) else made_by(node)
        found += [(name, node) for name in names]
    return found


def _celery_objects(tree: ast.Module) -> frozenset[str]:
    return frozenset(name for name, _ in _find_objects(tree, "Celery", ("celery",)))


def _string_constants(tree: ast.Module) -> dict[str, str]:
    constants: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            value = literal_string(node.value, constants)
            if value is not None:
                for name in _assigned_names(node):
                    constants[name] = value
    return constants


class _UnitFacts(NamedTuple):
    scope: ScopeFacts
    app_in_body: bool = False
    app_at_call_time: bool = False
    route_owner: str | None = None
    hook_kinds: tuple[str, ...] = ()
    hooks_below_other: bool = False
    hook_decorator_names: frozenset[str] = frozenset()  # read only by hook decorators, which stay in main.py


class _UnitScanner:
    """Turns each top-level statement into a Unit, registering its routes and hooks on the way."""

    def __init__(
        self,
        lines: list[str],
        primary: str,
        registrar: Registrar,
        diagnostics: list[Diagnostic],
        owners: frozenset[str],
    ) -> None:
        self.source_lines = lines
        self.primary = primary
        self.registrar = registrar
        self.diagnostics = diagnostics
        self.star_imports: list[str] = []
        self.future = False
        self.route_owners = owners  # the apps and the monolith's own routers: what route decorators may register on

    def unit(self, index: int, node: ast.stmt) -> Unit:
        kind = _unit_kind(node, index)
        registrations_before, hooks_before = len(self.registrar.registrations), len(self.registrar.hooks)
        self.registrar.scan(node, index, conditional=False)
        own_registrations = self.registrar.registrations[registrations_before:]
        own_hooks = self.registrar.hooks[hooks_before:]
        found = self._facts(node, own_registrations, own_hooks)
        facts = found.scope
        self._note_imports(node)
        binds = tuple(sorted(facts.binds - {"*"}, key=lambda n: (n not in _assigned_names(node), n)))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            binds = (node.name,) + tuple(b for b in binds if b != node.name)
        dynamic = tuple(sorted(facts.dynamic))
        if dynamic and kind not in ("import", "docstring"):
            self._diagnose_dynamic(node, binds, dynamic)
        unknown_owner = unknown_owner_reason(node, self.route_owners)
        if unknown_owner:
            self.diagnostics.append(Diagnostic("unknown-router", node.lineno, f"`{binds[0]}` stays: {unknown_owner}"))
        unit = Unit(
            index=index,
            kind=kind,
            first_line=min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]),
            last_line=node.end_lineno or node.lineno,
            binds=binds,
            uses=frozenset(facts.uses),
            rebinds_globals=frozenset(facts.global_decls),
            maybe_unbound=maybe_unbound(node) if kind == "compound" else frozenset(),
            imports=_imports_of(node) if kind in ("import", "import_block") or _is_type_checking_block(node) else (),
            impure=kind in ("compound", "statement", "main_guard")
            or (kind == "assign" and _does_import_time_work(node))
            or (facts.dunder_file and kind != "import"),
            app_in_body=found.app_in_body,
            app_at_call_time=found.app_at_call_time,
            relative_inside=kind not in ("import", "import_block") and _relative_inside(node, self.source_lines),
            route_owner=found.route_owner,
            hook_kinds=found.hook_kinds,
            hook_decorator_names=found.hook_decorator_names,
            type_checking=_is_type_checking_block(node),
            dynamic=dynamic + (("__file__",) if facts.dunder_file else ()),
            strings=frozenset(facts.strings) if facts.dynamic else frozenset(s for s in facts.strings if "*" not in s),
            global_lookups=facts.global_lookups,
            quoted_reads=frozenset(facts.quoted),
            pinned_reason=_pinned_reason(node, found.hooks_below_other) or unknown_owner or _module_own(binds, kind),
        )
        if kind == "compound" and not unit.type_checking and self.primary in facts.uses:
            unit.app_in_body = True
        return unit

    def _facts(self, node: ast.stmt, own_registrations, own_hooks) -> _UnitFacts:
        """Scope facts, and for a function: does its body use the app, which route owner and hook decorators."""
        primary = self.primary
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            facts = statement_facts(node)
            return _UnitFacts(facts, app_in_body=primary in facts.uses)
        decorators, node.decorator_list = node.decorator_list, []
        facts = statement_facts(node)  # the body alone: does it use the app itself?
        node.decorator_list = decorators
        at_import = app_in_signature(node, primary) or app_in_decorator_arguments(decorators, primary)
        app_in_body = primary in facts.uses or at_import
        app_at_call_time = app_in_body and not at_import
        hook_flags = [
            isinstance(d, ast.Call) and (self.registrar.owner_of(d.func) or ("", ""))[1] in HOOK_DECORATORS
            for d in decorators
        ]
        hook_uses, other_uses = set(), set(facts.uses)
        for decorator, hook in zip(decorators, hook_flags, strict=True):
            (hook_uses if hook else other_uses).update(statement_facts(ast.Expr(decorator)).uses)
        facts.uses = other_uses | hook_uses
        route_owner = next((r.owner for r in own_registrations if r.form == "decorator"), None)
        hook_kinds = tuple(h.kind for h in own_hooks if h.function == node.name)
        hooks_below_other = not all(hook_flags[: hook_flags.count(True)])
        return _UnitFacts(
            facts,
            app_in_body,
            app_at_call_time,
            route_owner,
            hook_kinds,
            hooks_below_other,
            frozenset(hook_uses - other_uses),
        )

    def _note_imports(self, node: ast.stmt) -> None:
        if isinstance(node, ast.ImportFrom):
            self.future = self.future or node.module == "__future__"
            if any(a.name == "*" for a in node.names):
                self.star_imports.append(node.module or "." * node.level)
                message = f"`from {node.module} import *`: names it brings cannot be traced"
                self.diagnostics.append(Diagnostic("star-import", node.lineno, message))

    def _diagnose_dynamic(self, node: ast.stmt, binds: tuple[str, ...], dynamic: tuple[str, ...]) -> None:
        message = (
            f"`{binds[0] if binds else 'statement'}` uses {', '.join(dynamic)}: "
            "its names cannot be traced, it stays in main.py"
        )
        self.diagnostics.append(Diagnostic("dynamic", node.lineno, message))


@without_gc
def analyze_source(source: str, path: Path, module_name: str | None = None) -> Analysis:
    tree = parse_python(source, path)
    routers = {name: node for name, node in _find_objects(tree, "APIRouter")}
    made_apps = _find_objects(tree, "FastAPI", in_branches=True)
    if not made_apps and not routers_hold_routes(tree, routers):
        # here, not at the top: only a module without an app at module level needs the app factory analysis
        from splitter.analysis.factory_split import existing_registrars, factory_extraction

        constants = _string_constants(tree)
        extracted = factory_extraction(tree, source, constants, path)
        if extracted is not None:  # an app factory registering its routes inside itself; still no app at top level
            extracted_routers = {name: node for name, node in _find_objects(extracted.tree, "APIRouter")}
            return _analyze(extracted.tree, extracted.source, path, module_name, extracted_routers, [], extracted)
        registrars = existing_registrars(tree, constants)
        if registrars is not None:  # an app factory calling `register_items(app)` functions
            return _analyze(tree, source, path, module_name, routers, made_apps, registrars)
    return _analyze(tree, source, path, module_name, routers, made_apps)


def _analyze(
    tree: ast.Module,
    source: str,
    path: Path,
    module_name: str | None,
    routers: dict[str, ast.stmt],
    made_apps: list[tuple[str, ast.stmt]],
    extracted: Extracted | None = None,
) -> Analysis:
    module_name, package = name_and_package(path, module_name)
    factory = next((n for n in tree.body if getattr(n, "name", None) == extracted.factory), None) if extracted else None
    apps, diagnostics = ordered_apps(tree, path, made_apps, routers, factory)
    app_names = tuple(dict.fromkeys(name for name, _ in apps))
    primary = app_names[0]
    routers = _other_routers(tree, routers, app_names)
    registrar = Registrar(frozenset({primary}), frozenset(routers), _string_constants(tree))
    registrar.source_lines = split_lines(source)
    scanner = _UnitScanner(
        registrar.source_lines, primary, registrar, diagnostics, frozenset(app_names) | frozenset(routers)
    )
    units = [scanner.unit(index, node) for index, node in enumerate(tree.body)]
    diagnostics += _whole_module_passes(tree, path, units, primary, bool(made_apps), registrar.source_lines)
    pin_readers_of_split_routers(tree, units, package)
    analysis = Analysis(
        path=path,
        source=source,
        module_name=module_name,
        package=package,
        app_names=app_names,
        units=units,
        registrations=registrar.registrations,
        hooks=registrar.hooks,
        local_routers={name: tree.body.index(node) for name, node in routers.items()},
        lifespan=app_lifespan(apps[0][1]) if primary else None,  # peer routers: none is the app
        future_annotations=scanner.future,
        star_imports=tuple(scanner.star_imports),
        diagnostics=diagnostics,
        line_count=source.count("\n") + 1,
        local_router_prefixes=router_prefixes(routers),
    )
    _describe_primary(analysis, tree, apps[0][1], bool(made_apps), extracted is not None)
    analysis.tree = tree
    analysis.lines = registrar.source_lines  # split once (its cached_property would split them again)
    _set_footprints(units, analysis.line_count)
    diagnose_registrations(analysis)
    if extracted is not None:
        from splitter.analysis.factory_split import take_factory_routes

        take_factory_routes(analysis, extracted)
    return analysis


def _other_routers(tree: ast.Module, routers: dict[str, ast.stmt], app_names: tuple[str, ...]) -> dict[str, ast.stmt]:
    """The module's APIRouters but the one split in place of an app (a module of routes on one router and no app),
    with routers made by other calls (`TimedRouter()`, `InferringRouter()`)."""
    routers = {name: node for name, node in routers.items() if name != app_names[0]}
    made = routers_made_by_calls(tree, route_decorator_receivers(tree), set(app_names))
    routers.update((name, node) for name, node in made if name not in routers)
    return routers


def _describe_primary(analysis: Analysis, tree: ast.Module, made_by: ast.stmt, app_made: bool, factory: bool) -> None:
    """What the split object is (an app, a routes module's router, an app factory, peer routers) and its settings."""
    primary = analysis.app_names[0]
    analysis.router_settings = router_settings(tree, primary, made_by) if primary else {}
    analysis.primary_kind = "app" if app_made else "router" if primary else "factory" if factory else "routers"
    if analysis.primary_kind == "router":
        analysis.primary_prefix = router_prefixes({primary: made_by})[primary]


def _whole_module_passes(
    tree: ast.Module, path: Path, units: list[Unit], primary: str, app_made: bool, lines: list[str]
) -> list:
    """What only the whole module tells about its units, once each is read; the diagnostics they give."""
    diagnostics = rebound_imports_bind(units)
    bind_global_only_names(units)
    if not app_made:
        pin_app_factories(tree, units, lines)
    add_registry_reads(tree, units, lines)
    mark_registering_definitions(tree, units)
    detach_app_setup(tree, units, primary)
    mark_app_wrappers(tree, units, primary)
    imported_apps, unread = imported_celery_apps(tree, path, _celery_objects)
    mark_tasks_named_after_their_module(tree, units, _celery_objects(tree) | imported_apps)
    return diagnostics + unread_task_apps(tree, unread)


def _set_footprints(units: list[Unit], line_count: int) -> None:
    for unit, following in zip(units, units[1:], strict=False):
        unit.footprint = max(following.first_line - unit.first_line, 1)
    if units:
        units[-1].footprint = max(line_count - units[-1].first_line, 1)


def _relative_inside(node: ast.stmt, lines: list[str]) -> bool:
    """A relative import or `__package__` anywhere in the statement (a text check first: most have none)."""
    text = "\n".join(lines[node.lineno - 1 : node.end_lineno])
    if "from ." not in text and "__package__" not in text:
        return False
    return any(
        (isinstance(n, ast.ImportFrom) and n.level) or (isinstance(n, ast.Name) and n.id == "__package__")
        for n in walk(node)
    )


def _pinned_reason(node: ast.stmt, hooks_below_other: bool) -> str:
    if hooks_below_other:
        return "another decorator wraps it above its app hook decorator"
    call = node.value if isinstance(node, ast.Expr) else None
    if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == FORWARD_FUNCTION:
        return COMPAT_HOOK_REASON
    return ""


def rename(analysis: Analysis, module_name: str) -> None:
    """Give `analysis` the name the project imports the monolith by: nothing else in it depends on the name."""
    analysis.module_name, analysis.package = name_and_package(analysis.path, module_name)


def analyze_file(path: str | Path, module_name: str | None = None) -> Analysis:
    path = Path(path)
    return analyze_source(read_python(path), path, module_name)
