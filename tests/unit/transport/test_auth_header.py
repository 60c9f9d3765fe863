import base64

from hypothesis import given
from hypothesis import strategies as st

from ocpikit.transport.auth import authorization_header, encode_token, token_candidates

printable_tokens = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=64
)


def test_spec_example_token_is_encoded_without_the_trailing_newline_of_the_spec_text():
    # ERR-03: the spec's example encodes "example-token\n"; the right value has no newline.
    assert encode_token("example-token") == "ZXhhbXBsZS10b2tlbg=="
    assert authorization_header("example-token") == "Token ZXhhbXBsZS10b2tlbg=="


def test_plain_encoding_sends_the_token_as_is():
    assert authorization_header("abc", "plain") == "Token abc"


@given(printable_tokens)
def test_base64_header_yields_the_token_first(token: str):
    header = "Token " + base64.b64encode(token.encode()).decode()
    assert token_candidates(header)[0] == token


@given(printable_tokens)
def test_plain_header_is_always_a_candidate(token: str):
    assert token in token_candidates(f"Token {token}")


def test_scheme_is_case_insensitive_and_other_schemes_are_rejected():
    assert token_candidates("token abc") == ["abc"]
    assert token_candidates("Bearer abc") == []
    assert token_candidates("Token") == []
    assert token_candidates(None) == []
    assert token_candidates("") == []


def test_base64_of_non_printable_bytes_is_not_a_candidate():
    header = "Token " + base64.b64encode(b"\x00\x01bad").decode()
    assert token_candidates(header) == [header.split()[1]]
