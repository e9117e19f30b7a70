"""Keep locales and translator groups in step with the configured languages."""

from django.db.models.signals import post_migrate, post_save
from wagtail.models import Page


def languages_sync(sender, **kwargs) -> None:
    from django.apps import apps

    from cms.workflows.translators import locales_ensure, translator_groups_sync

    # post_migrate is sent once per app with models: act once, after the last one, when
    # every permission exists.
    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if sender is not with_models[-1]:
        return
    locales_ensure()
    translator_groups_sync()


def locale_root_created(sender, instance, created, raw=False, **kwargs) -> None:
    # A language's tree starts with its home page (depth 2): its translators may edit it.
    if created and not raw and isinstance(instance, Page) and instance.depth == 2:
        from cms.workflows.translators import translator_groups_sync

        translator_groups_sync()


def connect() -> None:
    post_migrate.connect(languages_sync, dispatch_uid="igivehope-languages-sync")
    # Page subclasses send post_save with their own class as sender: listen to every sender
    # and filter on Page instances.
    post_save.connect(locale_root_created, dispatch_uid="igivehope-locale-root")
