//! Presigned tool URLs: `sig = hex(HMAC-SHA256(secret, "{baseUrl}|{uid}|{exp}"))`.
//!
//! Signing and verifying are pure functions over an explicit `now`, so the rules (expiry,
//! rotation, encoding) are unit-tested without a clock or a server.

use hmac::{Hmac, KeyInit, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha2::Sha256;

use crate::secret::Secret;

type HmacSha256 = Hmac<Sha256>;

/// The characters JavaScript's `encodeURIComponent` leaves alone, so our URLs match the
/// cookbook's byte for byte.
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// Percent-encodes a query value the way `encodeURIComponent` does.
pub fn encode_component(value: &str) -> String {
    utf8_percent_encode(value, URI_COMPONENT).to_string()
}

/// The secrets a signature may be made with: the current one signs, both verify.
#[derive(Clone, Debug)]
pub struct SigningKeys {
    /// Signs every new URL and verifies.
    pub current: Secret,
    /// Still verifies, so rotating the secret does not break live sessions.
    pub previous: Option<Secret>,
}

impl SigningKeys {
    /// Keys with only a current secret.
    pub fn new(current: Secret) -> Self {
        Self {
            current,
            previous: None,
        }
    }

    fn all(&self) -> impl Iterator<Item = &Secret> {
        std::iter::once(&self.current).chain(self.previous.iter())
    }
}

fn mac(secret: &Secret, base_url: &str, uid: &str, exp: &str) -> HmacSha256 {
    // HMAC accepts keys of any length; the secret's UTF-8 bytes are the key, as in the cookbook.
    let mut mac = HmacSha256::new_from_slice(secret.expose().as_bytes())
        .expect("HMAC-SHA256 accepts keys of any length");
    mac.update(base_url.as_bytes());
    mac.update(b"|");
    mac.update(uid.as_bytes());
    mac.update(b"|");
    mac.update(exp.as_bytes());
    mac
}

/// Lowercase hex signature of `"{base_url}|{uid}|{exp}"`.
pub fn signature(secret: &Secret, base_url: &str, uid: &str, exp: u64) -> String {
    hex::encode(
        mac(secret, base_url, uid, &exp.to_string())
            .finalize()
            .into_bytes(),
    )
}

/// `{base_url}?uid=…&exp=…&sig=…`, signed with the current secret. The uid is signed raw and
/// percent-encoded in the URL.
pub fn presign_url(keys: &SigningKeys, base_url: &str, uid: &str, exp: u64) -> String {
    let sig = signature(&keys.current, base_url, uid, exp);
    format!(
        "{base_url}?uid={}&exp={exp}&sig={sig}",
        encode_component(uid)
    )
}

/// The three query parameters of a presigned URL, as received (already percent-decoded).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignedParams {
    /// The user id, decoded.
    pub uid: Option<String>,
    /// The expiry, as the digits received (the signature covers this exact text).
    pub exp: Option<String>,
    /// The hex signature.
    pub sig: Option<String>,
}

impl SignedParams {
    /// Reads `uid`, `exp` and `sig` from a raw query string. A parameter given twice is an
    /// error: which copy a proxy or framework keeps is not something to bet a signature on.
    pub fn from_query(query: Option<&str>) -> Result<Self, VerifyError> {
        let mut params = Self::default();
        for (key, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            let slot = match key.as_ref() {
                "uid" => &mut params.uid,
                "exp" => &mut params.exp,
                "sig" => &mut params.sig,
                _ => continue,
            };
            if slot.is_some() {
                return Err(VerifyError::Duplicate(param_name(&key)));
            }
            *slot = Some(value.into_owned());
        }
        Ok(params)
    }
}

fn param_name(key: &str) -> &'static str {
    match key {
        "uid" => "uid",
        "exp" => "exp",
        _ => "sig",
    }
}

/// Why a presigned URL was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// `uid`, `exp` or `sig` is absent or empty.
    #[error("missing query parameter `{0}`")]
    Missing(&'static str),
    /// A parameter appears more than once.
    #[error("query parameter `{0}` appears more than once")]
    Duplicate(&'static str),
    /// `exp` is not a non-negative integer.
    #[error("`exp` is not a unix timestamp")]
    MalformedExpiry,
    /// `now > exp`.
    #[error("the URL expired at {exp} (now {now})")]
    Expired {
        /// When it expired (unix seconds).
        exp: u64,
        /// The time of the check.
        now: u64,
    },
    /// `sig` is not 64 hex characters.
    #[error("`sig` is not a 64-character hex string")]
    MalformedSignature,
    /// The signature does not match under any accepted secret.
    #[error("the signature does not match this URL")]
    WrongSignature,
}

/// Which secret a verified URL was signed with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignedWith {
    /// `PRESIGN_SECRET`.
    Current,
    /// `PRESIGN_SECRET_PREVIOUS`.
    Previous,
}

/// A URL that passed verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// The user the URL was signed for.
    pub uid: String,
    /// Its expiry (unix seconds).
    pub exp: u64,
    /// Which secret matched.
    pub signed_with: SignedWith,
}

/// Checks a presigned URL's parameters against `base_url` (origin + route path, no query).
/// The comparison is constant-time (`Mac::verify_slice`).
pub fn verify(
    keys: &SigningKeys,
    base_url: &str,
    params: &SignedParams,
    now: u64,
) -> Result<Verified, VerifyError> {
    let present = |value: &Option<String>, name: &'static str| match value.as_deref() {
        Some(v) if !v.is_empty() => Ok(v.to_owned()),
        _ => Err(VerifyError::Missing(name)),
    };
    let uid = present(&params.uid, "uid")?;
    let exp_text = present(&params.exp, "exp")?;
    let sig_text = present(&params.sig, "sig")?;

    if !exp_text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(VerifyError::MalformedExpiry);
    }
    let exp: u64 = exp_text.parse().map_err(|_| VerifyError::MalformedExpiry)?;
    if now > exp {
        return Err(VerifyError::Expired { exp, now });
    }

    let sig = hex::decode(&sig_text).map_err(|_| VerifyError::MalformedSignature)?;
    if sig.len() != 32 {
        return Err(VerifyError::MalformedSignature);
    }

    for (index, secret) in keys.all().enumerate() {
        if mac(secret, base_url, &uid, &exp_text)
            .verify_slice(&sig)
            .is_ok()
        {
            let signed_with = if index == 0 {
                SignedWith::Current
            } else {
                SignedWith::Previous
            };
            return Ok(Verified {
                uid,
                exp,
                signed_with,
            });
        }
    }
    Err(VerifyError::WrongSignature)
}

#[cfg(test)]
mod tests {
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
}
