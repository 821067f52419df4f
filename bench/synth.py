"""Seeded synthetic news articles with spans, tags and statuses, as JSONL or a ready project."""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import random
import sqlite3
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from desktop_app.core.schema import load_schema  # noqa: E402
from desktop_app.core.store import Store  # noqa: E402
from desktop_app.core.store.integrity import DERIVED_COUNTS  # noqa: E402


def _names(text: str) -> tuple[str, ...]:
    """A word list written compactly: split on "|" when there is one, else on spaces."""
    return tuple(text.split("|") if "|" in text else text.split())


LABELS_YAML = ROOT / "resources" / "labels.yaml"
ANNOTATORS = ("alice", "bob", "chloé")
STATUSES = ("todo", "in progress", "in progress", "done", "done", "done")
# Words the search figures look for. FREQUENT_WORD is in nearly every article (the worst case
# for a search), COMMON_WORD in about a fifth of them (a topic word), RARE_WORD only in
# article 0 and every RARE_EVERY-th article after it.
FREQUENT_WORD = "said"
COMMON_WORD = "government"
COMMON_SHARE = 0.06  # of filler sentences; with paragraphs reused, ~20% of articles
RARE_WORD = "quokka"
RARE_EVERY = 5000

_PARAGRAPH_POOL = 4000  # composing from a pool keeps 100,000 articles well under 20 s
_LEXICON_SIZE = 30000  # made-up long-tail words, so the FTS index sees a Zipf-like vocabulary

_FIRST = _names(
    "Maria José Zoë Łukasz Søren Aylin Chloé Ahmed Olena Kenji Priya Björn Ana Mehmet Giorgi "
    "Thandiwe Ines Mateus Yusuf Agnieszka Niamh Dmitri Fatima Lars Amélie Kwame Sofía Hiroshi "
    "Ewa Tomás Leila Jürgen Nadia Oğuz Renée Siddharth Camille Wei Hana Émile"
)
_LAST = _names(
    "García Müller Kowalski Ångström Okafor Dubois Nakamura Petrović O'Brien Schröder Haddad "
    "Kim Novák Rossi Fernández Jensen Yılmaz Ivanova Nguyễn Lefèvre Mbeki Costa Horváth "
    "Bergström Chatterjee Santos Weiß Kuznetsov Moreau Álvarez Kaplan Lindqvist Abubakar Dvořák"
)
_ORGS = _names(
    "European Commission|Bundesbank|Petrobras|Société Générale|World Health Organization|NATO|"
    "OPEC|Siemens|Toyota|Gazprom|International Monetary Fund|Banco Santander|Nestlé|Renault|"
    "United Nations|African Union|Ministry of Finance|Supreme Court|Central Bank|Équipe Verte|"
    "Samsung Electronics|Ørsted|Electricité de France|Reuters|Red Cross|World Bank|Airbus|"
    "Teatro Colón|Statistics Office|Parliament|Federal Reserve|Tata Steel|三菱商事|ПАО Сбербанк"
)
_PLACES = _names(
    "Brussels|São Paulo|Zürich|Kraków|Tbilisi|東京|Москва|Reykjavík|Nairobi|Montréal|القاهرة|Kyiv|"
    "Geneva|Lagos|Buenos Aires|Ankara|Jakarta|Seoul|Lisbon|Málaga|Göteborg|Warsaw|Dakar|Hanoi|"
    "Mumbai|Cape Town|Bogotá|Athens|Vilnius|Ōsaka|Québec|Tromsø|Düsseldorf|Baku|Almaty|Lima"
)
_ROLES = _names(
    "minister|spokesperson|chief executive|senior analyst|economist|opposition leader|governor|"
    "mayor|ambassador|union leader|central banker|professor|prosecutor|general|chairwoman"
)
_EVENTS = _names(
    "summit|election|general strike|ceasefire talks|product launch|climate conference|"
    "referendum|trade fair|court hearing|state visit|budget vote|peace conference|"
    "earnings call|military exercise|energy forum"
)
_SOURCES = _names(
    "Reuters|Agence France-Presse|Associated Press|Süddeutsche Zeitung|El País|Le Monde|"
    "朝日新聞|Gazeta Wyborcza|Folha de S.Paulo|The Guardian|Deutsche Welle|Al Jazeera|"
    "Kyiv Independent|Dagens Nyheter|Corriere della Sera|The Hindu"
)
_SECTIONS = ("politics", "economy", "world", "business", "science", "culture", "energy")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = _names(
    "January February March April May June July August September October November December"
)
_UNITS = ("million euros", "billion dollars", "tonnes", "barrels a day", "jobs", "per cent")
_WORDS = _names(
    "the a of in on for with after before over under against between during as while when "
    "officials policy market markets prices inflation growth economy "
    "talks agreement sanctions trade exports imports energy gas oil power grid renewables "
    "budget deficit debt bonds investors shares company companies workers union strike "
    "election vote parliament coalition opposition party reform tax taxes spending plan "
    "security border military troops conflict ceasefire aid refugees migration health "
    "hospital vaccine schools students climate emissions drought floods storm harvest "
    "technology chips data privacy cyberattack network infrastructure railway port airport "
    "court ruling investigation report survey analysts forecast quarter annual record "
    "decline increase rise fall cut hike rate rates interest supply demand shortage crisis "
    "recovery pressure risk concerns warned announced confirmed denied expected reported "
    "agreed rejected approved proposed delayed launched signed suspended extended "
    "regional national international local federal public private domestic foreign "
    "new major key senior former leading largest smaller strong weak sharp steady "
    "week month year years months weeks today yesterday morning evening since until"
)
_FILLER_EXTRA = ("🌍", "📈", "⚡", "🇪🇺", "🇺🇦", "經濟", "市場", "ქართული", "مؤتمر", "café", "naïve")


class _Sentence:
    """A sentence under construction: its text and the spans of its entities."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.spans: list[tuple[int, int, str]] = []
        self._open: list[tuple[int, str]] = []

    def add(self, text: str) -> _Sentence:
        self.parts.append(text)
        self.length += len(text)  # code points, like the offsets the store keeps
        return self

    def ent(self, text: str, label: str) -> _Sentence:
        start = self.length
        self.add(text)
        self.spans.append((start, self.length, label))
        return self

    def open(self, label: str) -> _Sentence:
        self._open.append((self.length, label))
        return self

    def close(self) -> _Sentence:
        start, label = self._open.pop()
        self.spans.append((start, self.length, label))  # encloses the spans added meanwhile
        return self

    def text(self) -> str:
        return "".join(self.parts)


class Synth:
    """A seeded generator of news records (native JSONL shape) with their annotations."""

    def __init__(self, seed: int = 1) -> None:
        self.seed = seed
        schema = load_schema(LABELS_YAML)
        self.span_labels = [label.name for label in schema.span_labels]
        self.topic_tags = [t.name for t in schema.document_tags if t.group != "Relevance"]
        self.relevance_tags = [t.name for t in schema.document_tags if t.group == "Relevance"]
        # Entity kinds map onto the schema's own label names; a renamed schema still works.
        wanted = {
            "person": "Person",
            "org": "Organization",
            "place": "Location",
            "event": "Event",
            "date": "Date/Time",
            "quote": "Quote",
            "claim": "Claim",
            "number": "Number/Figure",
            "source": "Source attribution",
        }
        self.kind = {
            kind: name if name in self.span_labels else self.span_labels[i % len(self.span_labels)]
            for i, (kind, name) in enumerate(wanted.items())
        }
        pool_rng = random.Random(f"pool-{seed}")
        self._lexicon, self._lexicon_cum = _lexicon(pool_rng)
        self._paragraphs = [self._paragraph(pool_rng) for _ in range(_PARAGRAPH_POOL)]
        self._titles = [self._title(pool_rng) for _ in range(_PARAGRAPH_POOL)]
        start = date(2015, 1, 1)
        self._dates = [(start + timedelta(days=d)).isoformat() for d in range(3650)]
        base = datetime(2024, 1, 1, tzinfo=UTC)
        self._stamps: list[str] = [
            (base + timedelta(seconds=pool_rng.randrange(86400 * 700))).isoformat(
                timespec="milliseconds"
            )
            for _ in range(5000)
        ]

    # ----------------------------------------------------------------- the pool

    def _person(self, rng: random.Random) -> str:
        return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"

    def _number(self, rng: random.Random) -> str:
        if rng.random() < 0.5:
            return f"{rng.randint(2, 980)}.{rng.randint(0, 9)} {rng.choice(_UNITS)}"
        return f"{rng.randint(1, 40)}.{rng.randint(0, 9)}%"

    def _date(self, rng: random.Random) -> str:
        if rng.random() < 0.5:
            return f"on {rng.choice(_WEEKDAYS)}"
        return self._day(rng)

    def _day(self, rng: random.Random) -> str:
        return f"{rng.randint(1, 28)} {rng.choice(_MONTHS)} {rng.randint(2015, 2024)}"

    def _words(self, rng: random.Random, low: int, high: int) -> str:
        words = rng.choices(_WORDS, k=rng.randint(low, high))
        if rng.random() < 0.08:
            words.insert(rng.randrange(len(words)), rng.choice(_FILLER_EXTRA))
        return " ".join(words)

    def _sentence(self, rng: random.Random) -> _Sentence:
        k = self.kind
        s = _Sentence()
        shape = rng.randrange(6)
        if shape == 0:  # attribution around a person and an organisation: nested spans
            s.open(k["source"]).ent(self._person(rng), k["person"])
            s.add(f", {rng.choice(_ROLES)} at ").ent(rng.choice(_ORGS), k["org"])
            s.add(", said").close().add(" ").ent(self._date(rng), k["date"])
            s.add(f" that the {self._words(rng, 6, 14)}.")
        elif shape == 1:  # a quote holding a number, then who said it and where
            s.add("“").open(k["quote"]).add(f"We expect {self._words(rng, 4, 9)} of ")
            s.ent(self._number(rng), k["number"]).add(f" {self._words(rng, 3, 8)}").close()
            s.add(",” ").ent(self._person(rng), k["person"]).add(" told reporters in ")
            s.ent(rng.choice(_PLACES), k["place"]).add(".")
        elif shape == 2:  # a claim that contains an organisation, a figure and a place
            s.open(k["claim"]).ent(rng.choice(_ORGS), k["org"]).add(" reported ")
            s.ent(self._number(rng), k["number"]).add(" in ").ent(rng.choice(_PLACES), k["place"])
            s.add(f", {self._words(rng, 4, 10)}").close().add(".")
        elif shape == 3:  # an event with a place and a date
            s.add("The ").ent(rng.choice(_EVENTS), k["event"]).add(" in ")
            s.ent(rng.choice(_PLACES), k["place"]).add(" is scheduled for ")
            s.ent(self._date(rng), k["date"]).add(f", {self._words(rng, 5, 12)}.")
        elif shape == 4:  # an attribution clause
            s.ent("According to officials", k["source"]).add(f", the {self._words(rng, 8, 16)}")
            s.add(" in ").ent(rng.choice(_PLACES), k["place"]).add(".")
        else:  # plain filler, where most of the common words are
            words = self._words(rng, 12, 24).split(" ")
            if rng.random() < COMMON_SHARE:
                words.insert(rng.randrange(len(words)), COMMON_WORD)
            text = " ".join(words)
            s.add(text[0].upper() + text[1:] + ".")
        return s

    def _paragraph(self, rng: random.Random) -> tuple[str, list[tuple[int, int, str]]]:
        parts: list[str] = []
        spans: list[tuple[int, int, str]] = []
        offset = 0
        for _ in range(rng.randint(3, 6)):
            sentence = self._sentence(rng)
            if parts:
                parts.append(" ")
                offset += 1
            spans.extend((offset + a, offset + b, label) for a, b, label in sentence.spans)
            parts.append(sentence.text())
            offset += sentence.length
        return "".join(parts), spans

    def _title(self, rng: random.Random) -> str:
        return rng.choice(
            (
                f"{rng.choice(_ORGS)} {rng.choice(('warns', 'confirms', 'denies'))} "
                f"{rng.choice(_WORDS)} {rng.choice(_WORDS)} in {rng.choice(_PLACES)}",
                f"{rng.choice(_EVENTS).capitalize()} in {rng.choice(_PLACES)}: "
                f"{rng.choice(_WORDS)} {rng.choice(_WORDS)}",
                f"{self._person(rng)} on {rng.choice(_WORDS)} and {rng.choice(_WORDS)}",
            )
        )

    # ----------------------------------------------------------------- articles

    def records(
        self, n: int, annotated: bool = True, spans_per_article: int = 10
    ) -> Iterator[dict[str, Any]]:
        """`n` records in the native JSONL shape; the same seed always gives the same records."""
        rng = random.Random(self.seed)
        pick = _picker(rng)
        paragraphs, titles, dates = self._paragraphs, self._titles, self._dates
        for i in range(n):
            source = pick(_SOURCES)
            published = pick(dates)
            place = pick(_PLACES)
            # The lead sentence is fresh per article, drawn from the long-tail lexicon.
            tail = rng.choices(self._lexicon, cum_weights=self._lexicon_cum, k=8 + pick(_SEVEN))
            if i % RARE_EVERY == 0:
                tail[len(tail) // 2] = RARE_WORD
            lead = f"{place.upper()}, {published} ({source}) — {' '.join(tail).capitalize()}."
            chosen = rng.choices(paragraphs, k=4 + pick(_THREE))
            text = "\n\n".join([lead, *(paragraph for paragraph, _ in chosen)])
            uid = f"{i:07d}_{rng.getrandbits(64):016x}"
            record: dict[str, Any] = {
                "uid": uid,
                "title": f"{pick(titles)} ({i})",
                "source": source,
                "url": f"https://news.example/{published[:4]}/{published[5:7]}/{uid}",
                "published": published,
                "text": text,
                "section": pick(_SECTIONS),
                "author": f"{pick(_FIRST)} {pick(_LAST)}",
            }
            if annotated:
                spans = self._pick_spans(rng, len(lead), chosen, spans_per_article)
                record.update(self._annotations(rng, pick, text, spans))
            yield record

    def _pick_spans(
        self,
        rng: random.Random,
        lead: int,
        chosen: list[tuple[str, list[tuple[int, int, str]]]],
        k: int,
    ) -> list[tuple[int, int, str]]:
        """`k` of the chosen paragraphs' entity spans, as offsets into the article text."""
        offsets, ends = [], []  # each paragraph's start in the text, and its running span count
        offset, total = lead, 0
        for paragraph, spans in chosen:
            offset += 2  # the blank line between paragraphs
            offsets.append(offset)
            total += len(spans)
            ends.append(total)
            offset += len(paragraph)
        if total == 0:
            return []
        # More spans than entities: colleagues mark the same stretch again.
        picked = rng.sample(range(total), k) if k <= total else rng.choices(range(total), k=k)
        out = []
        for index in picked:
            p = bisect.bisect_right(ends, index)
            start, end, label = chosen[p][1][index - (ends[p - 1] if p else 0)]
            out.append((offsets[p] + start, offsets[p] + end, label))
        return out

    def _annotations(
        self,
        rng: random.Random,
        pick: Callable[[Sequence[Any]], Any],
        text: str,
        picked: list[tuple[int, int, str]],
    ) -> dict[str, Any]:
        who = ANNOTATORS[: 2 + pick(_TWO)]
        stamps = self._stamps
        spans = [
            {
                "uuid": _uuid(rng),
                "start": start,
                "end": end,
                "label": label,
                "quote": text[start:end],
                "annotator": pick(who),
                "created_at": pick(stamps),
            }
            for start, end, label in picked
        ]
        tags = [
            {"uuid": _uuid(rng), "label": label, "annotator": annotator, "created_at": pick(stamps)}
            for annotator in who
            for label in (pick(self.topic_tags), pick(self.relevance_tags))
        ]
        status = {annotator: pick(STATUSES) for annotator in who}
        return {"spans": spans, "tags": tags, "status": status}


_TWO, _THREE, _SEVEN = range(2), range(3), range(7)


def _picker(rng: random.Random) -> Callable[[Sequence[Any]], Any]:
    """A faster rng.choice (it dominated the generation profile), still seeded by `rng`."""
    draw = rng.random

    def pick(seq: Sequence[Any]) -> Any:
        return seq[int(draw() * len(seq))]

    return pick


def _uuid(rng: random.Random) -> str:
    """A random-looking (seeded) version-4 uuid: real uuids land all over the primary key index."""
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def _lexicon(rng: random.Random) -> tuple[list[str], list[float]]:
    """Made-up words with Zipf weights (as cumulative weights for random.choices)."""
    syllables = _names("ka lo mi ne ra su te vo ba di gu ze pa ri ko sa fe lu mo ta ni ve ro")
    words = {"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(_LEXICON_SIZE * 2)}
    lexicon = sorted(words)[:_LEXICON_SIZE]
    rng.shuffle(lexicon)
    weights = [1.0 / rank for rank in range(1, len(lexicon) + 1)]
    return lexicon, list(itertools.accumulate(weights))


def write_jsonl(
    path: Path, n: int, seed: int = 1, annotated: bool = False, spans_per_article: int = 10
) -> int:
    """Write `n` records to `path` as native JSONL (streamed: memory stays flat); return bytes."""
    synth = Synth(seed)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        for record in synth.records(n, annotated, spans_per_article):
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        return handle.tell()


_BUILD_BATCH = 5000
_BUILD_COMMIT = 50_000  # articles per transaction
_ARTICLE_FIELDS = ("uid", "title", "source", "url", "published", "text")
# The tables the builder fills; their secondary indexes and triggers wait until the end.
_FILLED = ("articles", "spans", "document_tags", "article_status")
# The one trigger kept while loading: it checks every span's quote against the text.
_KEPT = ("spans_quote_matches",)


def build_project(
    path: Path,
    n: int,
    spans_per_article: int = 10,
    seed: int = 1,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Create a project of `n` annotated articles at `path`; return its counts.

    The rows are the ones `write_jsonl(annotated=True)` would import, bulk-loaded for speed:
    Store.add_articles (one savepoint and label/annotator checks per article) would take
    about as long as the import figure itself, per size, and the count triggers alone (eight
    per span) make ten million spans take hours. The store first creates and migrates the
    file, so the schema is the real one. The loader then sets the filled tables' secondary
    indexes and triggers aside (keeping the quote check and the foreign keys), inserts in
    large transactions, builds the indexes once, fills every count table and the search
    index in one statement each (the recounts `marginalia check` compares them with), and
    puts the triggers back exactly as they were: the project is the one an import makes,
    and `marginalia check --full` passes on it (tests/test_bench.py).
    """
    store = Store.open(path)
    try:
        store.apply_schema(load_schema(LABELS_YAML))
        for name in ANNOTATORS:
            store.ensure_annotator(name)
    finally:
        store.close()
    conn = sqlite3.connect(str(path), isolation_level=None)
    # The build is not measured and a failed build is thrown away: no journal, no syncs, a
    # large cache (the span uuids land all over their primary key index).
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -1048576")
    conn.execute("PRAGMA foreign_keys = ON")
    counts = {"articles": 0, "spans": 0, "tags": 0, "statuses": 0}
    records = Synth(seed).records(n, True, spans_per_article)
    imported_at = datetime.now(UTC).isoformat(timespec="milliseconds")
    try:
        deferred = _set_aside(conn)
        conn.execute("BEGIN")
        while batch := list(itertools.islice(records, _BUILD_BATCH)):
            _load_batch(conn, batch, counts, imported_at)
            if counts["articles"] % _BUILD_COMMIT == 0:
                conn.execute("COMMIT")
                conn.execute("BEGIN")
            if progress:
                progress(counts["articles"])
        conn.execute("COMMIT")
        _put_back(conn, deferred)
        conn.execute("PRAGMA journal_mode = WAL")  # as the app keeps every project
    finally:
        conn.close()
    return counts


def _set_aside(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """Drop the filled tables' secondary indexes and triggers (but the quote check);
    return (type, name, sql) of each, in the order they were made."""
    marks = ",".join("?" * len(_FILLED))
    deferred = [
        (kind, name, sql)
        for kind, name, sql in conn.execute(
            f"SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
            f"AND sql IS NOT NULL AND tbl_name IN ({marks}) ORDER BY rowid",
            _FILLED,
        )
        if name not in _KEPT
    ]
    conn.execute("BEGIN")
    for kind, name, _ in deferred:
        conn.execute(f'DROP {kind.upper()} "{name}"')
    conn.execute("COMMIT")
    return deferred


def _put_back(conn: sqlite3.Connection, deferred: list[tuple[str, str, str]]) -> None:
    """Build the indexes, fill the count tables and the search index from the rows, then
    make the triggers again: all in one transaction."""
    conn.execute("BEGIN")
    for kind, _, sql in deferred:
        if kind == "index":
            conn.execute(sql)
    for table, (_, recount, columns, _) in DERIVED_COUNTS.items():
        conn.execute(f"DELETE FROM {table}")
        conn.execute(f"INSERT INTO {table} ({columns}) {recount}")
    conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")
    for kind, _, sql in deferred:
        if kind == "trigger":
            conn.execute(sql)
    conn.execute("COMMIT")


def _load_batch(
    conn: sqlite3.Connection, batch: list[dict[str, Any]], counts: dict[str, int], imported_at: str
) -> None:
    """Insert one batch of records with their spans, tags and statuses (in the caller's
    transaction)."""
    first_id = counts["articles"] + 1
    articles, spans, tags, statuses = [], [], [], []
    for article_id, record in enumerate(batch, start=first_id):
        meta = {"section": record["section"], "author": record["author"]}
        articles.append(
            (
                article_id,
                *(record[f] for f in _ARTICLE_FIELDS),
                hashlib.sha256(record["text"].encode("utf-8")).hexdigest(),
                json.dumps(meta, ensure_ascii=False),
                imported_at,
            )
        )
        for s in record["spans"]:
            stamp = s["created_at"]
            spans.append(
                (
                    s["uuid"],
                    article_id,
                    s["annotator"],
                    s["label"],
                    s["start"],
                    s["end"],
                    s["quote"],
                    stamp,
                    stamp,
                )
            )
        for t in record["tags"]:
            stamp = t["created_at"]
            tags.append((t["uuid"], article_id, t["annotator"], t["label"], stamp, stamp))
        for annotator, status in record["status"].items():
            statuses.append((article_id, annotator, status, imported_at))
    # Plain executemany: sqlite-utils' insert_all's dict handling would cost more than
    # SQLite itself at ten million spans.
    conn.executemany(
        "INSERT INTO articles (id, uid, title, source, url, published, text, text_sha256, "
        "meta, imported_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
        articles,
    )
    conn.executemany(
        'INSERT INTO spans (uuid, article, annotator, label, start, "end", quote, note, '
        "created_at, updated_at, deleted) VALUES (?,?,?,?,?,?,?,'',?,?,0)",
        spans,
    )
    conn.executemany(
        "INSERT INTO document_tags (uuid, article, annotator, label, note, created_at, "
        "updated_at, deleted) VALUES (?,?,?,?,'',?,?,0)",
        tags,
    )
    conn.executemany(
        "INSERT INTO article_status (article, annotator, status, updated_at) VALUES (?,?,?,?)",
        statuses,
    )
    counts["articles"] += len(articles)
    counts["spans"] += len(spans)
    counts["tags"] += len(tags)
    counts["statuses"] += len(statuses)
