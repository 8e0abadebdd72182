"""Reading a question-set file: YAML parsing and JSON Schema validation, with located problems."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from auditapp.domain.question_sets.errors import QuestionSetError, QuestionSetProblem
from auditapp.domain.text_safety import FORBIDDEN_IN_FREE_TEXT_PATTERN

SCHEMA_FILE = Path(__file__).resolve().parent / "question_set.schema.json"


class _Loader(yaml.SafeLoader):
    """YAML 1.2-like loading: ``yes``/``no``/``on``/``off`` stay strings, duplicate keys fail.

    PyYAML follows YAML 1.1, where an unquoted ``yes`` is the boolean true; our answers are
    literally "yes" and "no", so only ``true``/``false`` are booleans here. Dates stay strings
    too, so the schema sees exactly what was typed.

    Aliases are allowed (``yaml.safe_dump`` writes them for shared lists) but bounded: once a
    document is composed, and before anything is built or validated, the values it expands to
    are counted without expanding them, and a file past ``MAX_EXPANDED_NODES`` values or
    ``MAX_EXPANDED_CHARACTERS`` characters is refused, naming the line. Nested aliases ("billion
    laughs") once turned 5.6 KB into gigabytes when a validation message printed the value.
    """

    def compose_document(self) -> Any:
        """Compose one document; refuse it if it expands past the limits or holds itself."""
        node = super().compose_document()
        _check_expansion(node)
        return node


# A question set has a few thousand values; these leave room for any real one.
MAX_EXPANDED_NODES = 100_000
MAX_EXPANDED_CHARACTERS = 10_000_000


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_expansion(root: yaml.Node | None) -> None:
    """Count the values and characters the node tree expands to, each shared node once."""
    sizes: dict[int, tuple[int, int]] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)] if root is not None else []
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if not children_done:
            open_nodes.add(id(node))
            stack.append((node, True))
            for child in _children(node):
                if id(child) in open_nodes:
                    raise yaml.composer.ComposerError(
                        None,
                        None,
                        "an alias (*name) refers to a value holding it",
                        child.start_mark,
                    )
                if id(child) not in sizes:
                    stack.append((child, False))
            continue
        open_nodes.discard(id(node))
        nodes, characters = 1, len(node.value) if isinstance(node, yaml.ScalarNode) else 0
        for child in _children(node):
            nodes += sizes[id(child)][0]
            characters += sizes[id(child)][1]
        if nodes > MAX_EXPANDED_NODES or characters > MAX_EXPANDED_CHARACTERS:
            raise yaml.composer.ComposerError(
                None,
                None,
                f"the aliases (*name) here expand to more than {MAX_EXPANDED_NODES:,} values or "
                f"{MAX_EXPANDED_CHARACTERS:,} characters: write the values out instead",
                node.start_mark,
            )
        sizes[id(node)] = (nodes, characters)


_Loader.yaml_implicit_resolvers = {
    key: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
    ]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


# Control and bidirectional characters: tab and line breaks are YAML layout (text_safety).
_FORBIDDEN_CHARACTERS = re.compile(FORBIDDEN_IN_FREE_TEXT_PATTERN)
# No message quotes more than this much of a value from the file.
QUOTE_MAX = 60
MESSAGE_MAX = 200


def quoted(value: Any) -> str:
    """``repr`` of a value from a file, cut to ``QUOTE_MAX`` characters so no message is huge."""
    text = repr(value) if isinstance(value, str | int | float | bool) or value is None else None
    if text is None:
        text = f"a {type(value).__name__}"
    return text if len(text) <= QUOTE_MAX else f"{text[: QUOTE_MAX - 1]}…"


def _character_problems(text: str) -> list[QuestionSetProblem]:
    """Control and bidirectional characters, each located by line and column (first 20)."""
    problems = []
    for match in _FORBIDDEN_CHARACTERS.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        problems.append(
            QuestionSetProblem(
                f"line {line}, column {column}",
                f"control or bidirectional character U+{ord(match[0]):04X} is not allowed",
            )
        )
        if len(problems) == 20:
            break
    return problems


def parse_yaml(text: str, filename: str) -> Any:
    """Parse YAML text (yes/no stay strings, duplicate keys fail); QuestionSetError if invalid.

    Control and bidirectional characters, and aliases that expand too far, are refused,
    naming the line.
    """
    problems = _character_problems(text)
    if problems:
        raise QuestionSetError(problems, filename=filename)
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise QuestionSetError(
            [QuestionSetProblem(where, f"not valid YAML: {exc.problem or exc}")],
            filename=filename,
        ) from exc
    except yaml.YAMLError as exc:
        raise QuestionSetError(
            [QuestionSetProblem("", f"not valid YAML: {exc}")], filename=filename
        ) from exc
    except RecursionError:  # PyYAML composes recursively: "[[[[..." thousands deep
        raise QuestionSetError(
            [QuestionSetProblem("", "not valid YAML: the values are nested too deeply")],
            filename=filename,
        ) from None


# --- schema validation --------------------------------------------------------------------------


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _identifier_schema() -> Any:
    """The schema of a question or section id (``$defs/identifier``), which ``$ref``s point at.

    A ``$ref`` does not appear in an error's schema path, so an id's pattern error is known by
    the subschema that failed (``error.schema``), not by where the path says it came from.
    """
    return _validator().schema["$defs"]["identifier"]


def format_path(parts: Iterable[str | int]) -> str:
    """Write a place in the data as a file path, e.g. ``sections[2].questions[4].type``."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def schema_message(error: jsonschema.ValidationError) -> str:
    """Return a schema error in words for the person who wrote the file."""
    # jsonschema's own wording is written for programmers; these are the common cases reworded.
    # Values from the file are quoted cut short (``quoted``): no message ever repeats a huge one.
    if error.validator == "enum":
        allowed = ", ".join(str(value) for value in error.validator_value)
        return f"{quoted(error.instance)} is not one of: {allowed}"
    if error.validator == "type":
        return f"must be of type {error.validator_value}, not {type(error.instance).__name__}"
    if error.validator == "pattern" and error.schema == _identifier_schema():
        return f"{quoted(error.instance)} is not a valid id (letters, digits, _ or -)"
    message = str(error.message)
    return message if len(message) <= MESSAGE_MAX else f"{message[: MESSAGE_MAX - 1]}…"


def schema_problems(data: Any) -> list[QuestionSetProblem]:
    """Return the JSON Schema problems in parsed question-set data, in file order."""
    errors = sorted(_validator().iter_errors(data), key=_file_order)
    return [
        QuestionSetProblem(format_path(error.absolute_path), schema_message(error))
        for error in errors
    ]


def _file_order(error: jsonschema.ValidationError) -> list[tuple[int, str]]:
    # Indexes compare as numbers, so questions[10] sorts after questions[2].
    return [(p, "") if isinstance(p, int) else (-1, str(p)) for p in error.absolute_path]
