"""Campaign work as jobs: sending, reminding, a staff test message, closing (re-score, re-place) and the
periodic check."""
from __future__ import annotations

from datetime import timedelta

from vocapp.jobs.registry import register
from vocapp.jobs.runner import JobContext


@register("campaigns.send", role="designer")
def send(job: JobContext, campaign_id: int) -> dict:
    """Send a campaign's invitations (``vocapp.services.campaigns.send_campaign``); result: the counts."""
    from vocapp.services.campaigns import send_campaign

    return {"campaign_id": campaign_id, **send_campaign(campaign_id, progress=job.progress)}


@register("campaigns.remind", role="designer")
def remind(job: JobContext, campaign_id: int) -> dict:
    """Send the reminders that are due (``remind_campaign``); result: the counts."""
    from vocapp.services.campaigns import remind_campaign

    return {"campaign_id": campaign_id, **remind_campaign(campaign_id, progress=job.progress)}


@register("campaigns.resend", role="designer")
def resend(job: JobContext, campaign_id: int, invitation_ids: list[int] | None = None) -> dict:
    """Re-send unconfirmed e-mails that staff chose (``resend_unconfirmed``); result: the counts."""
    from vocapp.services.campaigns import resend_unconfirmed

    return {"campaign_id": campaign_id, **resend_unconfirmed(campaign_id, invitation_ids, staff=job.started_by,
                                                             progress=job.progress)}


@register("campaigns.test_message", role="designer")
def test_message(job: JobContext, campaign_id: int, message: str = "invitation") -> dict:
    """E-mail the campaign's invitation or reminder (``message``), marked as a test, to the staff user who asked
    (``send_test_message``); result: the address and the mail server's reply."""
    from vocapp.services.campaigns import CampaignError, send_test_message

    staff = job.started_by
    if staff is None:
        raise CampaignError("a test message goes to the staff user who started it; none is known")
    return send_test_message(campaign_id, staff.email, message, staff=staff)


@register("campaigns.close", role="designer")
def close(job: JobContext, campaign_id: int) -> dict:
    """After closing: score with the frozen model, place, count movements (``run_closing``)."""
    from vocapp.services.campaigns import run_closing

    return {"campaign_id": campaign_id, **run_closing(campaign_id, staff=job.started_by, progress=job.progress)}


@register("campaigns.due", role="designer", every=timedelta(minutes=5))
def due(job: JobContext) -> dict | None:
    """Start scheduled campaigns whose time came; close those past their closing date and start the
    closing job of each. None (an idle run) when there was none."""
    from vocapp.jobs.queue import enqueue
    from vocapp.services.campaigns import due_work

    done = due_work()
    if not any(done.values()):
        return None
    done["closing_jobs"] = [enqueue("campaigns.close", campaign_id=campaign_id).id for campaign_id in done["closed"]]
    return done
