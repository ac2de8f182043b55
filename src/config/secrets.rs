//! Secrets that look filled in but are not: a value left as one of the deploy files'
//! placeholders, or a signing or encryption key too guessable to sign or encrypt with. Either
//! refuses start-up, naming the variable: a public signing key lets anyone mint tool URLs for
//! any user.

/// The Kubernetes Secret template, whose values are the placeholders an operator replaces.
const SECRET_TEMPLATE: &str = include_str!("../../deploy/kubernetes/secret.yaml");

/// The keys this service signs or encrypts with: each needs [`MIN_ENTROPY_BITS`].
const KEYS: &[&str] = &[
    "PRESIGN_SECRET",
    "PRESIGN_SECRET_PREVIOUS",
    "COOKIE_SECRET",
    "TOKEN_ENCRYPTION_KEY",
    "TOKEN_ENCRYPTION_KEY_PREVIOUS",
];

/// The least entropy a key may have, by [`entropy_bits`]'s estimate.
pub(crate) const MIN_ENTROPY_BITS: f64 = 128.0;

/// Refuses `value` of the secret variable `name` when it is a placeholder, or, for a key, when
/// it looks guessable: the reason, which the reader of the variable names it with.
pub(super) fn check(name: &'static str, value: &str) -> Result<(), String> {
    if is_placeholder(value) {
        return Err("is still the deploy files' placeholder; put the real value in".to_owned());
    }
    // A key shorter than any section accepts is refused there, for its length.
    let bits = entropy_bits(value);
    if KEYS.contains(&name) && value.len() >= 32 && bits < MIN_ENTROPY_BITS {
        return Err(format!(
            "looks guessable (about {bits:.0} bits of entropy; at least \
             {MIN_ENTROPY_BITS:.0} needed): use 32 random bytes, as `calendar-agent secret` \
             or `openssl rand -hex 32` prints them"
        ));
    }
    Ok(())
}

/// The values of the Secret template's `stringData`.
fn placeholders() -> impl Iterator<Item = &'static str> {
    SECRET_TEMPLATE
        .split("stringData:")
        .nth(1)
        .into_iter()
        .flat_map(str::lines)
        .filter_map(|line| line.split_once(": \"")?.1.strip_suffix('"'))
}

/// A template's value, or anything that still begins as its placeholders do.
fn is_placeholder(value: &str) -> bool {
    placeholders().any(|p| p == value)
        || value
            .trim_start()
            .get(..7)
            .is_some_and(|start| start.eq_ignore_ascii_case("replace"))
}

/// A conservative estimate of the entropy of `value`, in bits: each character counts the bits
/// of the alphabet the value draws from (hex digits; else digits, lower and upper case letters,
/// symbols, whichever occur), except one that a pattern predicts: a run continued (`aaa`,
/// `abc`, `987`) or a repetition of the last two to sixteen characters continued (`abab`,
/// `changeme-changeme`). 64 random hex digits score about 220; `0123…` or a word repeated, a
/// few dozen.
pub(crate) fn entropy_bits(value: &str) -> f64 {
    let c: Vec<i64> = value.chars().map(|ch| i64::from(u32::from(ch))).collect();
    let predicted = |i: usize| {
        let run = i >= 2 && c[i] - c[i - 1] == c[i - 1] - c[i - 2] && (c[i] - c[i - 1]).abs() <= 1;
        let repeat = (2..=16).any(|p| i > p && c[i] == c[i - p] && c[i - 1] == c[i - 1 - p]);
        run || repeat
    };
    let counted = (0..c.len()).filter(|&i| !predicted(i)).count();
    counted as f64 * alphabet(value).log2()
}

/// How many characters the value's kinds of character span.
fn alphabet(value: &str) -> f64 {
    if value.chars().all(|ch| ch.is_ascii_hexdigit()) {
        return 16.0;
    }
    let kinds = [
        (value.chars().any(|ch| ch.is_ascii_digit()), 10.0),
        (value.chars().any(|ch| ch.is_lowercase()), 26.0),
        (value.chars().any(|ch| ch.is_uppercase()), 26.0),
        (value.chars().any(|ch| !ch.is_alphanumeric()), 33.0),
    ];
    kinds
        .iter()
        .filter(|(present, _)| *present)
        .map(|(_, size)| size)
        .sum::<f64>()
        .max(2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_keys_pass_and_patterns_do_not() {
        for _ in 0..200 {
            let mut bytes = [0u8; 32];
            rand::fill(&mut bytes);
            let bits = entropy_bits(&hex::encode(bytes));
            assert!(bits >= 180.0, "64 random hex digits: {bits}");
        }
        for weak in [
            "0123456789abcdef0123456789abcdef",
            &"42".repeat(32),
            &"f".repeat(40),
            "changemechangemechangemechangeme!",
            "changeme-changeme-changeme-changeme",
            "abababababababababababababababab1",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1234567",
        ] {
            assert!(
                entropy_bits(weak) < MIN_ENTROPY_BITS,
                "{weak}: {}",
                entropy_bits(weak)
            );
            let refused = check("PRESIGN_SECRET", weak).expect_err(weak);
            assert!(refused.contains("guessable"), "{refused}");
        }
    }

    #[test]
    fn every_placeholder_of_the_secret_template_is_refused_by_name() {
        let all: Vec<&str> = placeholders().collect();
        assert_eq!(all.len(), 5, "{all:?}");
        for placeholder in all {
            let refused = check("ANAM_API_KEY", placeholder).expect_err(placeholder);
            assert!(refused.contains("placeholder"), "{refused}");
        }
        assert!(check("GOOGLE_CLIENT_SECRET", "replace me").is_err());
        // Provider secrets are theirs to choose: only placeholders are refused.
        assert!(check("GOOGLE_CLIENT_SECRET", "short").is_ok());
    }
}
