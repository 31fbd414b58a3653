"""Creates of one provider host waiting out the trainings quota ask for a slot one at a time (provider/quota.py)."""

from __future__ import annotations

from personalize_pulumi.provider.quota import QuotaProbes


class Client:
    """Stands for a boto3 client (the record is per client, held weakly)."""


def test_a_single_create_is_never_held_back() -> None:
    probes, client, create = QuotaProbes(), Client(), object()
    assert not probes.held_back(client, create, 0.0, 5.0)
    probes.answered(client, create, 0.0, refused=True)
    assert not probes.held_back(client, create, 0.1, 5.0)  # its own refusal never holds it back


def test_a_refused_create_waits_while_another_was_refused_lately() -> None:
    probes, client, first, second = QuotaProbes(), Client(), object(), object()
    probes.answered(client, first, 0.0, refused=True)
    assert probes.held_back(client, second, 1.0, 5.0)
    assert probes.held_back(client, second, 4.9, 5.0)
    assert not probes.held_back(client, second, 5.0, 5.0)  # the window passed: this try asks
    assert probes.held_back(client, first, 5.1, 5.0)  # and holds the first back until it is answered
    probes.answered(client, second, 5.2, refused=False)  # a slot: everyone asks at the next pause
    assert not probes.held_back(client, first, 5.3, 5.0)


def test_clients_are_apart_and_a_clock_going_back_holds_no_one() -> None:
    probes, one, other, first, second = QuotaProbes(), Client(), Client(), object(), object()
    probes.answered(one, first, 10.0, refused=True)
    assert not probes.held_back(other, second, 10.5, 5.0)
    assert not probes.held_back(one, second, 3.0, 5.0)  # another clock (a test's): never waits on it
