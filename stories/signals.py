"""Signals other apps listen to, so that stories need not know about them.

``story_withdrawn`` is sent inside the withdrawal transaction, after every page of the
storyteller has been unpublished. Receivers do their database work there (it commits or rolls
back with the withdrawal) and defer external calls (Stripe refunds, emails) with
``transaction.on_commit``. Donations use it to expire open checkouts and to reallocate or
refund gifts to the storyteller's needs, as each donor chose.
"""

from django.dispatch import Signal

# Sent with: storyteller (Storyteller), by (the user who recorded it), reason ("withdrawn" or
# "expired"), need_keys (translation keys of the storyteller's needs, shared by all locales).
story_withdrawn = Signal()

# Sent inside the erasure transaction, before anything is deleted, with: storyteller,
# need_keys and story_keys (translation keys of its needs and story pages). Receivers cut
# their links (donations keep the ledger, with the story anonymised) without deleting money
# records.
storyteller_erased = Signal()
