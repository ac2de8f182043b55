//! Text from outside (Host headers, query values, names Google sends) made safe to log: control
//! characters and quotes escaped, so a value cannot forge a log line, and the length bounded,
//! so a value cannot flood the log.

/// Longest logged value, in characters, before it is cut.
pub(crate) const MAX_LOGGED_CHARS: usize = 120;

/// `text` escaped (`\n`, `\u{1b}`, `\"`…) and cut to [`MAX_LOGGED_CHARS`] with an ellipsis.
pub(crate) fn clip(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_LOGGED_CHARS + 8));
    for (i, c) in text.chars().enumerate() {
        if i == MAX_LOGGED_CHARS {
            out.push('…');
            break;
        }
        if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
            out.push(c);
        } else {
            out.extend(c.escape_default());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_cannot_start_a_new_log_line() {
        let forged = "demo.ngrok.app\n2026-11-23T00:00:00Z INFO signed in user_id=admin";
        let logged = clip(forged);
        assert!(!logged.contains('\n'));
        assert!(logged.starts_with("demo.ngrok.app\\n2026"));
        assert_eq!(clip("a\u{1b}[31mred\"\\"), "a\\u{1b}[31mred\\\"\\\\");
    }

    #[test]
    fn long_values_are_cut() {
        let logged = clip(&"x".repeat(10_000));
        assert_eq!(logged.chars().count(), MAX_LOGGED_CHARS + 1);
        assert!(logged.ends_with('…'));
        assert_eq!(clip("short"), "short");
    }
}
