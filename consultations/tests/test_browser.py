"""In a real browser: a participant signs in on a phone and adds a statement; the convener
records a vote, closes the meeting and publishes the result."""

import pytest

from conftest import browser_login
from consultations.models import Meeting, Motion, Participant, Statement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_participant_signs_in_on_phone_and_convener_publishes(
    world, invited, topic, phone_page, page
):
    staff = world.staff
    meeting = invited
    resident = meeting.participants.get(party=Participant.Party.RESIDENT)
    company = meeting.participants.get(party=Participant.Party.PROPERTY_COMPANY)

    # The resident, on a phone, signs in with the code from the invitation.
    phone_page.goto(f"/consultations/m/{meeting.pk}/join/")
    phone_page.fill("#id_code", "000000" if resident.sign_in_code != "000000" else "111111")
    phone_page.click("#sign-in button[type=submit]")
    assert phone_page.locator("#sign-in .errorlist").is_visible()
    phone_page.fill("#id_code", resident.sign_in_code)
    phone_page.click("#sign-in button[type=submit]")
    phone_page.wait_for_selector("#statement")
    phone_page.select_option("#statement select[name=topic]", str(topic.pk))
    phone_page.fill("#statement textarea[name=text]", "楼道杂物挡住了消防通道，请物业尽快清理。")
    phone_page.click("#statement button[type=submit]")
    phone_page.wait_for_selector("#my-statements")
    assert "消防通道" in phone_page.inner_text("#my-statements")
    # Nothing on a phone is wider than the screen.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    statement = Statement.objects.get()
    assert statement.participant_id == resident.pk

    # The convener, at the desk, signs in the company, puts a motion to the vote and records it.
    browser_login(page, staff.username)
    page.on("dialog", lambda dialog: dialog.accept())  # closing a vote or the meeting asks first
    page.goto(f"/consultations/meetings/{meeting.pk}/")
    page.click(f"#participant-{company.pk} button[type=submit]")
    # The first proposal's form is open already: nothing to unfold.
    assert page.locator("#motions details").get_attribute("open") is not None
    page.fill(
        "#motions form[action$='/do/motion/'] textarea[name=text]", "物业每周清运一次楼道杂物"
    )
    page.select_option("#motions form[action$='/do/motion/'] select[name=method]", "vote")
    page.select_option("#motions form[action$='/do/motion/'] select[name=topic]", str(topic.pk))
    page.click("#motions form[action$='/do/motion/'] button[type=submit]")
    motion = Motion.objects.get()
    for person in (resident, company):
        form = page.locator(f"#motion-{motion.pk} form.vote-form")
        form.locator("select[name=participant]").select_option(str(person.pk))
        form.locator("button[value=for]").click()
        page.wait_for_load_state()
    page.click(f"#motion-{motion.pk} form[action$='/do/close-motion/'] button")
    assert "2" in page.inner_text(f"#motion-{motion.pk} .tally b.for")
    motion.refresh_from_db()
    assert motion.outcome == Motion.Outcome.ADOPTED

    page.click("#resolutions details summary")
    page.select_option("#resolutions select[name=topic]", str(topic.pk))
    page.fill("#resolutions textarea[name=text]", "物业每周清运一次楼道杂物")
    page.click("#resolutions button[type=submit]")
    page.click("form[action$='/do/close/'] button")
    page.fill("#publish textarea[name=summary]", "表决通过：物业每周清运一次。")
    page.click("#publish button[type=submit]")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PUBLISHED

    # Anyone can read the result, on a phone, without logging in.
    phone_page.goto(f"/consultations/m/{meeting.pk}/result/")
    text = phone_page.inner_text("main")
    assert "物业每周清运一次楼道杂物" in text
    assert "王大爷" not in text
