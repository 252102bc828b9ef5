"""What analysis finds in a monolith: plain values, produced by `splitter.analysis.analyze`, read by planning."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from splitter.analysis.source import split_lines

# The one table of HTTP methods (FastAPI's `app.<verb>` decorators, OpenAPI's path item keys), in OpenAPI's order:
# verification reports differences per operation in this order.
HTTP_VERBS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
ROUTE_DECORATORS = frozenset(HTTP_VERBS + ("api_route", "route", "websocket", "websocket_route"))
HOOK_DECORATORS = frozenset({"middleware", "exception_handler", "on_event"})
# main.py's call into the generated compatibility module (splitter.compat); a later apply keeps it in place.
FORWARD_FUNCTION = "forward_moved_names"
COMPAT_HOOK_REASON = "splitter's compatibility hook: moved names stay reachable as attributes of this module"
# Why a cut registrar stays beside the app factory (planning/registrar_shells.py lets it go when main.py overflows).
# Here, not in factory_split.py: planning reads it on every plan, the factory machinery only has a factory to cut.
REGISTRAR_KEPT = "registers the app factory's routes (cut into functions)"


@dataclass(frozen=True)
class ImportedName:
    """One alias of an import statement: `from {module} import {name} as {asname}` (name None: `import module`)."""

    module: str
    name: str | None
    asname: str | None
    level: int
    line: int

    @property
    def bound(self) -> str:
        if self.asname:
            return self.asname
        if self.name is None:
            return self.module.split(".")[0]
        return self.name


@dataclass
class Registration:
    """Something that adds to the app's routing table, in registration order.

    kind: route | websocket | include | mount | call (a helper that receives the app, e.g. register_x(app)).
    owner: the variable the route is registered on (the app, or a local APIRouter).
    """

    kind: str
    owner: str
    unit: int
    line: int
    function: str | None = None
    methods: tuple[str, ...] | None = None
    path: str | None = None
    form: str = "decorator"  # decorator | add_api_route | include_router | mount | call
    conditional: bool = False  # inside if/for/with/try or a function body


@dataclass
class Hook:
    """Middleware, exception handler, startup/shutdown handler or lifespan, in registration order."""

    kind: str  # middleware | add_middleware | exception_handler | startup | shutdown | event | lifespan
    unit: int
    line: int
    function: str | None = None
    detail: str = ""


@dataclass
class Unit:
    """One top-level statement of the monolith (see docs/design.md, 'unit')."""

    index: int
    kind: str  # import | function | class | assign | statement | compound
    first_line: int  # including decorators
    last_line: int
    binds: tuple[str, ...] = ()
    uses: frozenset[str] = frozenset()  # module-level names read anywhere in the statement
    rebinds_globals: frozenset[str] = frozenset()  # names its functions declare `global`
    maybe_unbound: frozenset[str] = frozenset()  # a `try`/`if` block's names bound on some paths only
    imports: tuple[ImportedName, ...] = ()
    impure: bool = False  # does work at import time (a call, an `if`/`for` block, ...)
    app_in_body: bool = False  # uses the app object outside its own route/hook decorators
    app_at_call_time: bool = False  # a function whose only use of the app is in its body (`app.state.x`)
    relative_inside: bool = False  # a relative import or `__package__` inside a def/class: rebased when moved
    route_owner: str | None = None  # set on functions decorated as routes: the app or router name
    hook_kinds: tuple[str, ...] = ()  # hook decorators on a function
    hook_decorator_names: frozenset[str] = frozenset()  # used by its hook decorators alone (stay in main.py)
    type_checking: bool = False  # an `if TYPE_CHECKING:` block of imports
    dynamic: tuple[str, ...] = ()  # reasons the code cannot be moved safely (exec, globals(), ...)
    strings: frozenset[str] = frozenset()  # identifier-like string constants: names `globals()` may look up
    global_lookups: frozenset[str] = frozenset()  # `'x' in globals()` of a name it also reads: moves unless a seam
    quoted_reads: frozenset[str] = frozenset()  # names its string annotations read (`"os.DirEntry"`): by name only
    pinned_reason: str = ""  # why it must stay in main.py, found by analysis
    footprint: int = 1  # lines it takes in the file, with the blank lines and comments after it
    # an `if` block that also configures the app: positions in its body of the statements that stay in main.py,
    # under the same condition at the block's place, when the rest moves (analysis/app_setup.py)
    app_setup: tuple[int, ...] = ()
    # decorators (positions) registering a Celery task named after the module: given `name=` when moved
    task_decorators: tuple[int, ...] = ()
    # subclasses of a base whose registry it reads (`Base.metadata.create_all`): placed where it can see them
    registry_reads: frozenset[str] = frozenset()
    wraps_app: bool = False  # `app = Wrapper(app)` after the app's creation: a registration, not its binder
    registers_when_defined: bool = False  # a decorator may register it: defining it does import-time work

    @property
    def is_import_block(self) -> bool:
        """An `if TYPE_CHECKING:`, `try: import x / except ImportError:` or import-only `if` block."""
        return self.type_checking or self.kind == "import_block"

    @property
    def registers_at_import(self) -> bool:
        """A call receiving the app here may register routes when the module is imported: not in a function
        that reads the app only when called (`uvicorn.run(app)` in `serve()`: it moves and reads `core.app`), nor
        in the `if __name__ == "__main__":` block, which runs only as a script and stays in main.py."""
        return not self.app_at_call_time and self.kind != "main_guard"

    @property
    def bound_by_imports(self) -> tuple[str, ...]:
        """What its imports bind, and for an import block what its assignments bind too (`PSUTIL_AVAILABLE = True`
        after `import psutil` in the `try`): a module reading such a flag repeats the block, as for its imports."""
        imported = tuple(dict.fromkeys(i.bound for i in self.imports))
        return imported + tuple(n for n in self.binds if n not in imported) if self.is_import_block else imported

    @property
    def is_copied(self) -> bool:
        """Imports (and the docstring) are not moved: every module re-imports what it uses."""
        return self.kind in ("import", "docstring") or self.is_import_block

    @property
    def name(self) -> str:
        return self.binds[0] if self.binds else f"@{self.first_line}"


@dataclass
class Diagnostic:
    code: str
    line: int
    message: str
    severity: str = "warning"  # warning | error

    def render(self, path: str) -> str:
        return f"{path}:{self.line}: {self.severity} {self.code}: {self.message}"


@dataclass
class Analysis:
    path: Path
    source: str
    module_name: str  # dotted name the project imports the monolith by ("pkg.main", "main")
    package: str | None  # the monolith's package ("pkg"), None for a top-level module
    app_names: tuple[str, ...]
    units: list[Unit]
    registrations: list[Registration]
    hooks: list[Hook]
    local_routers: dict[str, int]  # router variable -> unit index of its creation
    lifespan: str | None
    future_annotations: bool
    star_imports: tuple[str, ...]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    line_count: int = 0
    local_router_prefixes: dict[str, str] = field(default_factory=dict)
    # app-level router settings every generated APIRouter must repeat: {"route_class": "TimedRoute"}
    router_settings: dict[str, str] = field(default_factory=dict)
    # what is split: the FastAPI app, or the APIRouter of a routes module that creates no app, or none of its
    # routers when they are peers (each moves whole; the app name is then "") (analysis/apps.py)
    primary_kind: str = "app"
    # the literal `prefix=` of that APIRouter (primary_kind "router"): its routes serve under it, so they are
    # grouped by the paths they serve (`/roadmaps/{id}/quiz`, not `/{id}/quiz`)
    primary_prefix: str = ""
    # an app factory registering its routes inside itself: `source` is the monolith with runs of those routes
    # taken out into `register_<resource>(app, ...)` functions (analysis/factory_split.py): function -> routes
    factory: str | None = None
    factory_registrars: tuple[str, ...] = ()  # the functions the factory hands its app to that were cut (they stay)
    factory_given_app: bool = False  # the factory is given the app it registers routes on (a registrar module)
    factory_routes: dict[str, list] = field(default_factory=dict)
    line_map: list[int] | None = None  # line of `source` -> line of the monolith as written
    # the ast of `source`, kept so apply does not parse the monolith again (None: built without analysis)
    tree: ast.Module | None = field(default=None, repr=False, compare=False)

    @cached_property
    def lines(self) -> list[str]:
        """The monolith's lines as Python numbers them, split once: slicing a statement's text out of them is how
        analysis reads its source."""
        return split_lines(self.source)

    def original_line(self, line: int) -> int:
        """The monolith's line, as written, of a line of `source` (they differ when routes left a factory)."""
        if self.line_map is None or not 0 < line < len(self.line_map):
            return line
        return self.line_map[line]

    def text_of(self, first_line: int, last_line: int) -> str:
        return "\n".join(self.lines[first_line - 1 : last_line])
