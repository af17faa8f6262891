"""Write the hostile-input corpus of certificates and SAML metadata (issue 15).

Run once from the project root, and commit the result with this script:

    .venv/bin/python -m tests.hostile.make_corpus

Each file is something a careless or hostile member could send. Fed to the API, every one must get
201 or a 400 naming the field, never a 500. Dates are far from today both ways (2020, 2098, 2099),
so the files mean the same thing for decades; keys are fresh on every run.
"""

from __future__ import annotations

import base64
import datetime
from pathlib import Path

from tests.members.certs import (
    FAR_FUTURE,
    FAR_PAST,
    acs_element,
    base64_body,
    build_certificate,
    der_pem,
    dsa_certificate,
    duplicate_extension_certificate,
    duplicate_key_usage_certificate,
    ed448_certificate,
    key_descriptor,
    make_certificate,
    md5_certificate,
    not_yet_valid_certificate,
    pem_der,
    sha1_certificate,
    sp_metadata,
    unknown_key_algorithm_certificate,
    unknown_signature_algorithm_certificate,
    x25519_certificate,
)

HERE = Path(__file__).resolve().parent


def certificates() -> dict[str, str]:
    """Name → PEM text (not always a valid one)."""
    from cryptography.hazmat.primitives.asymmetric import ed25519

    good = build_certificate()
    der = pem_der(good)
    return {
        "good": good,
        "duplicate_extension": duplicate_extension_certificate(),
        "duplicate_key_usage": duplicate_key_usage_certificate(),
        "unknown_key_algorithm": unknown_key_algorithm_certificate(),
        "unknown_signature_algorithm": unknown_signature_algorithm_certificate(),
        "ed448_key": ed448_certificate(),
        "ed25519_key": build_certificate(ed25519.Ed25519PrivateKey.generate()),
        "dsa_key": dsa_certificate(),
        "x25519_key": x25519_certificate(),
        "sha1_signature": sha1_certificate(),
        "md5_signature": md5_certificate(),
        "not_yet_valid": not_yet_valid_certificate(datetime.datetime(2098, 1, 1, tzinfo=datetime.UTC)),
        "expired": build_certificate(not_before=FAR_PAST, not_after=FAR_PAST + datetime.timedelta(days=365)),
        "rsa_1024": make_certificate(bits=1024, days=365 * 70),
        "truncated": der_pem(der[: len(der) // 2]),
        "trailing_garbage": der_pem(der + b"\x00garbage"),
        "not_base64": "-----BEGIN CERTIFICATE-----\n!!!! not base64 ¹²³ !!!!\n-----END CERTIFICATE-----\n",
        "empty_block": "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
        "random_bytes": der_pem(bytes(range(256)) * 4),
        "two_certificates": good + build_certificate(not_after=FAR_FUTURE - datetime.timedelta(days=1)),
        "oversized": der_pem(base64.b64decode(base64_body(good)) * 40),
    }


def _entity(name: str) -> str:
    return f"https://{name.replace('_', '-')}.hostile.example.fi/sp"


def _logo(width: str = "80", height: str = "60") -> str:
    return f'<mdui:Logo width="{width}" height="{height}">https://sp.example.fi/logo.png</mdui:Logo>'


def metadata(pems: dict[str, str]) -> dict[str, bytes]:
    """Name → SP metadata, each with its own entityID (so accepted ones can all be created)."""
    documents: dict[str, bytes] = {}

    def add(name: str, **kwargs) -> None:
        documents[name] = sp_metadata(entity_id=_entity(name), certificate=pems["good"], **kwargs)

    add("good")
    for value, label in (("¹", "superscript"), ("١", "arabic_indic"), ("１", "fullwidth"), ("-1", "negative"),
                         ("70000", "too_large"), ("", "empty"), ("0x1", "hex")):  # fmt: skip
        add(f"acs_index_{label}", acs_elements=acs_element(index=value))
        add(f"logo_width_{label}", logo=_logo(width=value))
    add("logo_height_superscript", logo=_logo(height="²"))
    add("logo_width_huge", logo=_logo(width="9" * 40))
    add("acs_index_duplicate", acs_elements=acs_element(index="0") + acs_element(index="0", default=False))
    add("acs_too_many", acs_elements="".join(
        acs_element(index=str(i), location=f"https://sp.example.fi/acs/{i}", default=i == 0) for i in range(21)
    ))  # fmt: skip
    add("key_descriptors_too_many", key_descriptors=key_descriptor(pems["good"]) * 11)
    for name, pem in pems.items():
        if name != "good":
            add(f"signing_{name}", key_descriptors=key_descriptor(pem))
    add("encryption_ec_key", key_descriptors=key_descriptor(pems["good"]) + key_descriptor(
        make_certificate(ec_key=True, days=365 * 70), use="encryption"))  # fmt: skip
    return documents


def main() -> None:
    pems = certificates()
    for folder in ("certificates", "metadata"):
        (HERE / folder).mkdir(exist_ok=True)
        for old in (HERE / folder).iterdir():
            old.unlink()
    for name, pem in pems.items():
        (HERE / "certificates" / f"{name}.pem").write_text(pem, encoding="utf-8")
    for name, document in metadata(pems).items():
        (HERE / "metadata" / f"{name}.xml").write_bytes(document)


if __name__ == "__main__":
    main()
