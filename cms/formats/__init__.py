"""Date formats per language, where Django's own (``django/conf/locale/<code>/formats.py``)
are missing or not what this site wants (settings ``FORMAT_MODULE_PATH``). A setting not
given here falls back to Django's module for the language, then to the settings."""
