"""Django's makemessages, without fuzzy guesses.

msgmerge fills each new string with the translation of the most similar old one, marked
fuzzy ("Give to the campaign" guessed as the translation of "Join the campaign"). The
guesses are wrong more often than not, are never shown (msgfmt skips fuzzy entries), and
hide which strings still need a translator; new strings start empty instead. Django
documents overriding ``msgmerge_options`` this way:
https://docs.djangoproject.com/en/5.2/ref/django-admin/#makemessages
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
