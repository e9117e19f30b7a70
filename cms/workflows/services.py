"""Moving a page through its workflow from code (demo data, the translator's submit view).

The admin does the same through Wagtail's views; these call the same task methods, so the
same checks apply.
"""

from django.core.exceptions import PermissionDenied
from wagtail.models import WorkflowState


def page_submit_for_moderation(*, page, by) -> WorkflowState:
    """Save the page's current content as a revision by ``by`` and start its workflow."""
    workflow = page.get_workflow()
    if workflow is None:
        raise PermissionDenied("This page has no workflow.")
    page.save_revision(user=by)
    return workflow.start(page, by)


def page_task_act(*, page, by, action: str = "approve", **data) -> None:
    """Take ``action`` on the page's current task as ``by`` (the task checks who may)."""
    page.refresh_from_db()
    task_state = page.current_workflow_task_state
    if task_state is None:
        raise PermissionDenied("This page is not in moderation.")
    task = task_state.task.specific
    if action not in {name for name, _label, _modal in task.get_actions(page, by)}:
        raise PermissionDenied(f"{by} cannot {action} this task now.")
    task.on_action(task_state, by, action, **data)
