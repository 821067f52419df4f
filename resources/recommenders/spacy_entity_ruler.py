"""A Marginalia recommender: spaCy's EntityRuler over a blank pipeline, patterns from a file.

Usage: python spacy_entity_ruler.py PATTERNS.jsonl [--lang en] [--ignore-case] [--score 0.9]

PATTERNS.jsonl holds Prodigy/spaCy patterns, one JSON object a line: a phrase
{"label": "ORG", "pattern": "South Caucasus Rail"} or a token pattern
{"label": "ORG", "pattern": [{"LOWER": "apple"}]}. The pipeline is `spacy.blank(lang)` (a
tokenizer only), so no model is downloaded. Reads JSON lines {"uid", "text", "labels"} on stdin
and writes one line {"uid", "suggestions": [{"start", "end", "label", "score", "explanation"}]}
per article. spaCy's character offsets are Python str indices (code points), which is what
Marginalia wants. Patterns whose label the project does not have propose nothing.
Needs spaCy (pip install "marginalia[spacy]"); it is not a dependency of Marginalia itself.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def read_patterns(path: Path) -> list[dict[str, Any]]:
    """The patterns in `path`; exits with the file, line and reason when one is bad."""
    patterns = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        sys.exit(f"{path}: cannot read the patterns file: {error}")
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            sys.exit(f"{path}:{number}: not JSON: {error}")
        if not isinstance(item, dict) or not isinstance(item.get("label"), str):
            sys.exit(f'{path}:{number}: a pattern needs {{"label": ..., "pattern": ...}}')
        pattern = item.get("pattern")
        if not (isinstance(pattern, str) and pattern) and not (
            isinstance(pattern, list) and pattern and all(isinstance(t, dict) for t in pattern)
        ):
            sys.exit(f"{path}:{number}: a pattern is a phrase or a list of token objects")
        patterns.append({"label": item["label"], "pattern": pattern})
    return patterns


def build(patterns: list[dict[str, Any]], lang: str, ignore_case: bool) -> Any:
    """A blank spaCy pipeline whose one component is an EntityRuler holding `patterns`."""
    import spacy

    nlp = spacy.blank(lang)
    # A tokenizer alone needs little memory per character: long articles are fine.
    nlp.max_length = 10**9
    config = {"phrase_matcher_attr": "LOWER"} if ignore_case else {}
    ruler = nlp.add_pipe("entity_ruler", config=config)
    ruler.add_patterns(patterns)
    return nlp


def suggest(nlp: Any, text: str, labels: list[str], score: float) -> list[dict[str, Any]]:
    """The ruler's entities in `text` whose label the project has, as Marginalia suggestions."""
    offered = set(labels)
    found = []
    for ent in nlp(text).ents:
        if ent.label_ not in offered:
            continue
        found.append(
            {
                "start": ent.start_char,
                "end": ent.end_char,
                "label": ent.label_,
                "score": score,
                "explanation": f"EntityRuler pattern for {ent.label_}: {ent.text!r}",
            }
        )
    return found


def main(argv: list[str] | None = None) -> int:
    """Answer each input line with one output line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("patterns", type=Path, help="JSONL file of Prodigy/spaCy patterns")
    parser.add_argument("--lang", default="en", help="spaCy language code (default en)")
    parser.add_argument("--ignore-case", action="store_true", help="phrases match any case")
    parser.add_argument("--score", type=float, default=0.9, help="score given (default 0.9)")
    args = parser.parse_args(argv)
    try:
        import spacy  # noqa: F401
    except ImportError:
        sys.exit('spaCy is not installed: pip install "spacy>=3.7,<4"')
    nlp = build(read_patterns(args.patterns), args.lang, args.ignore_case)
    for line in sys.stdin:
        if not line.strip():
            continue
        item = json.loads(line)
        found = suggest(nlp, item["text"], item["labels"], args.score)
        print(json.dumps({"uid": item["uid"], "suggestions": found}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
