//! Encryption of stored refresh tokens: AES-256-GCM, a random nonce per write, and the user id
//! as associated data, so a row copied onto another user fails to decrypt instead of handing
//! out someone else's token.
//!
//! Rotation: a cipher holds the current key (every write) and optionally the previous one
//! (`TOKEN_ENCRYPTION_KEY_PREVIOUS`, read only); a token read under the previous key is
//! re-encrypted by the store. Each key has a fingerprint (an HMAC of a fixed label under the
//! key, never the key) that the store keeps, so an instance started with another key refuses
//! to start instead of reading every grant as broken.

use std::io;
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::secret::Secret;

/// Version byte in front of every ciphertext, so the format can change without guessing.
const FORMAT_V1: u8 = 1;
const NONCE_LEN: usize = 12;

/// The label whose HMAC under a key is that key's fingerprint.
const FINGERPRINT_LABEL: &[u8] = b"calendar-agent/token-encryption-key/fingerprint/v1";

/// Encrypts refresh tokens with the current 32-byte key; decrypts with it or the previous one.
#[derive(Clone)]
pub struct TokenCipher {
    current: Aes256Gcm,
    current_fingerprint: String,
    previous: Option<(Aes256Gcm, String)>,
}

/// Which key a token decrypted under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyUsed {
    /// `TOKEN_ENCRYPTION_KEY`.
    Current,
    /// `TOKEN_ENCRYPTION_KEY_PREVIOUS`: the token should be re-encrypted.
    Previous,
}

/// The fingerprint of `key`: hex HMAC-SHA256 of a fixed label, safe to store beside the data.
pub(crate) fn fingerprint(key: &[u8; 32]) -> String {
    let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(key)
        .expect("HMAC accepts keys of any length");
    mac.update(FINGERPRINT_LABEL);
    hex::encode(mac.finalize().into_bytes())
}

/// A stored token that cannot be decrypted: tampered with, moved to another user, or written
/// under another `TOKEN_ENCRYPTION_KEY`.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("stored token could not be decrypted (tampered, moved, or another TOKEN_ENCRYPTION_KEY)")]
pub struct Undecryptable;

impl TokenCipher {
    /// A cipher over `key` alone.
    pub fn new(key: &[u8; 32]) -> Self {
        Self {
            current: Aes256Gcm::new(key.into()),
            current_fingerprint: fingerprint(key),
            previous: None,
        }
    }

    /// Also reads tokens written under `previous` (a key being rotated away from).
    pub(crate) fn with_previous(mut self, previous: Option<&[u8; 32]>) -> Self {
        self.previous = previous.map(|key| (Aes256Gcm::new(key.into()), fingerprint(key)));
        self
    }

    /// The current key's fingerprint.
    pub(crate) fn fingerprint(&self) -> &str {
        &self.current_fingerprint
    }

    /// The previous key's fingerprint, when one is configured.
    pub(crate) fn previous_fingerprint(&self) -> Option<&str> {
        self.previous.as_ref().map(|(_, f)| f.as_str())
    }

    /// `version || nonce || ciphertext+tag`, bound to `user_id`.
    pub fn encrypt(&self, user_id: &str, token: &Secret) -> Vec<u8> {
        let mut nonce_bytes = [0u8; NONCE_LEN];
        rand::fill(&mut nonce_bytes);
        let nonce = Nonce::from(nonce_bytes);
        let sealed = self
            .current
            .encrypt(
                &nonce,
                Payload {
                    msg: token.expose().as_bytes(),
                    aad: user_id.as_bytes(),
                },
            )
            .expect("AES-GCM encryption of a short token cannot fail");
        let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        out.push(FORMAT_V1);
        out.extend_from_slice(&nonce_bytes);
        out.extend_from_slice(&sealed);
        out
    }

    /// The token, if `blob` was encrypted by the current key for this `user_id` and not
    /// altered.
    pub fn decrypt(&self, user_id: &str, blob: &[u8]) -> Result<Secret, Undecryptable> {
        open_with(&self.current, user_id, blob)
    }

    /// The token and which key opened it: the current one, else the previous one.
    pub(crate) fn open(
        &self,
        user_id: &str,
        blob: &[u8],
    ) -> Result<(Secret, KeyUsed), Undecryptable> {
        match open_with(&self.current, user_id, blob) {
            Ok(token) => Ok((token, KeyUsed::Current)),
            Err(e) => match &self.previous {
                Some((previous, _)) => {
                    open_with(previous, user_id, blob).map(|token| (token, KeyUsed::Previous))
                }
                None => Err(e),
            },
        }
    }
}

fn open_with(cipher: &Aes256Gcm, user_id: &str, blob: &[u8]) -> Result<Secret, Undecryptable> {
    let (&version, rest) = blob.split_first().ok_or(Undecryptable)?;
    if version != FORMAT_V1 || rest.len() < NONCE_LEN {
        return Err(Undecryptable);
    }
    let (nonce_bytes, sealed) = rest.split_at(NONCE_LEN);
    let nonce_array: [u8; NONCE_LEN] = nonce_bytes.try_into().map_err(|_| Undecryptable)?;
    let plain = cipher
        .decrypt(
            &Nonce::from(nonce_array),
            Payload {
                msg: sealed,
                aad: user_id.as_bytes(),
            },
        )
        .map_err(|_| Undecryptable)?;
    String::from_utf8(plain)
        .map(Secret::new)
        .map_err(|_| Undecryptable)
}

/// Reads the development key from `path`, creating it (mode 0600, 32 random bytes as hex) if it
/// does not exist. Returns the key and whether it was just created.
pub(crate) fn load_or_create_key_file(path: &Path) -> io::Result<([u8; 32], bool)> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let key = hex::decode(text.trim())
                .ok()
                .and_then(|b| <[u8; 32]>::try_from(b).ok())
                .ok_or_else(|| {
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("{} does not hold 64 hex characters", path.display()),
                    )
                })?;
            Ok((key, false))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let mut key = [0u8; 32];
            rand::fill(&mut key);
            write_private(path, &hex::encode(key))?;
            Ok((key, true))
        }
        Err(e) => Err(e),
    }
}

/// Creates `path` readable by its owner only; fails if it already exists (no silent overwrite
/// of a key that encrypted data).
fn write_private(path: &Path, contents: &str) -> io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cipher() -> TokenCipher {
        TokenCipher::new(&[7u8; 32])
    }

    #[test]
    fn a_token_round_trips_for_its_user() {
        let token = Secret::new("1//refresh-token");
        let blob = cipher().encrypt("ada@example.com", &token);
        assert_eq!(cipher().decrypt("ada@example.com", &blob), Ok(token));
    }

    #[test]
    fn each_write_uses_a_fresh_nonce() {
        let token = Secret::new("same");
        assert_ne!(
            cipher().encrypt("ada@example.com", &token),
            cipher().encrypt("ada@example.com", &token)
        );
    }

    #[test]
    fn a_blob_moved_to_another_user_does_not_decrypt() {
        let blob = cipher().encrypt("ada@example.com", &Secret::new("ada-token"));
        assert_eq!(
            cipher().decrypt("eve@example.com", &blob),
            Err(Undecryptable)
        );
    }

    #[test]
    fn a_flipped_bit_or_another_key_does_not_decrypt() {
        let mut blob = cipher().encrypt("ada@example.com", &Secret::new("ada-token"));
        let other = TokenCipher::new(&[8u8; 32]);
        assert_eq!(other.decrypt("ada@example.com", &blob), Err(Undecryptable));
        let last = blob.len() - 1;
        blob[last] ^= 1;
        assert_eq!(
            cipher().decrypt("ada@example.com", &blob),
            Err(Undecryptable)
        );
        assert_eq!(cipher().decrypt("ada@example.com", &[]), Err(Undecryptable));
        assert_eq!(
            cipher().decrypt("ada@example.com", &[1, 2, 3]),
            Err(Undecryptable)
        );
    }

    #[test]
    fn the_previous_key_still_opens_what_it_wrote_and_says_so() {
        let old = TokenCipher::new(&[8u8; 32]);
        let blob = old.encrypt("ada@example.com", &Secret::new("ada-token"));
        let rotated = cipher().with_previous(Some(&[8u8; 32]));
        assert_eq!(
            rotated.open("ada@example.com", &blob),
            Ok((Secret::new("ada-token"), KeyUsed::Previous))
        );
        let fresh = rotated.encrypt("ada@example.com", &Secret::new("ada-token"));
        assert_eq!(
            rotated.open("ada@example.com", &fresh).map(|(_, k)| k),
            Ok(KeyUsed::Current)
        );
        assert_eq!(cipher().open("ada@example.com", &blob), Err(Undecryptable));
        assert_eq!(
            old.open("ada@example.com", &fresh),
            Err(Undecryptable),
            "new writes use the new key only"
        );
    }

    #[test]
    fn fingerprints_tell_keys_apart_and_do_not_show_the_key() {
        let a = fingerprint(&[7u8; 32]);
        assert_eq!(a, cipher().fingerprint());
        assert_ne!(a, fingerprint(&[8u8; 32]));
        assert_eq!(a.len(), 64);
        assert!(!a.contains(&hex::encode([7u8; 32])));
        assert_eq!(
            cipher()
                .with_previous(Some(&[8u8; 32]))
                .previous_fingerprint(),
            Some(fingerprint(&[8u8; 32]).as_str())
        );
    }

    #[test]
    fn the_dev_key_file_is_created_private_and_then_reused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("nested").join("token-encryption.key");
        let (first, created) = load_or_create_key_file(&path).expect("created");
        assert!(created);
        let (again, created_again) = load_or_create_key_file(&path).expect("read");
        assert!(!created_again);
        assert_eq!(first, again);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_corrupt_key_file_is_an_error_not_a_new_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("token-encryption.key");
        std::fs::write(&path, "nope").expect("write");
        assert!(load_or_create_key_file(&path).is_err());
    }
}
