"""Making an app for every test, cheaper: what every app of a test process would compile alike is
compiled once and shared. Nothing here changes what an app does, only how often its parts are made."""
from __future__ import annotations

from jinja2 import BytecodeCache
from werkzeug.routing import Rule


class CompiledTemplates(BytecodeCache):
    """The templates compiled once per test process and shared by the apps its tests make.

    Each test makes its own app, and compiling a template costs about 10 ms (a page with its layout and
    macros, 30–60 ms), paid again by every new app otherwise. Jinja keys each entry by the template's
    name and checks its source's checksum, so an edited template is compiled anew.
    """

    def __init__(self):
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        compiled = self._compiled.get(bucket.key)
        if compiled is not None:
            bucket.bytecode_from_string(compiled)

    def dump_bytecode(self, bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


def share_url_builders() -> None:
    """Compile each URL rule's builder once per test process instead of once per app.

    Werkzeug compiles two small Python functions per rule when an app adds it (``Rule._compile_builder``):
    two thirds of the app's start for our 174 rules. Such a function takes the rule as its first argument
    and depends only on the parsed rule, its defaults and whether unknown values are appended, so the one
    made for an equal rule of an earlier app is the same function. Werkzeug is pinned (requirements.txt);
    should the method go, the assignment below still runs but nothing calls it, and apps start slower.
    """
    compile_builder = Rule._compile_builder
    if getattr(compile_builder, "shares_builders", False):
        return
    builders: dict[tuple, object] = {}

    def shared_builder(rule: Rule, append_unknown: bool = True):
        try:
            key = (type(rule), rule.rule, tuple(rule._trace), tuple(sorted((rule.defaults or {}).items())),
                   append_unknown)
            hash(key)
        except TypeError:  # a default that cannot be a key: compile as werkzeug would
            return compile_builder(rule, append_unknown)
        if key not in builders:
            builders[key] = compile_builder(rule, append_unknown)
        return builders[key]

    shared_builder.shares_builders = True
    Rule._compile_builder = shared_builder
