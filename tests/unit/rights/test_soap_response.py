from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from tests.support.rights import CURRENT, PENDING, PID, SAMPLE
from ucauth.audit.errors import AuditUnavailableError
from ucauth.errors import UcauthError
from ucauth.rights.beneficiary import Beneficiary, Code
from ucauth.rights.errors import SoapMalformedError, SoapVersionMismatchError
from ucauth.rights.soap import (
    DATASET_ELEMENTS,
    ENVELOPE_NAMESPACE,
    NAMESPACE,
    build_fault,
    build_search_response,
    build_token_error_response,
    dataset,
    wsdl_document,
    xsd_document,
)

AT = datetime(2020, 11, 11, 4, 5, 37, tzinfo=UTC)  # 11:05:37 in Bangkok
WSID = "WS000009765729244"
XSD = etree.XMLSchema(etree.fromstring(xsd_document()))


def _return(document: bytes) -> etree._Element:
    root = etree.fromstring(document)
    found = root.find(
        f"{{{ENVELOPE_NAMESPACE}}}Body/{{{NAMESPACE}}}searchCurrentByPIDResponse/return"
    )
    assert found is not None
    return found


def _fields(document: bytes) -> dict[str, str]:
    return {child.tag: child.text or "" for child in _return(document)}


def _schema_valid(document: bytes) -> None:
    """The response wrapper validates against our XSD (types, order, required elements)."""
    wrapper = _return(document).getparent()
    assert wrapper is not None
    XSD.assertValid(etree.ElementTree(wrapper))


def test_the_response_uses_the_literal_prefixes_clients_look_up() -> None:
    document = build_search_response(SAMPLE, wsid=WSID, requested_at=AT)
    text = document.decode()
    assert text.startswith("<?xml version='1.0' encoding='UTF-8'?>")
    assert f'<S:Envelope xmlns:S="{ENVELOPE_NAMESPACE}"><S:Body>' in text
    assert f'<ns2:searchCurrentByPIDResponse xmlns:ns2="{NAMESPACE}"><return><birthdate>' in text
    _schema_valid(document)


def test_a_found_person_in_schema_order_with_buddhist_era_dates() -> None:
    document = build_search_response(SAMPLE, wsid=WSID, requested_at=AT)
    fields = _fields(document)
    assert list(fields) == [name for name in DATASET_ELEMENTS if name in fields]
    assert fields == {
        "birthdate": "25260912",
        "count_select": "0",
        "fname": "ธนิกุล",
        "hmain": "10689",
        "hmain_name": "รพ.อ่างทอง",
        "hmain_op": "10689",
        "hmain_op_name": "รพ.อ่างทอง",
        "lname": "ศรีอุทิศ",
        "maininscl": "UCS",
        "maininscl_main": "U",
        "maininscl_name": "สิทธิหลักประกันสุขภาพแห่งชาติ",
        "nation": "099",
        "paid_model": "1",
        "person_id": PID,
        "primary_amphur_name": "ป่าโมก",
        "primary_moo": "05",
        "primary_mooban_name": "บ้านคลองคะเชนทร์",
        "primary_province_name": "อ่างทอง",
        "primary_tumbon_name": "สายทอง",
        "primaryprovince": "1500",
        "purchaseprovince": "1500",
        "purchaseprovince_name": "อ่างทอง",
        "sex": "1",
        "startdate": "25600101",
        "subinscl": "89",
        "subinscl_name": "ช่วงอายุ 12-59 ปี",
        "title": "003",
        "title_name": "นาย",
        "ws_data_source": "NHSO",
        "ws_date_request": "2020-11-11T11:05:37+07:00",
        "ws_status": "NHSO-000001",
        "ws_status_desc": "ok",
        "wsid": WSID,
    }


def test_a_pending_right_and_an_unnamed_code_shown_as_the_code() -> None:
    expired = replace(CURRENT, expdate=date(2024, 12, 31), hsub=Code("77702"))
    document = build_search_response(
        replace(PENDING, right=expired), wsid=WSID, requested_at=AT, wsid_batch="WSB00002072559955"
    )
    _schema_valid(document)
    fields = _fields(document)
    assert fields["expdate"] == "25671231"
    assert fields["hsub"] == fields["hsub_name"] == "77702"
    assert fields["new_hmain"] == fields["new_hmain_name"] == "11582"
    assert fields["new_startdate"] == "25680201"
    assert fields["new_date_register"] == "2025-01-20T10:15:00+07:00"
    assert fields["wsid_batch"] == "WSB00002072559955"
    assert "new_hsub" not in fields and "cardid" not in fields


def test_nobody_found_is_a_success_with_empty_person_fields() -> None:
    document = build_search_response(None, wsid=WSID, requested_at=AT)
    _schema_valid(document)
    fields = _fields(document)
    assert fields["ws_status"] == "NHSO-000001" and fields["count_select"] == "0"
    assert fields["fname"] == fields["person_id"] == fields["maininscl_name"] == ""
    assert "hmain" not in fields


def test_a_bad_token_gets_nhso_00003_with_a_thai_description() -> None:
    document = build_token_error_response(wsid=WSID, requested_at=AT)
    _schema_valid(document)
    fields = _fields(document)
    assert fields["ws_status"] == "NHSO-00003"
    assert "Token" in fields["ws_status_desc"] and "หมดอายุ" in fields["ws_status_desc"]
    assert fields["fname"] == "" and fields["wsid"] == WSID
    throttled = build_token_error_response(wsid=WSID, requested_at=AT, description="รอ 4 วินาที")
    assert _fields(throttled)["ws_status_desc"] == "รอ 4 วินาที"


def test_every_dataset_key_is_a_schema_element() -> None:
    assert set(dataset(PENDING)) <= set(DATASET_ELEMENTS)
    assert len(DATASET_ELEMENTS) == 63


def test_the_schema_lists_the_dataset_elements_in_our_order_with_count_select_required() -> None:
    schema = etree.fromstring(xsd_document())
    xs = "{http://www.w3.org/2001/XMLSchema}"
    dataset_type = schema.find(f"{xs}complexType[@name='nhsoDataSetC1']")
    assert dataset_type is not None
    elements = dataset_type.findall(f"{xs}sequence/{xs}element")
    assert tuple(e.get("name") for e in elements) == DATASET_ELEMENTS
    required = [e.get("name") for e in elements if e.get("minOccurs") != "0"]
    assert required == ["count_select"]


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (SoapMalformedError(detail="x"), "S:Client"),
        (SoapVersionMismatchError(), "S:VersionMismatch"),
        (AuditUnavailableError(), "S:Server"),
        (None, "S:Server"),
    ],
)
def test_faults(error: UcauthError | None, code: str) -> None:
    root = etree.fromstring(build_fault(error, "en"))
    fault = root.find(f"{{{ENVELOPE_NAMESPACE}}}Body/{{{ENVELOPE_NAMESPACE}}}Fault")
    assert fault is not None
    assert fault.findtext("faultcode") == code
    faultstring = fault.findtext("faultstring") or ""
    assert faultstring and "Traceback" not in faultstring
    if error is None:
        assert faultstring == "Internal error"
    else:
        assert faultstring == error.message("en")


def test_the_wsdl_names_our_address_and_schema() -> None:
    wsdl = etree.fromstring(wsdl_document('https://rights.example/ucwstokenp1/UCWSTokenP1?"<&'))
    ns = {"w": "http://schemas.xmlsoap.org/wsdl/", "s": "http://schemas.xmlsoap.org/wsdl/soap/",
          "xsd": "http://www.w3.org/2001/XMLSchema"}  # fmt: skip
    address = wsdl.find("w:service/w:port/s:address", ns)
    assert address is not None
    assert address.get("location") == 'https://rights.example/ucwstokenp1/UCWSTokenP1?"<&'
    schema_import = wsdl.find("w:types/xsd:schema/xsd:import", ns)
    assert schema_import is not None and schema_import.get("schemaLocation", "").endswith(
        '"<&?xsd=1'
    )
    assert wsdl.get("targetNamespace") == NAMESPACE
    assert [p.get("name") for p in wsdl.findall("w:portType", ns)] == ["UCWSTokenP1"]
    assert resources.files("ucauth.rights.soap").joinpath("UCWSTokenP1.wsdl").is_file()


def _with_lxml(beneficiary: Beneficiary) -> bytes:
    """The success response as an element tree would serialise it: the oracle of the text
    writer."""
    envelope = etree.Element(f"{{{ENVELOPE_NAMESPACE}}}Envelope", nsmap={"S": ENVELOPE_NAMESPACE})
    body = etree.SubElement(envelope, f"{{{ENVELOPE_NAMESPACE}}}Body")
    wrapper = etree.SubElement(
        body, f"{{{NAMESPACE}}}searchCurrentByPIDResponse", nsmap={"ns2": NAMESPACE}
    )
    fields = dataset(beneficiary) | _STATUS
    returned = etree.SubElement(wrapper, "return")
    for name in DATASET_ELEMENTS:
        if name in fields:
            etree.SubElement(returned, name).text = fields[name]
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"))


_STATUS = {
    "count_select": "0",
    "ws_data_source": "NHSO",
    "ws_date_request": "2020-11-11T11:05:37+07:00",
    "ws_status": "NHSO-000001",
    "ws_status_desc": "ok",
    "wsid": WSID,
}
XML_TEXT = st.text(  # what XML 1.0 can carry (UTF-8 has no surrogates)
    st.characters(codec="utf-8").filter(lambda c: c in "\t\n\r" or " " <= c < "\ufffe")
)


@given(fname=XML_TEXT, lname=XML_TEXT, moo=XML_TEXT)
def test_the_document_is_written_byte_for_byte_as_lxml_would(
    fname: str, lname: str, moo: str
) -> None:
    beneficiary = replace(SAMPLE, fname=fname, lname=lname, primary_moo=moo)
    written = build_search_response(beneficiary, wsid=WSID, requested_at=AT)
    assert written == _with_lxml(beneficiary)


@pytest.mark.parametrize("text", ["\x00", "a\x1fb", "\ufffe"])
def test_a_value_xml_cannot_carry_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="XML cannot carry"):
        build_search_response(replace(SAMPLE, fname=text), wsid=WSID, requested_at=AT)
