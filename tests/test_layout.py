"""The package's shape: imports between ganzoo's modules run one way (no cycle)."""

import ast
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = os.path.join(ROOT, "ganzoo")


def _modules():
    """``{module name: path}`` of every module under ganzoo/."""
    out = {}
    for folder, _, files in os.walk(PACKAGE):
        for name in files:
            if name.endswith(".py"):
                rel = os.path.relpath(os.path.join(folder, name), ROOT)[:-3].replace(os.sep, ".")
                out[rel.removesuffix(".__init__")] = os.path.join(folder, name)
    return out


def _imports(path, modules, package):
    """ganzoo modules imported at module level (not inside functions) by the file at ``path``."""
    tree = ast.parse(open(path, encoding="utf-8").read())
    found = set()
    for node in tree.body:
        for sub in ast.walk(node) if not isinstance(node, (ast.FunctionDef, ast.ClassDef)) \
                else []:
            names = []
            if isinstance(sub, ast.Import):
                names = [a.name for a in sub.names]
            elif isinstance(sub, ast.ImportFrom) and sub.module:
                base = sub.module if not sub.level else \
                    ".".join(package.split(".")[:len(package.split(".")) - sub.level + 1]
                             + [sub.module])
                names = [base] + [f"{base}.{a.name}" for a in sub.names]
            found.update(n for n in names if n in modules)
    return found


def _graph():
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        package = name if path.endswith("__init__.py") else name.rsplit(".", 1)[0]
        graph[name] = _imports(path, modules, package) - {name}
    return graph


def _cycle(graph):
    """One import cycle as a list of modules, or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            # a package importing its own submodules (ganzoo -> ganzoo.data) is not a cycle
            if nxt.startswith(node + "."):
                continue
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_no_import_cycle_in_ganzoo():
    graph = _graph()
    assert "ganzoo.data.pairs" in graph and graph["ganzoo.data.pairs"]
    cycle = _cycle(graph)
    assert cycle is None, " -> ".join(cycle)


def test_the_data_package_imports_one_way():
    graph = _graph()
    order = ["ganzoo.data.validation", "ganzoo.data.readers", "ganzoo.data.pipeline",
             "ganzoo.data.pairs"]
    for i, module in enumerate(order):
        inside = {m for m in graph[module] if m.startswith("ganzoo.data")}
        assert inside <= set(order[:i]), f"{module} imports {inside - set(order[:i])}"


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_keras_serializable_names_are_the_classes_and_layers_they_decorate():
    """Every `register_keras_serializable` in ganzoo decorates a class (a stray line between
    a decorator and its class once registered a helper function under the class's place)."""
    import inspect

    import keras

    import ganzoo.models.base  # noqa: F401  (registers what it defines)

    registered = {name: obj for name, obj in keras.saving.get_custom_objects().items()
                  if name.startswith("ganzoo>")}
    assert registered["ganzoo>GAN"] is ganzoo.models.base.GAN
    assert all(inspect.isclass(obj) for obj in registered.values()), \
        [name for name, obj in registered.items() if not inspect.isclass(obj)]
