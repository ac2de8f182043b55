//! Presigned tool URLs: `sig = hex(HMAC-SHA256(secret, "{baseUrl}|{uid}|{exp}"))`, and the
//! form this service mints, which signs the mint time too:
//! `?uid=…&exp=…&iat=…&sig=hex(HMAC-SHA256(secret, "{baseUrl}|{uid}|{exp}|{iat}"))`. With the
//! mint time signed, sign-out and the session a URL belongs to do not depend on the URL lives
//! configured today or on the clock of the instance that checks it. A URL without `iat` (the
//! cookbook's form, `sign-url --legacy`) still verifies; its mint time is then `exp` minus the
//! route's life, as before. Dropping `iat` from a URL that had it breaks its signature.
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

fn mac(secret: &Secret, base_url: &str, uid: &str, exp: &str, iat: Option<&str>) -> HmacSha256 {
    // HMAC accepts keys of any length; the secret's UTF-8 bytes are the key, as in the cookbook.
    let mut mac = HmacSha256::new_from_slice(secret.expose().as_bytes())
        .expect("HMAC-SHA256 accepts keys of any length");
    mac.update(base_url.as_bytes());
    mac.update(b"|");
    mac.update(uid.as_bytes());
    mac.update(b"|");
    mac.update(exp.as_bytes());
    if let Some(iat) = iat {
        mac.update(b"|");
        mac.update(iat.as_bytes());
    }
    mac
}

/// Lowercase hex signature of `"{base_url}|{uid}|{exp}"`.
pub(crate) fn signature(secret: &Secret, base_url: &str, uid: &str, exp: u64) -> String {
    hex::encode(
        mac(secret, base_url, uid, &exp.to_string(), None)
            .finalize()
            .into_bytes(),
    )
}

/// The cookbook's `{base_url}?uid=…&exp=…&sig=…`, signed with the current secret. The uid is
/// signed raw and percent-encoded in the URL.
pub fn presign_url(keys: &SigningKeys, base_url: &str, uid: &str, exp: u64) -> String {
    let sig = signature(&keys.current, base_url, uid, exp);
    format!(
        "{base_url}?uid={}&exp={exp}&sig={sig}",
        encode_component(uid)
    )
}

/// `{base_url}?uid=…&exp=…&iat=…&sig=…`: minted at `iat` (unix seconds), signed with the
/// current secret over the mint time too.
pub fn presign_minted_url(
    keys: &SigningKeys,
    base_url: &str,
    uid: &str,
    iat: u64,
    exp: u64,
) -> String {
    let iat = iat.to_string();
    let mac = mac(&keys.current, base_url, uid, &exp.to_string(), Some(&iat));
    let sig = hex::encode(mac.finalize().into_bytes());
    format!(
        "{base_url}?uid={}&exp={exp}&iat={iat}&sig={sig}",
        encode_component(uid)
    )
}

/// The three query parameters of a presigned URL, as received (already percent-decoded).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignedParams {
    /// The user id, decoded.
    pub(crate) uid: Option<String>,
    /// The expiry, as the digits received (the signature covers this exact text).
    pub(crate) exp: Option<String>,
    /// The mint time, when the URL carries it (signed too).
    pub(crate) iat: Option<String>,
    /// The hex signature.
    pub(crate) sig: Option<String>,
}

impl SignedParams {
    /// Reads `uid`, `exp`, `iat` and `sig` from a raw query string. A parameter given twice is an
    /// error: which copy a proxy or framework keeps is not something to bet a signature on.
    pub fn from_query(query: Option<&str>) -> Result<Self, VerifyError> {
        let mut params = Self::default();
        for (key, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            let slot = match key.as_ref() {
                "uid" => &mut params.uid,
                "exp" => &mut params.exp,
                "iat" => &mut params.iat,
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
        "iat" => "iat",
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
    /// `iat` is given but is not a unix timestamp before `exp`.
    #[error("`iat` is not a unix timestamp before `exp`")]
    MalformedMintTime,
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
    /// `exp` is further ahead than the route's URL life allows: no URL we mint lives that long.
    #[error("the URL expires at {exp}, after the latest its route allows ({latest})")]
    BeyondLife {
        /// Its expiry.
        exp: u64,
        /// Now + the route's life (+ the clock skew allowed between instances).
        latest: u64,
    },
}

impl VerifyError {
    /// A short, fixed name for the reason (metrics label, log budget key).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing(_) => "missing",
            Self::Duplicate(_) => "duplicate",
            Self::MalformedExpiry => "malformed_expiry",
            Self::MalformedMintTime => "malformed_mint_time",
            Self::Expired { .. } => "expired",
            Self::MalformedSignature => "malformed_signature",
            Self::WrongSignature => "wrong_signature",
            Self::BeyondLife { .. } => "beyond_life",
        }
    }
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
    /// When it was minted (unix seconds, by the store's clock), when the URL signs it.
    pub minted: Option<u64>,
    /// Which secret matched.
    pub(crate) signed_with: SignedWith,
}

/// How far apart the clocks of instances sharing one store may be: a URL minted on an instance
/// whose clock runs this much ahead is still accepted by the others.
pub(crate) const CLOCK_SKEW_SECONDS: u64 = 30;

/// Refuses an `exp` further ahead than `now + life` (plus [`CLOCK_SKEW_SECONDS`]): a URL
/// lives at most its route's life, whoever signed it and for however long.
pub(crate) fn within_life(exp: u64, now: u64, life: u64) -> Result<(), VerifyError> {
    let latest = now.saturating_add(life).saturating_add(CLOCK_SKEW_SECONDS);
    if exp > latest {
        Err(VerifyError::BeyondLife { exp, latest })
    } else {
        Ok(())
    }
}

/// Checks a presigned URL's parameters against `base_url` (origin + route path, no query).
/// The comparison is constant-time (`Mac::verify_slice`).
pub fn verify<'p>(
    keys: &SigningKeys,
    base_url: &str,
    params: &'p SignedParams,
    now: u64,
) -> Result<Verified, VerifyError> {
    let present = |value: &'p Option<String>, name: &'static str| match value.as_deref() {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(VerifyError::Missing(name)),
    };
    let uid = present(&params.uid, "uid")?;
    let exp_text = present(&params.exp, "exp")?;
    let sig_text = present(&params.sig, "sig")?;

    if !exp_text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(VerifyError::MalformedExpiry);
    }
    let exp: u64 = exp_text.parse().map_err(|_| VerifyError::MalformedExpiry)?;
    let iat_text = params.iat.as_deref();
    let minted = match iat_text {
        None => None,
        Some(text) => Some(
            text.parse::<u64>()
                .ok()
                .filter(|iat| text.bytes().all(|b| b.is_ascii_digit()) && *iat <= exp)
                .ok_or(VerifyError::MalformedMintTime)?,
        ),
    };
    if now > exp {
        return Err(VerifyError::Expired { exp, now });
    }

    // Decoded on the stack: a flood of forgeries allocates nothing here.
    let mut sig = [0u8; 32];
    if sig_text.len() != 64 || hex::decode_to_slice(sig_text, &mut sig).is_err() {
        return Err(VerifyError::MalformedSignature);
    }

    for (index, secret) in keys.all().enumerate() {
        if mac(secret, base_url, uid, exp_text, iat_text)
            .verify_slice(&sig)
            .is_ok()
        {
            let signed_with = if index == 0 {
                SignedWith::Current
            } else {
                SignedWith::Previous
            };
            return Ok(Verified {
                uid: uid.to_owned(),
                exp,
                minted,
                signed_with,
            });
        }
    }
    Err(VerifyError::WrongSignature)
}

#[cfg(test)]
mod tests;
