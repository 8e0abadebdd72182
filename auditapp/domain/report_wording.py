"""The Word draft's sentence templates: plain YAML an inspectorate edits, checked on load.

A template is a sentence with placeholders, e.g. ``In {not_met:words} of the {applicable:words}
cases ...``. ``{name}`` writes a number as numerals, ``{name:words}`` writes one to nine in
words (house style: "four of the five") and larger numbers as numerals, and ``{name:Words}``
does the same with a capital, for the start of a sentence.

Each template fills a *slot* (``method.audited``, ``question.some``, or a question's own
wording ``questions.<case type>/<question id>.some``). Every slot allows a fixed set of
placeholders and needs some of them (a findings sentence without its figure is refused). A
template with an unknown placeholder, a missing one, a format other than ``words``/``Words``,
broken braces, or an unknown slot is refused, with the file and line named.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
FORMATS = ("", "words", "Words")
# Variants of a question sentence: some cases met it, all did, none did.
QUESTION_VARIANTS = ("some", "all", "none")
_QUESTION_SLOT = re.compile(r"^questions\.([a-z0-9-]+)/([A-Za-z0-9_-]+)\.(some|all|none)$")


def number_words(value: int) -> str:
    """One to nine in words, anything else as numerals: 4 -> "four", 13 -> "13", 0 -> "0"."""
    return _WORDS[value] if 1 <= value <= 9 else str(value)


@dataclass(frozen=True)
class Slot:
    """What a template may say: its allowed placeholders and the groups it needs one of each."""

    allowed: frozenset[str]
    required: tuple[frozenset[str], ...] = ()


def _slot(allowed: str, *required: str) -> Slot:
    return Slot(frozenset(allowed.split()), tuple(frozenset(group.split()) for group in required))


_QUESTION_PLACEHOLDERS = "met partly_met not_met applicable case_type question"
# "Some" must give a count besides the cases; "all" and "none" say it in their words.
_QUESTION = {
    "some": _slot(_QUESTION_PLACEHOLDERS, "applicable", "met partly_met not_met"),
    "all": _slot(_QUESTION_PLACEHOLDERS, "applicable"),
    "none": _slot(_QUESTION_PLACEHOLDERS, "applicable"),
}
SLOTS: dict[str, Slot] = {
    "method.review": _slot("force title period baseline_title", "force"),
    "method.review_no_baseline": _slot("force title period", "force"),
    "method.sample": _slot("sampled case_types case_type_list", "sampled"),
    "method.audited": _slot(
        "cases good requires_improvement inadequate",
        "cases",
        "good",
        "requires_improvement",
        "inadequate",
    ),
    "method.dip_sample": _slot("cases case_type", "cases", "case_type"),
    "method.draw": _slot("draw", "draw"),
    "method.stratified": _slot("draw column", "draw", "column"),
    "method.no_draw": _slot("sampled", "sampled"),
    "progress.compared": _slot(
        "now baseline change questions now_cases baseline_cases", "now", "baseline", "change"
    ),
    "progress.now_only": _slot("now questions now_cases", "now"),
    "progress.no_evidence": _slot(""),
    "progress.judgement": _slot("judgement", "judgement"),
    "chapter.judgement": _slot("judgement reason", "judgement"),
    **{f"question.{variant}": _QUESTION[variant] for variant in QUESTION_VARIANTS},
}


class WordingError(ValueError):
    """A wording file is refused: each problem names its file and line."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Template:
    """One sentence template and where it was read (file and line), for notes and errors."""

    slot: str
    text: str
    file: str
    line: int

    def render(self, values: Mapping[str, Any]) -> str:
        """The sentence with its placeholders filled in (numbers in words where asked)."""
        return _Formatter().vformat(self.text, (), values)


class _Formatter(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> Any:
        if format_spec in ("words", "Words") and isinstance(value, int):
            words = number_words(value)
            return words[:1].upper() + words[1:] if format_spec == "Words" else words
        if format_spec in ("words", "Words"):
            text = str(value)
            return text[:1].upper() + text[1:] if format_spec == "Words" else text
        return super().format_field(value, format_spec)


def slot_of(key: str) -> Slot | None:
    """The slot a template key fills, or None for a key that means nothing."""
    if key in SLOTS:
        return SLOTS[key]
    match = _QUESTION_SLOT.match(key)
    return _QUESTION[match.group(3)] if match else None


def template_problems(key: str, text: str) -> list[str]:
    """What is wrong with one template for its slot (empty when it is sound)."""
    slot = slot_of(key)
    if slot is None:
        return [f"unknown template {key!r}"]
    try:
        fields = [
            (name, spec, conversion)
            for _, name, spec, conversion in string.Formatter().parse(text)
            if name is not None
        ]
    except ValueError as error:
        return [f"{key}: {error} (write a brace as {{{{ or }}}})"]
    problems = []
    used: set[str] = set()
    for name, spec, conversion in fields:
        if name == "" or name.isdigit():
            problems.append(f"{key}: a placeholder needs a name, e.g. {{cases}}")
            continue
        if name not in slot.allowed:
            allowed = ", ".join(sorted(slot.allowed)) or "none"
            problems.append(f"{key}: unknown placeholder {{{name}}} (allowed: {allowed})")
        if conversion or (spec or "") not in FORMATS:
            problems.append(
                f"{key}: {{{name}}} may only be written {{{name}}}, {{{name}:words}} or "
                f"{{{name}:Words}}"
            )
        used.add(name)
    for group in slot.required:
        if not group & used:
            needed = " or ".join(f"{{{name}}}" for name in sorted(group))
            problems.append(f"{key}: missing placeholder {needed}")
    return problems


def _flatten(node: yaml.Node, prefix: str, out: list[tuple[str, Any, int]]) -> None:
    """Walk a YAML mapping to (dotted key, value, line) triples, keeping each value's line."""
    if not isinstance(node, yaml.MappingNode):
        out.append((prefix, node, node.start_mark.line + 1))
        return
    for key_node, value_node in node.value:
        key = str(key_node.value)
        _flatten(value_node, f"{prefix}.{key}" if prefix else key, out)


@dataclass(frozen=True)
class Wording:
    """Every template, by slot key."""

    templates: Mapping[str, Template]

    def get(self, key: str) -> Template:
        """The template for a slot (KeyError when the files do not define it)."""
        return self.templates[key]

    def question(self, case_type: str, question_id: str, variant: str) -> Template:
        """A question's own wording for this variant, else the general question sentence."""
        own = self.templates.get(f"questions.{case_type}/{question_id}.{variant}")
        return own if own is not None else self.templates[f"question.{variant}"]


def parse_wording(sources: Iterable[tuple[str, str]]) -> Wording:
    """Check and read wording from (file name, YAML text) pairs; WordingError lists every problem.

    Every slot of ``SLOTS`` must be defined once across the files; questions' own wording is
    optional.
    """
    problems: list[str] = []
    templates: dict[str, Template] = {}
    unreadable = False
    for filename, text in sources:
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            at = f", line {mark.line + 1}" if mark is not None else ""
            problems.append(f"{filename}{at}: not valid YAML ({error})")
            unreadable = True
            continue
        if root is None:
            continue
        if not isinstance(root, yaml.MappingNode):
            problems.append(f"{filename}, line 1: the file must be a mapping of templates")
            continue
        found: list[tuple[str, Any, int]] = []
        _flatten(root, "", found)
        for key, node, line in found:
            where = f"{filename}, line {line}"
            if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str":
                problems.append(f"{where}: {key}: a template must be a sentence (text)")
                continue
            if key in templates:
                first = templates[key]
                problems.append(
                    f"{where}: {key} is already defined in {first.file}, line {first.line}"
                )
                continue
            found_problems = template_problems(key, str(node.value))
            problems.extend(f"{where}: {problem}" for problem in found_problems)
            if not found_problems:
                templates[key] = Template(key, " ".join(str(node.value).split()), filename, line)
    refused = {problem.split(": ", 2)[1] for problem in problems if problem.count(": ") >= 2}
    for key in SLOTS:
        # A file that cannot be read would make every slot "missing": its own error says enough.
        if key not in templates and key not in refused and not unreadable:
            problems.append(f"no template for {key} in any wording file")
    if problems:
        raise WordingError(problems)
    return Wording(templates)


def load_wording(directory: Path) -> Wording:
    """Read every ``*.yaml`` file of a directory, in name order (WordingError when refused)."""
    files = sorted(directory.glob("*.yaml"))
    return parse_wording((path.name, path.read_text(encoding="utf-8")) for path in files)
