import re

from django.core import mail

from cms.emails.sender import outbox_send_due


def send_outbox() -> list:
    """Deliver what is due in the outbox; return the messages anymail's test backend got."""
    before = len(mail.outbox)
    outbox_send_due()
    return mail.outbox[before:]


def link_in(message, path_part: str) -> str:
    match = re.search(r"https?://\S*" + re.escape(path_part) + r"\S*", message.body)
    assert match, message.body
    return match.group(0).replace("http://testserver", "")
