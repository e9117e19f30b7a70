"""The workflow's finish action (``WAGTAIL_FINISH_WORKFLOW_ACTION``).

Wagtail's default publishes the page's *latest* revision as the approving user, and needs
that user to hold publish permission. Ours publishes the exact revision the last task
approved, skipping the permission check: nobody holds plain publish permission on stories,
and the publish gate in ``save()`` still applies (consent, findings, four-eyes approval).
A future go-live date on the revision is respected by Wagtail's publish action.
"""


def publish_approved_revision(workflow_state, user=None):
    task_state = (
        workflow_state.task_states.filter(status="approved").order_by("-finished_at").first()
    )
    revision = task_state.revision if task_state else None
    if revision is None:
        revision = workflow_state.content_object.get_latest_revision()
    revision.publish(user=user, skip_permission_checks=True)
