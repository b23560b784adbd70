"""Tests for wsaconnect.structures: WSABUF, FLOWSPEC and QOS as Python values.

The numbers are qos.h's, written out here: QOS_NOT_SPECIFIED is 0xFFFFFFFF and
SERVICETYPE_BESTEFFORT is 1.
"""

from __future__ import annotations

import dataclasses

import pytest

from wsaconnect import constants as C
from wsaconnect.structures import FLOWSPEC, QOS, WSABUF

FLOWSPEC_FIELDS = [
    "token_rate",
    "token_bucket_size",
    "peak_bandwidth",
    "latency",
    "delay_variation",
    "service_type",
    "max_sdu_size",
    "minimum_policed_size",
]

# --- WSABUF ----------------------------------------------------------------------------------


def test_wsabuf_len_defaults_to_the_buffer_length() -> None:
    assert WSABUF(buf=b"hello").len == 5
    assert WSABUF(buf=bytearray(64)).len == 64


def test_wsabuf_without_a_buffer_has_len_zero() -> None:
    empty = WSABUF()
    assert empty.len == 0
    assert empty.buf is None
    assert not empty.overruns


def test_wsabuf_explicit_len_is_kept() -> None:
    assert WSABUF(3, b"hello").len == 3


def test_wsabuf_len_larger_than_the_buffer_overruns() -> None:
    assert WSABUF(6, b"hello").overruns
    assert WSABUF(1, None).overruns


def test_wsabuf_len_up_to_the_buffer_does_not_overrun() -> None:
    assert not WSABUF(5, b"hello").overruns
    assert not WSABUF(0, b"hello").overruns
    assert not WSABUF(0, None).overruns


def test_wsabuf_overruns_follows_a_written_back_len() -> None:
    # WSAConnect writes callee_data.len back; the property reads the current value.
    buf = WSABUF(buf=bytearray(4))
    buf.len = 8
    assert buf.overruns
    buf.len = 0
    assert not buf.overruns


@pytest.mark.parametrize("buf", ["text", 42, memoryview(b"x"), [1, 2]])
def test_wsabuf_buffer_of_the_wrong_type_is_type_error(buf: object) -> None:
    with pytest.raises(TypeError, match=r"^buf must be"):
        WSABUF(buf=buf)  # type: ignore[arg-type]


@pytest.mark.parametrize("length", ["5", 5.0, True, b"5"])
def test_wsabuf_len_of_the_wrong_type_is_type_error(length: object) -> None:
    with pytest.raises(TypeError, match=r"^len must be an int"):
        WSABUF(length, b"hello")  # type: ignore[arg-type]


@pytest.mark.parametrize("length", [-1, 2**32, 2**64])
def test_wsabuf_len_out_of_ulong_range_is_value_error(length: int) -> None:
    with pytest.raises(ValueError, match=r"^len must be 0-4294967295"):
        WSABUF(length, b"hello")


def test_wsabuf_len_at_ulong_max_is_accepted() -> None:
    assert WSABUF(0xFFFFFFFF, b"").len == 0xFFFFFFFF


def test_wsabuf_compares_by_value_and_is_unhashable() -> None:
    assert WSABUF(2, b"ab") == WSABUF(buf=b"ab")
    assert WSABUF(1, b"ab") != WSABUF(2, b"ab")
    with pytest.raises(TypeError):
        hash(WSABUF(buf=b"ab"))


def test_wsabuf_has_no_attribute_dict() -> None:
    buf = WSABUF()
    with pytest.raises(AttributeError):
        buf.length = 3  # type: ignore[attr-defined]


def test_wsabuf_repr_shows_both_fields() -> None:
    assert repr(WSABUF(2, b"ab")) == "WSABUF(len=2, buf=b'ab')"


# --- FLOWSPEC --------------------------------------------------------------------------------


def test_flowspec_field_names_follow_the_c_fields_in_order() -> None:
    assert [f.name for f in dataclasses.fields(FLOWSPEC)] == FLOWSPEC_FIELDS


def test_flowspec_defaults_are_not_specified_and_best_effort() -> None:
    flow = FLOWSPEC()
    for name in FLOWSPEC_FIELDS:
        expected = 1 if name == "service_type" else 0xFFFFFFFF
        assert getattr(flow, name) == expected, name
    assert flow.service_type == C.SERVICETYPE_BESTEFFORT
    assert flow.token_rate == C.QOS_NOT_SPECIFIED


def test_flowspec_keeps_given_fields() -> None:
    flow = FLOWSPEC(token_rate=1000, service_type=C.SERVICETYPE_GUARANTEED, latency=0)
    assert flow.token_rate == 1000
    assert flow.service_type == 3
    assert flow.latency == 0
    assert flow.peak_bandwidth == C.QOS_NOT_SPECIFIED


@pytest.mark.parametrize("name", FLOWSPEC_FIELDS)
@pytest.mark.parametrize("value", ["1", 1.0, True, None])
def test_flowspec_field_of_the_wrong_type_is_type_error_naming_it(name: str, value: object) -> None:
    with pytest.raises(TypeError, match=rf"^FLOWSPEC\.{name} must be an int"):
        FLOWSPEC(**{name: value})  # type: ignore[arg-type]


@pytest.mark.parametrize("name", FLOWSPEC_FIELDS)
@pytest.mark.parametrize("value", [-1, 0x1_0000_0000])
def test_flowspec_field_out_of_range_is_value_error_naming_it(name: str, value: int) -> None:
    with pytest.raises(ValueError, match=rf"^FLOWSPEC\.{name} must be 0-4294967295"):
        FLOWSPEC(**{name: value})


def test_flowspec_is_immutable() -> None:
    flow = FLOWSPEC()
    with pytest.raises(dataclasses.FrozenInstanceError):
        flow.token_rate = 5  # type: ignore[misc]


def test_flowspec_base_service_type_strips_the_flag_bits() -> None:
    flags = C.SERVICE_NO_QOS_SIGNALING | C.SERVICE_NO_TRAFFIC_CONTROL
    flow = FLOWSPEC(service_type=C.SERVICETYPE_GUARANTEED | flags)
    assert flow.base_service_type == C.SERVICETYPE_GUARANTEED
    assert FLOWSPEC(service_type=C.SERVICETYPE_NOTRAFFIC).base_service_type == 0


# --- QOS -------------------------------------------------------------------------------------


def test_qos_defaults_to_two_default_flowspecs_and_no_provider_buffer() -> None:
    qos = QOS()
    assert qos.sending == FLOWSPEC()
    assert qos.receiving == FLOWSPEC()
    assert qos.provider_specific is None


@pytest.mark.parametrize("name", ["sending", "receiving"])
@pytest.mark.parametrize("value", [None, {}, 1, QOS()])
def test_qos_flowspec_of_the_wrong_type_is_type_error_naming_it(name: str, value: object) -> None:
    with pytest.raises(TypeError, match=rf"^QOS\.{name} must be a FLOWSPEC"):
        QOS(**{name: value})  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [b"provider", bytearray(2), 0])
def test_qos_provider_specific_must_be_a_wsabuf(value: object) -> None:
    with pytest.raises(TypeError, match=r"^QOS\.provider_specific must be a WSABUF"):
        QOS(provider_specific=value)  # type: ignore[arg-type]


def test_qos_accepts_a_wsabuf_provider_buffer() -> None:
    buffer = WSABUF(buf=b"\x01\x02")
    qos = QOS(FLOWSPEC(token_rate=1), FLOWSPEC(), buffer)
    assert qos.provider_specific is buffer
    assert qos.sending.token_rate == 1


def test_qos_is_immutable() -> None:
    qos = QOS()
    with pytest.raises(dataclasses.FrozenInstanceError):
        qos.sending = FLOWSPEC()  # type: ignore[misc]
