//! `calendar-agent audit [--user EMAIL]`: every write made for users (holds, invitation
//! answers, changes, meetings), as a table.

use jiff::Timestamp;

use crate::config::Config;
use crate::state::open_store;
use crate::store::AuditRow;

/// The newest `limit` audit rows (of `user`, or everyone's), oldest first, as a table.
pub async fn audit(config: &Config, user: Option<&str>, limit: i64) -> Result<String, String> {
    let store = open_store(config).await.map_err(|e| e.to_string())?;
    let rows = store
        .audit_rows(user, limit.clamp(1, 100_000))
        .await
        .map_err(|e| e.to_string())?;
    Ok(table(&rows))
}

/// Aligned columns: TIME (UTC), USER, TOOL, OUTCOME, WHAT, ID (the draft or change named),
/// EVENT, PEOPLE (who Google told), DETAIL.
pub(super) fn table(rows: &[AuditRow]) -> String {
    if rows.is_empty() {
        return "(nothing written yet)".into();
    }
    let or_dash = |value: &str| {
        if value.is_empty() {
            "-".to_owned()
        } else {
            value.to_owned()
        }
    };
    let cells = rows.iter().map(|r| {
        vec![
            Timestamp::from_second(r.at)
                .map(|t| t.strftime("%Y-%m-%d %H:%M:%SZ").to_string())
                .unwrap_or_else(|_| r.at.to_string()),
            r.user_id.clone(),
            or_dash(&r.tool),
            r.outcome.clone(),
            or_dash(r.what.as_deref().unwrap_or_default()),
            or_dash(&r.draft_id),
            or_dash(r.event_id.as_deref().unwrap_or_default()),
            or_dash(&r.attendees.replace(',', ", ")),
            r.detail.clone().unwrap_or_default(),
        ]
    });
    let header = [
        "TIME", "USER", "TOOL", "OUTCOME", "WHAT", "ID", "EVENT", "PEOPLE", "DETAIL",
    ];
    super::aligned(&header, cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_audit_prints_one_aligned_row_per_attempt() {
        let row = |at, tool: &str, what: &str, draft: &str, outcome: &str| AuditRow {
            at,
            user_id: "ada@example.com".into(),
            tool: tool.into(),
            what: Some(what.into()),
            draft_id: draft.into(),
            attendees: if draft.is_empty() {
                String::new()
            } else {
                "sam@example.com,lee@example.org".into()
            },
            event_id: Some("abc".into()),
            outcome: outcome.into(),
            detail: None,
        };
        let rows = [
            row(
                1_900_000_000,
                "create_meeting",
                "Kickoff",
                "K7M4QX",
                "created",
            ),
            row(
                1_900_000_030,
                "block_time",
                "focus Deep work",
                "",
                "created",
            ),
        ];
        let printed = table(&rows);
        let lines: Vec<&str> = printed.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(
            lines[0].starts_with(
                "TIME                  USER             TOOL            OUTCOME  WHAT"
            ),
            "{printed}"
        );
        assert!(
            lines[1].starts_with(
                "2030-03-17 17:46:40Z  ada@example.com  create_meeting  created  Kickoff"
            ),
            "{printed}"
        );
        assert!(
            lines[1].contains("K7M4QX") && lines[1].contains("sam@example.com, lee@example.org")
        );
        assert!(
            lines[2].contains("block_time") && lines[2].contains("focus Deep work"),
            "{printed}"
        );
        assert_eq!(table(&[]), "(nothing written yet)");
    }
}
