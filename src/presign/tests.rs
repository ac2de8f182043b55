//! Unit tests of the parent module.

use super::*;

const BASE: &str = "https://demo.ngrok.app/api/calendar/events";
const NOW: u64 = 1_800_000_000;

fn keys() -> SigningKeys {
    SigningKeys::new(Secret::new("test-secret"))
}

fn params_of(url: &str) -> SignedParams {
    let query = url.split_once('?').map(|(_, q)| q);
    SignedParams::from_query(query).expect("well-formed query")
}

fn with(url: &str, key: &str, value: &str) -> SignedParams {
    let mut params = params_of(url);
    let slot = match key {
        "uid" => &mut params.uid,
        "exp" => &mut params.exp,
        _ => &mut params.sig,
    };
    *slot = Some(value.to_owned());
    params
}

#[test]
fn signature_matches_vectors_computed_outside_this_code() {
    // Computed with: printf '%s' '<payload>' | openssl dgst -sha256 -hmac test-secret
    assert_eq!(
        signature(&keys().current, BASE, "ada@example.com", NOW),
        "efab93c56421bfddc470e705ce965db6ae60353612a107413e8cca266054d1af"
    );
    assert_eq!(
        signature(&keys().current, BASE, "a+b@example.com", NOW),
        "75c2bfa6c02f0255e67ce7f54fbf95526f1fecb02361e602c2ff86161c0ed3cd"
    );
}

#[test]
fn url_has_the_cookbook_layout_with_an_encoded_uid() {
    let url = presign_url(&keys(), BASE, "a+b@example.com", NOW);
    assert_eq!(
        url,
        format!(
            "{BASE}?uid=a%2Bb%40example.com&exp=1800000000&sig=75c2bfa6c02f0255e67ce7f54fbf95526f1fecb02361e602c2ff86161c0ed3cd"
        )
    );
}

#[test]
fn encoding_matches_encode_uri_component() {
    // Expected text produced by node: encodeURIComponent("a+b@example.com ü/?&=#!~*()'")
    assert_eq!(
        encode_component("a+b@example.com ü/?&=#!~*()'"),
        "a%2Bb%40example.com%20%C3%BC%2F%3F%26%3D%23!~*()'"
    );
}

#[test]
fn a_fresh_url_verifies_and_returns_the_raw_uid() {
    let url = presign_url(&keys(), BASE, "a+b@example.com", NOW + 60);
    let verified = verify(&keys(), BASE, &params_of(&url), NOW).expect("valid");
    assert_eq!(verified.uid, "a+b@example.com");
    assert_eq!(verified.exp, NOW + 60);
    assert_eq!(verified.signed_with, SignedWith::Current);
}

#[test]
fn the_last_second_is_still_valid_and_the_next_is_not() {
    let url = presign_url(&keys(), BASE, "ada@example.com", NOW);
    assert!(verify(&keys(), BASE, &params_of(&url), NOW).is_ok());
    assert_eq!(
        verify(&keys(), BASE, &params_of(&url), NOW + 1),
        Err(VerifyError::Expired {
            exp: NOW,
            now: NOW + 1
        })
    );
}

#[test]
fn tampering_with_the_uid_is_refused() {
    let url = presign_url(&keys(), BASE, "ada@example.com", NOW);
    let forged = with(&url, "uid", "eve@example.com");
    assert_eq!(
        verify(&keys(), BASE, &forged, NOW),
        Err(VerifyError::WrongSignature)
    );
}

#[test]
fn extending_the_expiry_is_refused() {
    let url = presign_url(&keys(), BASE, "ada@example.com", NOW);
    let forged = with(&url, "exp", &(NOW + 3600).to_string());
    assert_eq!(
        verify(&keys(), BASE, &forged, NOW),
        Err(VerifyError::WrongSignature)
    );
    // Same number, different text: the signature covers the digits as written.
    let padded = with(&url, "exp", &format!("0{NOW}"));
    assert_eq!(
        verify(&keys(), BASE, &padded, NOW),
        Err(VerifyError::WrongSignature)
    );
}

#[test]
fn a_flipped_signature_digit_is_refused() {
    let url = presign_url(&keys(), BASE, "ada@example.com", NOW);
    let sig = params_of(&url).sig.expect("sig");
    let flipped = format!(
        "{}{}",
        if sig.starts_with('0') { '1' } else { '0' },
        &sig[1..]
    );
    assert_eq!(
        verify(&keys(), BASE, &with(&url, "sig", &flipped), NOW),
        Err(VerifyError::WrongSignature)
    );
}

#[test]
fn a_url_for_one_endpoint_does_not_verify_on_another() {
    let url = presign_url(&keys(), BASE, "ada@example.com", NOW);
    let other = "https://demo.ngrok.app/api/calendar/freebusy";
    assert_eq!(
        verify(&keys(), other, &params_of(&url), NOW),
        Err(VerifyError::WrongSignature)
    );
}

#[test]
fn uppercase_hex_is_accepted() {
    let url = presign_url(&keys(), BASE, "ada@example.com", NOW);
    let upper = params_of(&url).sig.expect("sig").to_uppercase();
    assert!(verify(&keys(), BASE, &with(&url, "sig", &upper), NOW).is_ok());
}

#[test]
fn malformed_signatures_and_expiries_are_named() {
    let url = presign_url(&keys(), BASE, "ada@example.com", NOW);
    for bad in ["zz", "abc", &"ab".repeat(31), &"ab".repeat(33)] {
        assert_eq!(
            verify(&keys(), BASE, &with(&url, "sig", bad), NOW),
            Err(VerifyError::MalformedSignature),
            "sig {bad}"
        );
    }
    for bad in [
        "-1",
        "+1800000000",
        "1.5e9",
        "soon",
        "99999999999999999999999",
    ] {
        assert_eq!(
            verify(&keys(), BASE, &with(&url, "exp", bad), NOW),
            Err(VerifyError::MalformedExpiry),
            "exp {bad}"
        );
    }
}

#[test]
fn each_missing_or_empty_parameter_is_named() {
    let url = presign_url(&keys(), BASE, "ada@example.com", NOW);
    for name in ["uid", "exp", "sig"] {
        let mut params = params_of(&url);
        match name {
            "uid" => params.uid = None,
            "exp" => params.exp = Some(String::new()),
            _ => params.sig = None,
        }
        assert_eq!(
            verify(&keys(), BASE, &params, NOW),
            Err(VerifyError::Missing(name))
        );
    }
}

#[test]
fn a_repeated_parameter_is_refused_before_verification() {
    assert_eq!(
        SignedParams::from_query(Some("uid=a&uid=b&exp=1&sig=00")),
        Err(VerifyError::Duplicate("uid"))
    );
}

#[test]
fn the_previous_secret_still_verifies_and_is_reported() {
    let old = SigningKeys::new(Secret::new("old-secret"));
    let url = presign_url(&old, BASE, "ada@example.com", NOW);
    let rotated = SigningKeys {
        current: Secret::new("new-secret"),
        previous: Some(Secret::new("old-secret")),
    };
    let verified = verify(&rotated, BASE, &params_of(&url), NOW).expect("previous accepted");
    assert_eq!(verified.signed_with, SignedWith::Previous);
    // Without the previous secret configured, the old URL is refused.
    assert_eq!(
        verify(
            &SigningKeys::new(Secret::new("new-secret")),
            BASE,
            &params_of(&url),
            NOW
        ),
        Err(VerifyError::WrongSignature)
    );
}

#[test]
fn an_expiry_beyond_the_routes_life_is_refused_however_it_was_signed() {
    assert_eq!(within_life(NOW + 900, NOW, 900), Ok(()));
    assert_eq!(
        within_life(NOW + 900 + CLOCK_SKEW_SECONDS, NOW, 900),
        Ok(()),
        "another instance's clock may run a little ahead"
    );
    assert_eq!(
        within_life(NOW + 86_400, NOW, 900),
        Err(VerifyError::BeyondLife {
            exp: NOW + 86_400,
            latest: NOW + 900 + CLOCK_SKEW_SECONDS
        })
    );
    assert_eq!(
        within_life(u64::MAX, u64::MAX - 1, 900),
        Ok(()),
        "no overflow"
    );
}

#[test]
fn a_minted_url_signs_its_mint_time_and_cannot_lose_or_change_it() {
    let url = presign_minted_url(&keys(), BASE, "ada@example.com", NOW, NOW + 3600);
    // Computed with: printf '%s' '<base>|ada@example.com|1800003600|1800000000' | openssl dgst
    // -sha256 -hmac test-secret
    assert_eq!(
        url,
        format!(
            "{BASE}?uid=ada%40example.com&exp=1800003600&iat=1800000000&sig=\
             9963f193acefdd6736638b53a44fc870784517f4f4386097cdb823138cece3f6"
        )
    );
    let verified = verify(&keys(), BASE, &params_of(&url), NOW + 10).expect("valid");
    assert_eq!((verified.minted, verified.exp), (Some(NOW), NOW + 3600));
    // A later mint time would pass a sign-out it came before; none verifies.
    let mut later = params_of(&url);
    later.iat = Some((NOW + 20).to_string());
    assert_eq!(
        verify(&keys(), BASE, &later, NOW + 10),
        Err(VerifyError::WrongSignature)
    );
    let mut dropped = params_of(&url);
    dropped.iat = None;
    assert_eq!(
        verify(&keys(), BASE, &dropped, NOW + 10),
        Err(VerifyError::WrongSignature),
        "without iat it is checked as the cookbook's form, which it is not"
    );
    let mut after_expiry = params_of(&url);
    after_expiry.iat = Some((NOW + 7200).to_string());
    assert_eq!(
        verify(&keys(), BASE, &after_expiry, NOW + 10),
        Err(VerifyError::MalformedMintTime)
    );
    assert_eq!(
        SignedParams::from_query(Some(&format!(
            "{}&iat=1",
            url.split_once('?').expect("?").1
        ))),
        Err(VerifyError::Duplicate("iat"))
    );
    // The cookbook's form still verifies, with no mint time.
    let legacy = presign_url(&keys(), BASE, "ada@example.com", NOW + 3600);
    let verified = verify(&keys(), BASE, &params_of(&legacy), NOW).expect("valid");
    assert_eq!(verified.minted, None);
}
