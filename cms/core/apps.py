from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cms.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        from cms.core import signals

        signals.connect()
