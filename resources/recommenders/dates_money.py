"""A Marginalia recommender: dates and amounts of money found by regular expressions.

Reads JSON lines {"uid", "text", "labels"} on stdin and writes one JSON line
{"uid", "suggestions": [{"start", "end", "label", "score", "explanation"}]} per article.
Offsets are Python str indices (code points), as Marginalia wants. Plain Python, no packages.
Dates go to the project's date label, money to its number label (the first of each list the
project has); with neither label nothing is proposed.
"""

from __future__ import annotations

import json
import re
import sys

DATE_LABELS = ("Date/Time", "Date", "DATE", "Time")
MONEY_LABELS = ("Money", "MONEY", "Number/Figure", "Amount", "Number")

MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?"
)
DATE = re.compile(
    rf"\b(?:\d{{1,2}}\s+(?:{MONTHS})(?:\s+\d{{4}})?"  # 5 March 2024
    rf"|(?:{MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?"  # March 5, 2024
    r"|\d{4}-\d{2}-\d{2}"  # 2024-03-05
    r"|\d{1,2}/\d{1,2}/\d{2,4})(?!\w)"  # 05/03/2024
)
AMOUNT = r"\d{1,3}(?:[,.\u00a0 ]\d{3})*(?:[.,]\d+)?"
SCALE = r"(?:\s*(?:million|billion|trillion|bn|m|k))?"
MONEY = re.compile(
    rf"(?:[$€£¥]\s?{AMOUNT}{SCALE}"
    rf"|\b{AMOUNT}{SCALE}\s*(?:dollars|euros|pounds|yen|USD|EUR|GBP|€|\$|£))(?!\w)",
    re.IGNORECASE,
)


def first(wanted: tuple[str, ...], offered: list[str]) -> str | None:
    """The first of `wanted` the project has (None: it has none of them)."""
    return next((name for name in wanted if name in offered), None)


def suggest(text: str, labels: list[str]) -> list[dict[str, object]]:
    """Every date and amount of money in `text`, under the project's label names."""
    found = []
    for pattern, label, score, what in (
        (DATE, first(DATE_LABELS, labels), 0.8, "looks like a date"),
        (MONEY, first(MONEY_LABELS, labels), 0.9, "looks like an amount of money"),
    ):
        if label is None:
            continue
        for match in pattern.finditer(text):
            found.append(
                {
                    "start": match.start(),
                    "end": match.end(),
                    "label": label,
                    "score": score,
                    "explanation": f"{what}: {match.group(0)!r}",
                }
            )
    return found


def main() -> int:
    """Answer each input line with one output line."""
    for line in sys.stdin:
        if not line.strip():
            continue
        item = json.loads(line)
        answer = {"uid": item["uid"], "suggestions": suggest(item["text"], item["labels"])}
        print(json.dumps(answer, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
