"""Every parameter of the package's public API has its inline comment (nbdev's docments), so that the docs site shows
a parameter table under every signature."""

import importlib
import inspect
import pkgutil

import pytest
from fastcore.docments import docments

import wealtharena

MODULES = sorted(
    name.removeprefix("wealtharena.")
    for name in (m.name for m in pkgutil.walk_packages(wealtharena.__path__, "wealtharena."))
    if not name.endswith("_modidx")
)


def undocumented(module) -> dict:
    "Public function or method of a module (or a wealtharena module's name) -> its parameters without a comment."
    module = importlib.import_module(f"wealtharena.{module}") if isinstance(module, str) else module
    found = {}
    for name in module.__all__:
        obj = getattr(module, name)
        targets = []
        if inspect.isclass(obj):
            if hasattr(obj, "__dataclass_fields__"):  # dataclass fields are documented on the class
                continue
            if obj.__init__ is not object.__init__:
                targets.append((name, obj.__init__))
            methods = [(k, f) for k, f in vars(obj).items() if inspect.isfunction(f) and not k.startswith("_")]
            targets += [(f"{name}.{k}", f) for k, f in methods]
        elif inspect.isfunction(obj):
            targets.append((name, obj))
        for label, function in targets:
            parameters = [
                p for p in inspect.signature(function).parameters.values()
                if p.name not in ("self", "cls") and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
            ]  # fmt: skip
            comments = docments(function, full=True)
            missing = [p.name for p in parameters if not (comments.get(p.name) or {}).get("docment")]
            if missing:
                found[label] = missing
    return found


@pytest.mark.parametrize("module_name", MODULES)
def test_every_parameter_is_documented(module_name):
    assert undocumented(module_name) == {}


def test_the_check_finds_an_undocumented_parameter(tmp_path, monkeypatch):
    (tmp_path / "half_documented.py").write_text(
        '__all__ = ["f", "K"]\n\n\ndef f(\n    a,  # documented\n    b,\n):\n    pass\n\n\n'
        "class K:\n    def __init__(self, c):\n        pass\n\n    def run(self, d=1):\n        pass\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert undocumented(importlib.import_module("half_documented")) == {"f": ["b"], "K": ["c"], "K.run": ["d"]}
