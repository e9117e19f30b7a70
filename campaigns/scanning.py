"""What the scanner looks for in a message of hope left on a campaign wall.

Decision (issue #7): every message is compared with the identifying terms of **all**
storytellers, not only those the campaign features. A visitor may name any survivor they
heard of, and a campaign page's featured stories change over time; decrypting and compiling
every term costs a few milliseconds per hundred storytellers (``IdentifyingTerm.value`` is a
Fernet decryption), which a rate-limited form can afford. Terms are decrypted per call and
never cached.

A part of a name found alone (a given name) is **blocking** here, not a warning as on story
pages: a message of hope never needs to name anyone, and a false alarm costs one message,
while a true one could expose a survivor. Pattern checks (``scan_text``: phones, emails,
handles, web and street addresses, ID numbers, dates) apply as everywhere else.

Findings keep kinds only (``{"field", "kind", "severity"}``), never the text matched.
"""

from __future__ import annotations

from stories.anonymisation import PublicText, Severity, Term, TermMatcher, scan_text


def _all_terms() -> list[Term]:
    from stories.models import IdentifyingTerm

    return [
        Term(term.value, term.kind)
        for term in IdentifyingTerm.objects.only("pk", "kind", "value_encrypted")
        if term.value
    ]


def message_findings(*, text: str, display_name: str) -> list[dict]:
    """Findings for a wall message and the name shown with it, as stored on ``HopeMessage``."""
    items = [PublicText("message", text), PublicText("display_name", display_name)]
    items = [item for item in items if item.text]
    matcher = TermMatcher(_all_terms(), name_part_severity=Severity.BLOCKING)
    found = []
    for item in items:
        found += matcher.findings(item) + scan_text(item)
    seen, findings = set(), []
    for finding in found:
        row = {"field": finding.field, "kind": finding.kind, "severity": str(finding.severity)}
        key = tuple(row.values())
        if key not in seen:
            seen.add(key)
            findings.append(row)
    return findings


def blocking_kinds(findings: list[dict]) -> list[str]:
    """The kinds of blocking findings, sorted, for a moderator (never the text)."""
    return sorted(
        {f.get("kind", "") for f in findings if f.get("severity") == str(Severity.BLOCKING)}
    )
