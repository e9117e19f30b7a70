"""Feed a story page's public text to the anonymisation scanner.

``stories/anonymisation.py`` holds the pure matching functions; this module knows where a
page keeps public text (its fields, every StreamField block, image titles, alt texts and
captions, needs and updates) and where the storyteller's identifying terms are.
"""

from collections.abc import Iterator
from html import unescape

from django.utils.html import strip_tags

from stories.anonymisation import Finding, PublicText, Term, scan


def _plain(html: str) -> str:
    # Keep block boundaries as spaces so words from two paragraphs never run together.
    return unescape(strip_tags(html.replace("</", " </").replace("<br", " <br")))


def story_images(page) -> Iterator[tuple[str, object]]:
    """Each image the story body shows, with a human label of where it is."""
    for position, block in enumerate(page.body or [], start=1):
        if block.block_type == "image" and block.value.get("image") is not None:
            yield f"Image block {position}", block.value["image"]


def page_public_texts(page) -> list[PublicText]:
    texts = [
        PublicText("Title", page.title or ""),
        PublicText("Slug", (page.slug or "").replace("-", " ")),
        PublicText("SEO title", page.seo_title or ""),
        PublicText("Search description", page.search_description or ""),
        PublicText("Summary", getattr(page, "summary", "") or ""),
    ]
    for position, block in enumerate(page.body or [], start=1):
        where = f"Story block {position}"
        value = block.value
        if block.block_type == "paragraph":
            texts.append(PublicText(where, _plain(value.source)))
        elif block.block_type == "quote":
            texts.append(PublicText(where, value["text"]))
            texts.append(PublicText(f"{where} attribution", value.get("attribution") or ""))
        elif block.block_type == "milestone":
            texts.append(PublicText(where, value["text"]))
        elif block.block_type == "image":
            texts.append(PublicText(f"{where} alt text", value.get("alt_text") or ""))
            texts.append(PublicText(f"{where} caption", value.get("caption") or ""))
            image = value.get("image")
            if image is not None:
                texts.append(PublicText(f"{where} image title", image.title or ""))
                texts.append(PublicText(f"{where} image description", image.description or ""))
    for position, need in enumerate(page.needs.all(), start=1):
        texts.append(PublicText(f"Need {position}", need.title))
    for position, update in enumerate(page.updates.all(), start=1):
        texts.append(PublicText(f"Update {position} title", update.title))
        texts.append(PublicText(f"Update {position}", update.text))
    return [text for text in texts if text.text.strip()]


def storyteller_terms(storyteller) -> list[Term]:
    return [Term(term.value, term.kind) for term in storyteller.identifying_terms.all()]


def page_findings(page) -> list[Finding]:
    """Every finding of the scanner on this page, blocking or warning."""
    terms = storyteller_terms(page.storyteller) if page.storyteller_id else []
    return scan(page_public_texts(page), terms)
