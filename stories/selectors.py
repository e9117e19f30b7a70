"""Reads of public story data: what a visitor may see, in a fixed, small number of queries.

Every public listing of stories (index, map, home page, search, sitemap) starts from
``stories_public()``: live, public (no view restriction) and — in SQL, so that it can be
counted, paginated and joined — a **current consent** for the storyteller's latest consent
version: not withdrawn, granted on or before today and not expired, covering the story text,
this website and the page's language, a guardian's consent and the child's assent for a
child, and a place no more precise than the consent allows. It mirrors the consent parts of
``stories/consent.py::publication_blockers`` (the one policy); the anonymisation findings
cannot be expressed in SQL and are checked when a page goes live and when it is served.

Funding figures come from the ledger through ``needs_with_funding()``,
``story_progress_expression()`` and ``funding_totals()`` below: each reads it through
``cms.donations.selectors``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import connection
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Least, Length, Substr
from django.db.models.lookups import GreaterThan
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import Locale, PageViewRestriction, Site

from cms.core.sql import compiled_once
from stories.models import ConsentRecord, StoryIndexPage, StoryNeed, StoryPage
from stories.regions import REGIONS, Precision, Region, region_get

COUNTRY_CODES = [code for code, region in REGIONS.items() if region.precision == "country"]
SUBDIVISION_CODES = [code for code, region in REGIONS.items() if region.precision == "region"]


# --------------------------------------------------------------------------------------
# Public, in SQL
# --------------------------------------------------------------------------------------


def not_restricted() -> Exists:
    """What ``PageQuerySet.public()`` means — no view restriction on the page or any of its
    ancestors — as one SQL condition. (``public()`` first lists every restriction in a query
    of its own, each time it is called.)"""
    return ~Exists(
        PageViewRestriction.objects.filter(
            page__path=Substr(OuterRef("path"), 1, Length("page__path"))
        )
    )


# --------------------------------------------------------------------------------------
# Consent, in SQL
# --------------------------------------------------------------------------------------


def _json_list_has(field_name: str, value: str) -> Q:
    """``value`` is an element of the JSON list in ``field_name``.

    PostgreSQL (production and tests) uses jsonb containment. SQLite, used only by
    ``make run`` when no DATABASE_URL is set, has no containment lookup; there the JSON text
    is searched for the quoted value (values here are plain codes such as "en", "website").
    """
    if connection.vendor == "postgresql":
        return Q(**{f"{field_name}__contains": [value]})
    return Q(**{f"{field_name}__icontains": json.dumps(value)})


def consents_current(*, today: date | None = None) -> QuerySet[ConsentRecord]:
    """Consent records that are their storyteller's latest version and allow the story to be
    told on this website today (in some language: see ``stories_public`` for the language)."""
    today = today or timezone.localdate()
    later_version = ConsentRecord.objects.filter(
        storyteller=OuterRef("storyteller"), version__gt=OuterRef("version")
    )
    return (
        ConsentRecord.objects.filter(
            ~Exists(later_version),
            withdrawn_at__isnull=True,
            granted_on__lte=today,
            expires_on__gte=today,
            story_text=True,
        )
        .filter(_json_list_has("channels", ConsentRecord.Channel.WEBSITE))
        .filter(Q(storyteller__is_child=False) | Q(guardian_consent=True, child_assent=True))
    )


LocaleOrLanguage = Locale | str | None


def _language(locale: LocaleOrLanguage) -> str | None:
    return locale.language_code if isinstance(locale, Locale) else locale


def stories_public(
    *, locale: LocaleOrLanguage = None, today: date | None = None
) -> QuerySet[StoryPage]:
    """Story pages a visitor may see today, in ``locale`` (a ``Locale`` or a language code;
    every language when ``None``).

    Annotated with what the current consent allows, for the templates and the map:
    ``consent_pseudonym`` (the byline may name the pseudonym), ``consent_precision``
    (``none``, ``country`` or ``region``) and ``consent_search_engines``.
    """
    today = today or timezone.localdate()
    language = _language(locale)
    # Joined to the storyteller's current consent: the consent ids are one uncorrelated
    # subquery (a hash join), not subqueries per story, and the annotations below read the
    # same joined row (Django reuses the join of the filter), one row per story.
    consent = "storyteller__consent_records"
    languages = Q()
    for code in [language] if language else [code for code, _name in settings.LANGUAGES]:
        languages |= Q(locale__language_code=code) & _json_list_has(f"{consent}__languages", code)
    # The place named on the page must be within what the consent allows (mirrors
    # stories/consent.py::region_blockers): any allowed place needs country or region
    # precision; a subdivision needs region precision and an adult storyteller.
    place = (
        Q(region="")
        | Q(region__in=COUNTRY_CODES, consent_precision__in=[Precision.COUNTRY, Precision.REGION])
        | Q(
            region__in=SUBDIVISION_CODES,
            consent_precision=Precision.REGION,
            storyteller__is_child=False,
        )
    )
    stories = (
        StoryPage.objects.live()
        .filter(not_restricted())
        .filter(Q(**{f"{consent}__in": consents_current(today=today).values("pk")}) & languages)
        .annotate(
            consent_pseudonym=F(f"{consent}__pseudonym"),
            consent_precision=F(f"{consent}__map_precision"),
            consent_search_engines=F(f"{consent}__search_engines"),
        )
        .filter(place)
    )
    if language:
        stories = stories.filter(locale__language_code=language)
    return stories


def stories_searchable(*, locale: LocaleOrLanguage = None) -> QuerySet[StoryPage]:
    """Public stories whose consent also allows search engines (sitemap, robots meta)."""
    return stories_public(locale=locale).filter(consent_search_engines=True)


# --------------------------------------------------------------------------------------
# Filters shared by the story index and the map, so that the two always agree
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoryFilters:
    country: str = ""
    region: str = ""
    category: str = ""
    funding: str = ""  # "" (any), "open" (still needs gifts) or "funded" (nothing left open)

    OPEN = "open"
    FUNDED = "funded"

    def as_query(self) -> dict[str, str]:
        return {name: value for name, value in self.__dict__.items() if value}

    @property
    def cache_key(self) -> str:
        return ",".join(f"{name}={value}" for name, value in sorted(self.as_query().items()))


def stories_filtered(
    *, locale: LocaleOrLanguage, filters: StoryFilters, today: date | None = None
) -> QuerySet[StoryPage]:
    """``stories_public`` narrowed by the visitor's filters (values already validated).

    "Funded" follows the needs' status, which finance sets from the ledger when a need is
    met: a story is funded when none of its needs is still open for gifts.
    """
    stories = stories_public(locale=locale, today=today)
    if filters.country:
        stories = stories.filter(
            Q(region=filters.country) | Q(region__startswith=f"{filters.country}-")
        )
    if filters.region:
        stories = stories.filter(region=filters.region)
    if filters.category:
        stories = stories.filter(
            Exists(StoryNeed.objects.filter(page=OuterRef("pk"), category=filters.category))
        )
    open_needs = StoryNeed.objects.filter(page=OuterRef("pk"), status=StoryNeed.Status.OPEN)
    if filters.funding == StoryFilters.OPEN:
        stories = stories.filter(Exists(open_needs))
    elif filters.funding == StoryFilters.FUNDED:
        stories = stories.filter(~Exists(open_needs))
    return stories


# --------------------------------------------------------------------------------------
# Page URLs without one query per page
# --------------------------------------------------------------------------------------


class PagePaths:
    """Turns ``url_path`` + language into the path a visitor uses, like ``Page.url``, but
    from Wagtail's cached site root paths instead of one lookup per page."""

    def __init__(self, roots: Iterable | None = None):
        # Cached by Wagtail; cleared on Site save.
        self._roots = Site.get_site_root_paths() if roots is None else roots
        self._prefixes: dict[str, str] = {}

    def _prefix(self, language: str) -> str:
        if language not in self._prefixes:
            with translation.override(language):
                self._prefixes[language] = reverse("wagtail_serve", args=("",))
        return self._prefixes[language]

    def path(self, url_path: str, language: str) -> str | None:
        for root in self._roots:
            if root.language_code == language and url_path.startswith(root.root_path):
                return self._prefix(language) + url_path[len(root.root_path) :]
        return None

    def path_expression(self, language: str) -> Case:
        """``path()`` in SQL, over a page query's ``url_path`` (``NULL`` where ``path()``
        gives ``None``), for listings built in the database."""
        return Case(
            *(
                When(
                    url_path__startswith=root.root_path,
                    then=Concat(
                        Value(self._prefix(language)),
                        Substr("url_path", len(root.root_path) + 1),
                    ),
                )
                for root in self._roots
                if root.language_code == language
            ),
            # Typed: with no site root in the language there is no WHEN at all, and a bare
            # NULL inside PostgreSQL's JSON functions has no type.
            default=Cast(Value(None), output_field=CharField()),
            output_field=CharField(),
        )


# --------------------------------------------------------------------------------------
# Funding figures, from the ledger (cms/donations)
# --------------------------------------------------------------------------------------
#
# One query for many needs, so pages keep a fixed query count whatever the number of
# stories.


def needs_with_funding(*, page_ids: Iterable[int]) -> QuerySet[StoryNeed]:
    """The pages' needs, cancelled ones left out, in order, each with what it holds in the
    ledger (``funded_minor``, in the need's currency): one query."""
    return _needs_funded(StoryNeed.objects.filter(page_id__in=list(page_ids)))


@compiled_once(page_id=BigIntegerField())
def page_needs_with_funding(*, page_id) -> QuerySet[StoryNeed]:
    """One story's needs with their funding, as ``needs_with_funding``: read on every view
    of a story, so its SQL is compiled once (``cms/core/sql.py``)."""
    return _needs_funded(StoryNeed.objects.filter(page_id=page_id))


def _needs_funded(needs: QuerySet[StoryNeed]) -> QuerySet[StoryNeed]:
    from cms.donations.selectors import need_funded_expression

    return (
        needs.exclude(status=StoryNeed.Status.CANCELLED)
        .annotate(funded_minor=need_funded_expression())
        .order_by("page_id", "sort_order")
    )


def funding_totals():
    """What the site has raised, how many needs were met and how many people were helped."""
    from cms.donations.selectors import totals

    return totals()


@dataclass
class NeedProgress:
    need: StoryNeed
    funded_minor: int

    @property
    def counted_minor(self) -> int:
        return min(self.funded_minor, self.need.goal_minor)

    @property
    def percent(self) -> int:
        return progress_percent(self.counted_minor, self.need.goal_minor)

    @property
    def is_open(self) -> bool:
        return self.need.status == StoryNeed.Status.OPEN


def progress_percent(funded: int, goal: int) -> int:
    """Whole percent, rounded down: 99.6 % is not "100 % funded"."""
    if goal <= 0:
        return 0
    return min(100, funded * 100 // goal)


def story_progress_percent(needs: Iterable[tuple[int, str, int]]) -> int:
    """A story's progress over its needs, given ``(goal, currency, funded)`` per need.

    Amounts in one currency are added up; mixed currencies are not added together (that
    would need exchange rates), so each need then counts equally.
    """
    needs = list(needs)
    if not needs:
        return 0
    if len({currency for _goal, currency, _funded in needs}) == 1:
        goal = sum(goal for goal, _currency, _funded in needs)
        funded = sum(min(funded, goal_) for goal_, _currency, funded in needs)
        return progress_percent(funded, goal)
    return sum(progress_percent(min(f, g), g) for g, _c, f in needs) // len(needs)


# --------------------------------------------------------------------------------------
# One story page
# --------------------------------------------------------------------------------------


def story_page_context(*, page: StoryPage) -> dict:
    """What the story template shows beyond the page's own fields."""
    from stories.public_cache import public_version

    # StoryPage.serve has just read the current consent to decide whether to serve at all;
    # a preview has not.
    consent = getattr(page, "served_consent", None) or page.storyteller.current_consent
    needs = list(page_needs_with_funding(page_id=page.pk))
    return {
        "show_pseudonym": bool(consent and consent.pseudonym),
        "search_engines_allowed": bool(consent and consent.search_engines),
        "region": region_get(page.region) if page.region else None,
        "needs_progress": [NeedProgress(need, need.funded_minor) for need in needs],
        "story": StoryContent(page),
        # The template caches the story's text by this (and the page's revision): anything
        # published, unpublished or withdrawn anywhere retires every cached fragment.
        "public_version": public_version(),
    }


class StoryContent:
    """The story's body, journey and updates, read only when the template renders them: a
    cached fragment (``{% wagtailpagecache %}`` in pages/story_page.html) skips the work."""

    def __init__(self, page: StoryPage):
        self.page = page

    @functools.cached_property
    def _body(self) -> list:
        return list(self.page.body)

    @functools.cached_property
    def blocks(self) -> list:
        return [block for block in self._body if block.block_type != "milestone"]

    @functools.cached_property
    def milestones(self) -> list:
        return [block for block in self._body if block.block_type == "milestone"]

    @functools.cached_property
    def updates(self) -> list:
        return list(self.page.updates.all())


THUMBNAIL_SPEC = "fill-320x320"  # shown at 160 px or less: sharp on high-density screens
# Widths of story images (components/blocks/image_block.html); prepared on publish.
STORY_IMAGE_WIDTHS = (480, 800, 1200)


def story_image_usable(image, *, consent: ConsentRecord, is_child: bool) -> bool:
    """May this image of the story be shown in a listing? (Mirrors image_blockers.)"""
    if image is None or not image.is_attested:
        return False
    if image.has_faces:
        return consent.photos_with_faces and not is_child
    return consent.photos_without_faces or consent.photos_with_faces


def story_thumbnail_url(*, page_id: int) -> str | None:
    """``None`` if the story is not public; ``""`` if it has no image a listing may show;
    otherwise the URL of a small square rendition of its first usable image."""
    story = stories_public().filter(pk=page_id).select_related("storyteller").first()
    if story is None:
        return None
    consent = story.storyteller.current_consent
    for block in story.body:
        if block.block_type != "image":
            continue
        image = block.value.get("image")
        if story_image_usable(image, consent=consent, is_child=story.storyteller.is_child):
            return image.get_rendition(THUMBNAIL_SPEC).url
    return ""


# --------------------------------------------------------------------------------------
# The map
# --------------------------------------------------------------------------------------


def map_point(region_code: str, *, precision: str, is_child: bool) -> Region | None:
    """Where the map may put a story: the region's centroid, or its country's when the
    consent allows the country only (always for a child), or nowhere."""
    region = region_get(region_code) if region_code else None
    if region is None or precision == Precision.NONE:
        return None
    if region.precision == Precision.REGION and (precision != Precision.REGION or is_child):
        return region_get(region.country_code)
    return region


class _Lookup(Func):
    """``CASE key WHEN 'a' THEN 'x' … END``: a lookup table in SQL that names its key once.

    (A ``Case`` of one ``When`` per entry repeats the key's SQL in each: for a hundred-odd
    entries, milliseconds of Python to compile and a longer query to run.)"""

    output_field = CharField()

    def __init__(self, key, table: dict[str, str]):
        super().__init__(key)
        self.table = table

    def as_sql(self, compiler, connection, **extra_context):
        key_sql, key_params = compiler.compile(self.get_source_expressions()[0])
        whens = " ".join(["WHEN %s THEN %s"] * len(self.table))
        table_params = [value for pair in self.table.items() for value in pair]
        return f"CASE {key_sql} {whens} END", (*key_params, *table_params)


def _map_place_key(region, precision: str, is_child: bool) -> str:
    return f"{region}|{precision}|{'child' if is_child else 'adult'}"


@functools.cache
def _map_places() -> dict[str, str]:
    """``map_point(region, …).code`` for every region, precision and age, by key."""
    return {
        _map_place_key(code, precision.value, is_child): point.code
        for code in REGIONS
        for precision in Precision
        for is_child in (False, True)
        if (point := map_point(code, precision=precision, is_child=is_child)) is not None
    }


def map_place_code() -> _Lookup:
    """``map_point(...).code`` of each row of ``stories_public`` in SQL (``NULL``: not on
    the map), looked up in a table made by ``map_point`` itself, so the two always agree."""
    key = Concat(  # _map_place_key, in SQL
        "region",
        Value("|"),
        "consent_precision",
        Value("|"),
        Case(When(storyteller__is_child=True, then=Value("child")), default=Value("adult")),
        output_field=CharField(),
    )
    return _Lookup(key, _map_places())


def _percent_sql(funded, goal) -> Case:
    """``progress_percent`` in SQL: whole percent, rounded down, at most 100."""
    return Case(
        When(GreaterThan(goal, 0), then=Least(Value(100), funded * 100 / goal)),
        default=Value(0),
        output_field=BigIntegerField(),
    )


@functools.cache  # built once: a query that uses an expression resolves a copy of it
def story_progress_expression() -> Coalesce:
    """``story_progress_percent`` of each story in SQL, from its needs (cancelled ones left
    out) and what each holds in the ledger (``need_funded_expression``): in one currency,
    amounts added up; in mixed currencies, the mean of each need's percent."""
    from cms.donations.selectors import need_funded_expression

    big = BigIntegerField()
    goal = F("goal_minor")
    counted = Least(need_funded_expression(), goal, output_field=big)  # min(funded, goal)
    progress = (
        StoryNeed.objects.filter(Q(page=OuterRef("pk")) & ~Q(status=StoryNeed.Status.CANCELLED))
        .values("page")
        .annotate(
            progress=Case(
                When(
                    GreaterThan(Count("currency", distinct=True), 1),
                    then=Cast(Sum(_percent_sql(counted, goal)), big) / Count("pk"),
                ),
                default=_percent_sql(Cast(Sum(counted), big), Cast(Sum(goal), big)),
                output_field=big,
            )
        )
        .values("progress")
    )
    return Coalesce(Subquery(progress), Value(0), output_field=big)


class _JSONObjectText(Func):
    """A JSON object as compact text, its keys in the order given, as ``json.dumps(…,
    separators=(",", ":"))`` writes it. (``JSONObject`` is jsonb on PostgreSQL, whose text
    reorders the keys and puts a space after every colon and comma: a tenth more to gzip
    and to send.)"""

    output_field = TextField()

    def __init__(self, **fields):
        super().__init__(*fields.values())
        self.keys = list(fields)

    def as_sql(self, compiler, connection, **extra_context):
        parts, params = [], []
        for n, (key, expression) in enumerate(
            zip(self.keys, self.get_source_expressions(), strict=True)
        ):
            sql, value_params = compiler.compile(expression)
            value = (
                f"COALESCE(to_json({sql})::text, 'null')"
                if connection.vendor == "postgresql"
                else f"json_quote({sql})"  # SQLite: null for NULL
            )
            parts += ["%s", value]
            params += [("{" if n == 0 else ",") + json.dumps(key) + ":", *value_params]
        return f"({' || '.join(parts)} || '}}')", params


def _json_lists_in_database() -> bool:
    """PostgreSQL joins each place's stories into one JSON list itself; elsewhere (SQLite,
    for ``make run`` without a DATABASE_URL) the same query returns one story a row."""
    return connection.vendor == "postgresql"


MAP_STORY_ORDER = ("region", "-first_published_at", "pk")


@functools.lru_cache(maxsize=128)
def _map_query(
    language: str, filters: StoryFilters, today: date, roots: tuple, in_database: bool
) -> tuple[str, tuple]:
    """The map's SQL and its parameters: each place's stories as a JSON list (text), in map
    order (one row a place; where the database cannot join the lists, one row a story).

    Compiling this query costs Django more Python than PostgreSQL spends running it, so
    each process compiles it once for everything the SQL depends on: the language, the
    filters, the day (today's consents) and the sites' root paths.
    """
    stories = (
        stories_filtered(locale=language, filters=filters, today=today)
        .annotate(place=map_place_code(), url=PagePaths(roots).path_expression(language))
        .filter(url__isnull=False)
        .annotate(
            story=_JSONObjectText(
                id="pk",
                name=Case(When(consent_pseudonym=True, then="storyteller__pseudonym")),
                title="title",
                url="url",
                progress=story_progress_expression(),
            )
        )
    )
    if in_database:
        from django.contrib.postgres.aggregates import StringAgg

        stories = (
            stories.order_by()
            .values_list("place")
            .annotate(stories=StringAgg("story", delimiter=",", order_by=MAP_STORY_ORDER))
        )
    else:
        stories = stories.order_by(*MAP_STORY_ORDER).values_list("place", "story")
    return stories.query.sql_with_params()


def _map_stories_by_place(*, language: str, filters: StoryFilters) -> dict[str | None, str]:
    """Each place's stories as a JSON list (text), in map order."""
    in_database = _json_lists_in_database()
    sql, params = _map_query(
        language, filters, timezone.localdate(), tuple(Site.get_site_root_paths()), in_database
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if in_database:
        return {place: f"[{stories}]" for place, stories in rows}
    lists: dict[str | None, list[str]] = {}
    for place, story in rows:
        lists.setdefault(place, []).append(story)
    return {place: f"[{','.join(items)}]" for place, items in lists.items()}


def map_json(*, language: str, filters: StoryFilters, thumbnail_url_template: str) -> str:
    """The map's data, as JSON text, in one query::

        {"thumbnail": "/map/thumbnails/{id}/",
         "places": [{"code", "name", "lat", "lng",
                     "stories": [{"id", "name", "title", "url", "progress"}, …]}, …]}

    Places by code; their stories by region, then newest first. Only public facts: the
    pseudonym (when the consent allows a byline, else null), the title, the page's path and
    funding progress; the place is a centroid from the allow-list, never finer than the
    consent. The database writes the stories' JSON (``_map_query``); Python adds each
    place's name in the active language and its centroid, and never parses it.
    """
    stories_by_place = _map_stories_by_place(language=language, filters=filters)
    places = []
    for code in sorted(code for code in stories_by_place if code is not None):
        region = REGIONS[code]
        place = json.dumps(
            {
                "code": code,
                "name": str(region.name),  # in the active language
                "lat": region.latitude,
                "lng": region.longitude,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
        # The stories go in as the database wrote them, before the place's closing brace.
        places.append(f'{place[:-1]},"stories":{stories_by_place[code]}}}')
    thumbnail = json.dumps(thumbnail_url_template, ensure_ascii=False)
    return f'{{"thumbnail":{thumbnail},"places":[{",".join(places)}]}}'


def places_with_counts(
    *, locale: LocaleOrLanguage, filters: StoryFilters
) -> list[tuple[Region, int]]:
    """The map's places and how many stories each has: the list beside the map (one query,
    then cached until the public set changes or the day ends, like the menus: counting every
    public story is the dearest part of the home page and the story index, and publishing
    counts again ahead of the first visitor, home/tasks.py::page_prepare).

    Counts per place as the map groups them, so the list and the markers agree.
    """
    from stories.public_cache import public_cache_get, public_cache_set

    language = _language(locale) or "*"
    key = f"stories:places:{timezone.localdate().isoformat()}:{language}:{filters.cache_key}"
    version, counts = public_cache_get(key)
    if counts is None:
        counts = {}
        grouped = (
            stories_filtered(locale=locale, filters=filters)
            .order_by()
            .values("region", "consent_precision", "storyteller__is_child")
            .annotate(count=Count("pk"))
        )
        for row in grouped:
            point = map_point(
                row["region"],
                precision=row["consent_precision"],
                is_child=row["storyteller__is_child"],
            )
            if point is not None:
                counts[point.code] = counts.get(point.code, 0) + row["count"]
        public_cache_set(key, counts, version=version, timeout=60 * 60)
    return sorted(
        ((REGIONS[code], count) for code, count in counts.items()), key=lambda item: item[0].name
    )


# --------------------------------------------------------------------------------------
# Story cards (home page, story index)
# --------------------------------------------------------------------------------------


@dataclass
class StoryCard:
    page: StoryPage
    name: str | None  # the pseudonym, when the consent allows a byline
    place: Region | None  # as precise as the consent allows
    progress: int  # whole percent of the open needs' goals, from the ledger
    needs: list[StoryNeed]


def story_cards(stories: Iterable[StoryPage]) -> list[StoryCard]:
    """Cards for stories from ``stories_public`` (annotated); their needs and funding in
    one query."""
    pages = list(stories)
    needs_by_page: dict[int, list[StoryNeed]] = {page.pk: [] for page in pages}
    for need in needs_with_funding(page_ids=needs_by_page):
        needs_by_page[need.page_id].append(need)
    cards = []
    for page in pages:
        needs = needs_by_page[page.pk]
        cards.append(
            StoryCard(
                page=page,
                name=page.storyteller.pseudonym if page.consent_pseudonym else None,
                place=map_point(
                    page.region,
                    precision=page.consent_precision,
                    is_child=page.storyteller.is_child,
                ),
                progress=story_progress_percent(
                    (need.goal_minor, need.currency, need.funded_minor) for need in needs
                ),
                needs=needs,
            )
        )
    return cards


# --------------------------------------------------------------------------------------
# The story index
# --------------------------------------------------------------------------------------

STORIES_PER_PAGE = 12


def story_index_context(*, page: StoryIndexPage, request) -> dict:
    """The filter form, one page of story cards and the map's data URL (same filters)."""
    from urllib.parse import urlencode

    from django.core.paginator import Paginator

    from stories.filters import StoryFilterForm

    form = StoryFilterForm(request.GET)
    filters = form.filters()
    stories = (
        stories_filtered(locale=translation.get_language(), filters=filters)
        .child_of(page)
        .select_related("storyteller")
        .order_by("-first_published_at", "-pk")
    )
    paginator = Paginator(stories, STORIES_PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    query = urlencode(filters.as_query())
    return {
        "form": form,
        "filters": filters,
        "filtered": bool(query),
        "region": region_get(filters.region) if filters.region else None,
        "paginator": paginator,
        "page_obj": page_obj,
        "cards": story_cards(page_obj.object_list),
        "query": query,
        "map_url": reverse("story_map_data") + (f"?{query}" if query else ""),
    }
