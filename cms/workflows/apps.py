from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    """Custom moderation tasks (consent check, safeguarding review) and the finish action."""

    name = "cms.workflows"
    label = "workflows"
    verbose_name = "Workflows"
