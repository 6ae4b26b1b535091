"""The formula language: parsed with :mod:`ast` (never ``eval``), allowing only numbers, names,
``+ - * /``, parentheses, unary minus and ``max()``, ``min()``, ``mean()``; evaluated exactly."""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Final

from .exact import _exact, _mean

FUNCTIONS: Final = ("max", "min", "mean")
_MAX_FORMULA_CHARS: Final = 2000


# ------------------------------------------------------------------------------ formula language


class _Node:
    def evaluate(self, env: Mapping[str, Fraction]) -> Fraction:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True)
class _Number(_Node):
    value: Fraction

    def evaluate(self, env: Mapping[str, Fraction]) -> Fraction:
        return self.value


@dataclass(frozen=True)
class _Name(_Node):
    name: str

    def evaluate(self, env: Mapping[str, Fraction]) -> Fraction:
        return env[self.name]


@dataclass(frozen=True)
class _Negate(_Node):
    operand: _Node

    def evaluate(self, env: Mapping[str, Fraction]) -> Fraction:
        return -self.operand.evaluate(env)


@dataclass(frozen=True)
class _Binary(_Node):
    op: str
    left: _Node
    right: _Node

    def evaluate(self, env: Mapping[str, Fraction]) -> Fraction:
        a, b = self.left.evaluate(env), self.right.evaluate(env)
        if self.op == "+":
            return a + b
        if self.op == "-":
            return a - b
        if self.op == "*":
            return a * b
        return a / b


@dataclass(frozen=True)
class _Call(_Node):
    function: str
    args: tuple[_Node, ...]

    def evaluate(self, env: Mapping[str, Fraction]) -> Fraction:
        values = [arg.evaluate(env) for arg in self.args]
        if self.function == "max":
            return max(values)
        if self.function == "min":
            return min(values)
        return _mean(values)


_BINARY_OPS: Final[dict[type[ast.AST], str]] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_SYNTAX_NAMES: Final[dict[type[ast.AST], str]] = {
    ast.Pow: "power (**)",
    ast.Mod: "remainder (%)",
    ast.FloorDiv: "floor division (//)",
    ast.MatMult: "matrix multiplication (@)",
    ast.BitAnd: "bitwise and (&)",
    ast.BitOr: "bitwise or (|)",
    ast.BitXor: "bitwise xor (^)",
    ast.LShift: "shift (<<)",
    ast.RShift: "shift (>>)",
    ast.UAdd: "unary plus",
    ast.Not: "'not'",
    ast.Invert: "bitwise not (~)",
    ast.Compare: "comparison",
    ast.BoolOp: "'and'/'or'",
    ast.IfExp: "conditional expression (if/else)",
    ast.Attribute: "attribute access (.)",
    ast.Subscript: "indexing ([])",
    ast.Lambda: "lambda",
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.Dict: "a dictionary",
    ast.Set: "a set",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.NamedExpr: "assignment (:=)",
    ast.JoinedStr: "an f-string",
    ast.Starred: "unpacking (*)",
    ast.keyword: "keyword arguments",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "a slice",
}


class _FormulaCompiler:
    def __init__(self, source: str, names: frozenset[str]) -> None:
        self.source = source
        self.names = names
        self.problems: list[str] = []

    def reject(self, what: ast.AST, where: ast.AST) -> None:
        label = _SYNTAX_NAMES.get(type(what), type(what).__name__)
        segment = ast.get_source_segment(self.source, where) or self.source
        self.problems.append(f"formula: {label} is not allowed (in '{segment}')")

    def add(self, message: str) -> None:
        if message not in self.problems:
            self.problems.append(message)

    def compile(self, node: ast.AST) -> _Node | None:
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            if node.id in FUNCTIONS:
                self.add(f"formula: function '{node.id}' must be called, e.g. {node.id}(harm, likelihood)")
                return None
            if node.id not in self.names:
                self.add(f"formula refers to unknown factor or group '{node.id}'")
                return None
            return _Name(node.id)
        if isinstance(node, ast.UnaryOp):
            operand = self.compile(node.operand)
            if not isinstance(node.op, ast.USub):
                self.reject(node.op, node)
                return None
            return _Negate(operand) if operand is not None else None
        if isinstance(node, ast.BinOp):
            left, right = self.compile(node.left), self.compile(node.right)
            op = _BINARY_OPS.get(type(node.op))
            if op is None:
                self.reject(node.op, node)
                return None
            return _Binary(op, left, right) if left is not None and right is not None else None
        if isinstance(node, ast.Call):
            return self.call(node)
        self.reject(node, node)
        return None

    def number(self, node: ast.Constant) -> _Node | None:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            segment = ast.get_source_segment(self.source, node) or repr(value)
            self.add(f"formula: only numbers and names are allowed, not {segment}")
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.add(f"formula: number {ast.get_source_segment(self.source, node)} is too large")
            return None
        return _Number(Fraction(value) if isinstance(value, int) else _exact(value))

    def call(self, node: ast.Call) -> _Node | None:
        args = [self.compile(arg) for arg in node.args if not isinstance(arg, ast.Starred)]
        ok = True
        if not isinstance(node.func, ast.Name):
            self.reject(node.func, node.func)  # e.g. x.y(), (lambda: 1)()
            return None
        if node.func.id not in FUNCTIONS:
            self.add(f"formula: function '{node.func.id}' is not allowed (allowed: {', '.join(FUNCTIONS)})")
            return None
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                self.reject(arg, node)
                ok = False
        if node.keywords:
            self.reject(node.keywords[0], node)
            ok = False
        if not node.args:
            self.add(f"formula: '{ast.get_source_segment(self.source, node)}' needs at least one argument")
            ok = False
        if not ok or any(a is None for a in args):
            return None
        return _Call(node.func.id, tuple(a for a in args if a is not None))


def _compile_formula(text: str, names: frozenset[str]) -> tuple[_Node | None, list[str]]:
    source = " ".join(text.split())  # formulas may span lines in the file; whitespace has no meaning
    if not source:
        return None, ["formula is empty"]
    if len(source) > _MAX_FORMULA_CHARS:
        return None, [f"formula is longer than {_MAX_FORMULA_CHARS} characters"]
    try:
        parsed = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        return None, [f"formula is not a valid expression: {exc.msg}"]
    except (ValueError, RecursionError, MemoryError):
        return None, ["formula is not a valid expression"]
    compiler = _FormulaCompiler(source, names)
    tree = compiler.compile(parsed.body)
    if compiler.problems or tree is None:
        return None, compiler.problems or ["formula is not a valid expression"]
    return tree, []


def _render_formula(text: str) -> str:
    return ast.unparse(ast.parse(" ".join(text.split()), mode="eval"))
