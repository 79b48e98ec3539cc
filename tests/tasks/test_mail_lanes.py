"""The worker's mail lanes (ticketing/tasks/mail_lanes.py), with real threads."""

import threading

from ticketing.tasks.mail_lanes import MailLanes


class HeldLane:
    """A send that holds the only lane until released (a mail server that hangs)."""

    def __init__(self, lanes: MailLanes, sent: list):
        self.entered, self.release, self.outcome = threading.Event(), threading.Event(), []
        self.sent = sent
        self.thread = threading.Thread(target=self._run, args=(lanes,))
        self.thread.start()
        assert self.entered.wait(10)

    def _run(self, lanes: MailLanes) -> None:
        self.outcome.append(lanes.send("a", self._send))

    def _send(self) -> str:
        self.entered.set()
        assert self.release.wait(10)
        self.sent.append("a")
        return "sent"

    def finish(self) -> None:
        self.release.set()
        self.thread.join(10)


def test_a_busy_lane_sends_what_was_handed_over_in_order_and_each_once():
    lanes, sent = MailLanes(1), []
    held = HeldLane(lanes, sent)
    for key in ("b", "c", "b"):  # "b" queued twice (the sweep), handed over once
        assert lanes.send(key, lambda key=key: sent.append(key) or "sent") == "handed over"
    assert lanes.waiting() == 2 and sent == []
    held.finish()
    assert held.outcome == ["sent"] and sent == ["a", "b", "c"] and lanes.waiting() == 0
    assert lanes.send("d", lambda: "sent") == "sent"  # the lane is free again: sent here


def test_a_failed_handed_over_send_does_not_stop_the_lane():
    cleaned = []
    lanes, sent = MailLanes(1, after_failure=lambda: cleaned.append(True)), []
    held = HeldLane(lanes, sent)

    def broken() -> str:
        raise RuntimeError("the database went away")

    assert lanes.send("b", broken) == "handed over"
    assert lanes.send("c", lambda: sent.append("c") or "sent") == "handed over"
    held.finish()
    assert sent == ["a", "c"] and cleaned == [True]  # its transaction rolled back
    assert lanes.send("d", lambda: "sent") == "sent"


def test_stopping_a_lane_finishes_its_send_and_leaves_the_rest_owed():
    lanes, sent, released = MailLanes(1), [], []
    held = HeldLane(lanes, sent)
    for key in ("b", "c"):
        send = lambda key=key: sent.append(key) or "sent"  # noqa: E731
        assert lanes.send(key, send, lambda key=key: released.append(key)) == "handed over"
    lanes.stopping.set()  # the worker stops (SIGTERM): the rows stay owed, for the sweep
    held.finish()
    assert sent == ["a"] and lanes.waiting() == 2 and released == []
    # ... and once its threads are done, the sends left let go of their queue marks.
    assert lanes.release_waiting() == 2
    assert released == ["b", "c"] and lanes.waiting() == 0 and sent == ["a"]


def test_two_lanes_send_two_at_once_and_a_third_is_handed_over():
    lanes, sent = MailLanes(2), []
    first, second = HeldLane(lanes, sent), HeldLane(lanes, sent)
    assert lanes.send("c", lambda: sent.append("c") or "sent") == "handed over"
    first.finish()
    second.finish()
    assert sorted(sent) == ["a", "a", "c"] and lanes.waiting() == 0
