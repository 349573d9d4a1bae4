"""What the demo prints once everything runs: where to go, the PIN, and examples to paste."""

from __future__ import annotations

from typing import Any

from ucauth.i18n import translate

_CREDENTIALS = (
    "CRED=$(curl -s {agent}/api/token | python3 -c "
    """'import json,sys; t=json.load(sys.stdin); print(t["username"]+"#"+t["token"])')"""
)
_SOAP = """\
curl -s {server}/ucwstokenp1/UCWSTokenP1 -H 'Content-Type: text/xml; charset=utf-8' \\
  --data "<soapenv:Envelope xmlns:soapenv=\\"http://schemas.xmlsoap.org/soap/envelope/\\" \\
xmlns:tok=\\"http://tokenws.ucws.nhso.go.th/\\"><soapenv:Body><tok:searchCurrentByPID>\\
<user_person_id>${{CRED%%#*}}</user_person_id><smctoken>${{CRED#*#}}</smctoken>\\
<person_id>{pending}</person_id></tok:searchCurrentByPID></soapenv:Body></soapenv:Envelope>\""""


def ready_text(info: dict[str, Any], lang: str) -> str:
    """The text shown when the demo is ready (``info`` as in ``demo-ready.json``)."""
    people = info["people"]
    values = {
        "server": info["server_url"],
        "agent": info["agent_url"],
        "pin": info["pin"],
        **people,
    }
    lines = [
        "",
        translate("demo.ready", lang),
        "",
        f"  {translate('demo.agent_url', lang)}  {values['agent']}",
        f"  {translate('demo.search_url', lang)}  {values['server']}/search",
        f"  {translate('demo.console_url', lang)}  {values['server']}/console",
        f"  {translate('demo.api_docs', lang)}  {values['server']}/docs",
        f"  {translate('demo.card_pin', lang, cid=info['card_cid'], pin=values['pin'])}",
        f"  {translate('demo.token_file', lang, path=info['token_file'])}",
        "",
        translate("demo.people", lang, **people),
        "",
        translate("demo.after_login", lang),
        "",
        f"  ucauth check {people['found']} --server {values['server']} --agent {values['agent']}",
        "",
        "  " + _CREDENTIALS.format(**values),
        f'  curl -s -H "Authorization: Bearer $CRED" '
        f"'{values['server']}/api/ucws/v1/right-search?pid={people['found']}'",
        "  " + _SOAP.format(**values).replace("\n", "\n  "),
        "",
        translate("demo.stop_hint", lang),
        "",
    ]
    return "\n".join(lines)
