"""Bonus money without a database: conversion and forfeit legs, the grant's life,
and the bonus part never leaving through a withdrawal lock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from domain.bonus.model import COMPLETED, EXPIRED, OPEN, BonusBook, BonusGrant
from domain.kernel.errors import InsufficientFunds
from domain.kernel.postings import HOUSE_CASHBACK_EXPENSE, player_account
from tests.factories import open_wallet

D = Decimal


def legs_of(wallet):
    return [(leg.account, leg.amount) for leg in wallet.collect_events()[-1].legs()]


def test_conversion_moves_free_bonus_to_cash_with_balanced_legs():
    wallet = open_wallet("p1", "USDT", cash="10", bonus="30")
    wallet.convert_bonus(D(30), grant_id="g", request_id="r", reference="bonus:g")
    assert (wallet.cash, wallet.bonus) == (D(40), D(0))
    assert legs_of(wallet) == [(player_account("p1", "bonus"), D(-30)),
                               (player_account("p1", "available"), D(30))]


def test_a_forfeit_returns_bonus_to_the_house_account_that_paid_it():
    wallet = open_wallet("p1", "USDT", bonus="30")
    wallet.forfeit_bonus(D(12), grant_id="g", tag="CASHBACK", request_id="r",
                         reference="bonus:g")
    assert wallet.bonus == D(18)
    assert legs_of(wallet) == [(player_account("p1", "bonus"), D(-12)),
                               (HOUSE_CASHBACK_EXPENSE, D(12))]


@pytest.mark.parametrize("move", ["convert_bonus", "forfeit_bonus"])
def test_neither_moves_more_than_the_free_bonus(move):
    wallet = open_wallet("p1", "USDT", cash="100", bonus="5")
    wallet.hold("h", cash=D(0), bonus=D(3), request_id="b", reference="h")
    extra = {"tag": "CASHBACK"} if move == "forfeit_bonus" else {}
    with pytest.raises(InsufficientFunds):
        getattr(wallet, move)(D(3), grant_id="g", request_id="r", reference="x", **extra)


def test_the_bonus_part_is_never_withdrawable():
    wallet = open_wallet("p1", "USDT", cash="10", bonus="30")
    with pytest.raises(InsufficientFunds):
        wallet.lock("withdrawal-1", D(11), request_id="w", reference="w")
    wallet.lock("withdrawal-2", D(10), request_id="w2", reference="w")
    assert (wallet.available, wallet.bonus_available) == (D(0), D(30))


def test_a_grant_counts_each_play_once_and_only_after_it_was_made():
    grant = BonusGrant("src", "p1", "USDT", D(30), D(30), "CASHBACK", None)
    assert grant.status == OPEN and not grant.met
    before = grant.created_on - timedelta(seconds=1)
    assert not grant.counts("bet:2", before)
    assert grant.counts("bet:2", grant.created_on)
    grant.wager("bet:2", D(40), D("0.5"), D(20))
    assert not grant.counts("bet:2", grant.created_on) and grant.progress == D(20)
    grant.wager("bet2:2", D(10), D(1), D(10))
    assert grant.met
    grant.complete(D(30))
    assert grant.status == COMPLETED and not grant.counts("x:2", grant.created_on)


def test_an_expired_grant_counts_nothing_more_and_a_book_lists_its_grants():
    grant = BonusGrant("src", "p1", "USDT", D(30), D(30), "CASHBACK",
                       datetime(2026, 1, 1, tzinfo=timezone.utc))
    grant.expire(D(30))
    assert grant.status == EXPIRED and not grant.counts("b:2", grant.created_on)
    book = BonusBook("p1", "USDT")
    book.add("g1")
    book.add("g2")
    book.close("g1")
    book.close("g1")  # a repeat changes nothing
    assert (book.grants, book.open, book.version) == (["g1", "g2"], ["g2"], 4)
