"""Jinja over the layered template folders: only files that really live in their folder are
loaded, and a mistake in the user's templates is an input error at its file and line.

A --templates folder is the user's theme. A syntax error, a missing include or an undefined name
in it is the user's to fix, so it is reported like a bad profile
(`theme/plan.html:3:1: template: unexpected '}'`, exit 1), never as our internal error. An error
in a built-in template stays what it is: our bug.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from jinja2 import BaseLoader, Environment, TemplateError, TemplateNotFound, TemplateSyntaxError, nodes
from jinja2.loaders import split_template_path

from roadmap.errors import InputError, Problem, printable, show_value

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from roadmap.load.layers import Layered

_MAX_MESSAGE = 200
# The tags that name another template; a constant name is checked before anything is rendered.
_REFERENCES = (nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)


class LayeredLoader(BaseLoader):
    """Templates from the user folder first, then the built-in one, found like Layered.find:
    a file that is a link pointing out of its folder is ignored, as for content."""

    def __init__(self, templates: Layered) -> None:
        self.templates = templates

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        file = self.templates.find("/".join(split_template_path(template)))
        if file is None:
            raise TemplateNotFound(template)
        data = file.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            problem = Problem(self.templates.display(file), line, 1, "template", "is not UTF-8 text")
            raise InputError([problem]) from None
        stamp = file.stat().st_mtime_ns

        def uptodate() -> bool:
            try:
                return file.stat().st_mtime_ns == stamp
            except OSError:
                return False

        return text, str(file), uptodate


class ThemeEnvironment(Environment):
    """A Jinja environment over layered folders whose errors in the user's templates are input errors."""

    def __init__(self, templates: Layered, **options: Any) -> None:
        super().__init__(loader=LayeredLoader(templates), **options)
        self.templates = templates

    def handle_exception(self, source: str | None = None) -> NoReturn:
        # Jinja calls this for every error while compiling or rendering; the rewritten traceback
        # has one frame per template line, which is how the error's place in the theme is found.
        from jinja2.debug import rewrite_traceback_stack

        error = rewrite_traceback_stack(source=source)
        problem = template_problem(error, self.templates)
        if problem is None:
            raise error
        raise InputError([problem]) from error


def template_problem(error: BaseException, templates: Layered) -> Problem | None:
    """The problem at the user's template line that caused `error`; None when no user template did."""
    user = templates.user
    if user is None or isinstance(error, InputError):
        return None
    place = _user_place(error, user)
    if place is None:
        return None
    file, line = place
    return Problem(templates.display(Path(file)), line, 1, "template", *_describe(error))


def _user_place(error: BaseException, user: Path) -> tuple[str, int] | None:
    """The innermost line of a user template where the error arose."""

    def in_user(filename: str | None) -> bool:
        return filename is not None and Path(filename).is_relative_to(user)

    if isinstance(error, TemplateSyntaxError):
        return (error.filename, error.lineno) if error.filename and in_user(error.filename) else None
    frames = traceback.extract_tb(error.__traceback__)
    mine = [frame for frame in frames if in_user(frame.filename)]
    if not mine:
        return None
    # Jinja's own errors (undefined names, missing templates) are raised a few calls below the
    # template line; anything else counts only when the template line itself raised it.
    if not isinstance(error, TemplateError) and frames[-1] is not mine[-1]:
        return None
    return mine[-1].filename, mine[-1].lineno or 1


def _describe(error: BaseException) -> tuple[str, str | None]:
    """The message and the value it is about, one printable line."""
    if isinstance(error, TemplateNotFound):
        return "template not found", show_value(error.name)
    if isinstance(error, TemplateSyntaxError):
        text = error.message or "syntax error"
    elif isinstance(error, TemplateError):
        text = str(error)
    else:
        text = f"{type(error).__name__}: {error}"
    text = " ".join(printable(text).split())
    return (text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"), None


def check_templates(env: ThemeEnvironment, names: Iterable[str]) -> None:
    """Compile the named templates and every template they name by a constant, and raise every
    problem at once: a broken theme is found before any plan is built with it."""
    problems: list[Problem] = []
    queue, seen = list(names), set()
    while queue:
        name = queue.pop(0)
        if name in seen:
            continue
        seen.add(name)
        try:
            env.get_template(name)  # compiles it: syntax errors, unknown filters
            assert env.loader is not None
            source, filename, _ = env.loader.get_source(env, name)
            tree = env.parse(source, name, filename)
        except InputError as exc:
            problems += exc.problems
            continue
        for node in tree.find_all(_REFERENCES):
            target = getattr(node, "template", None)
            if not isinstance(target, nodes.Const) or not isinstance(target.value, str):
                continue  # a name computed while rendering is checked then
            if getattr(node, "ignore_missing", False):
                continue
            if _exists(env, target.value):
                queue.append(target.value)
            else:
                shown = env.templates.display(Path(filename)) if filename else name
                problems.append(
                    Problem(shown, node.lineno, 1, "template", "template not found", show_value(target.value))
                )
    if problems:
        raise InputError(problems)


def _exists(env: Environment, name: str) -> bool:
    assert env.loader is not None
    try:
        env.loader.get_source(env, name)
    except TemplateNotFound:
        return False
    return True
