"""One-click share links: plain URLs of each network's own share page, built here so that
no third-party script or widget ever runs on our pages or in our emails.

Every value is percent-encoded with ``urllib.parse.quote`` (spaces as ``%20``, "#" as
``%23``): ``mailto:`` does not read "+" as a space, and an unencoded "#" would cut the URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ShareLink:
    network: str
    label: str
    url: str


def _query(params: dict[str, str]) -> str:
    return urlencode(params, quote_via=quote, safe="")


def share_links(*, text: str, hashtag: str, url: str, subject: str = "") -> list[ShareLink]:
    """Links that open each network's share screen with ``text``, ``#hashtag`` and ``url``.

    ``hashtag`` is given without its "#". X takes the hashtag as its own parameter; the
    others get it written into the text.
    """
    tag = hashtag.lstrip("#")
    tagged = f"{text} #{tag}" if tag else text
    with_url = f"{tagged} {url}"
    return [
        ShareLink(
            "x",
            "X",
            "https://twitter.com/intent/tweet?"
            + _query({"text": text, "url": url, "hashtags": tag}),
        ),
        ShareLink(
            "facebook",
            "Facebook",
            "https://www.facebook.com/sharer/sharer.php?" + _query({"u": url}),
        ),
        ShareLink("whatsapp", "WhatsApp", "https://wa.me/?" + _query({"text": with_url})),
        ShareLink(
            "line",
            "LINE",
            "https://social-plugins.line.me/lineit/share?" + _query({"url": url, "text": tagged}),
        ),
        ShareLink(
            "telegram",
            "Telegram",
            "https://t.me/share/url?" + _query({"url": url, "text": tagged}),
        ),
        ShareLink(
            "email",
            str(_("Email")),
            "mailto:?" + _query({"subject": subject or f"#{tag}", "body": with_url}),
        ),
    ]


def share_kit_links(*, page, url: str) -> list[ShareLink]:
    """The share kit the editors wrote, one link per message, for the campaign page."""
    every = {link.network: link for link in share_links(text="", hashtag="", url=url)}
    links = []
    for block in page.share_kit:
        network, text = block.value["network"], block.value["text"]
        made = share_links(text=text, hashtag=page.hashtag_text, url=url, subject=page.title)
        link = next((item for item in made if item.network == network), every.get(network))
        if link is not None:
            links.append(ShareLink(network, link.label, link.url))
    return links
