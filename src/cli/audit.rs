//! `calendar-agent audit [--user EMAIL]`: the audit of what was sent for users, as a table.

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

/// Aligned columns: TIME (UTC), USER, DRAFT, OUTCOME, EVENT, ATTENDEES, DETAIL.
pub(super) fn table(rows: &[AuditRow]) -> String {
    if rows.is_empty() {
        return "(nothing sent yet)".into();
    }
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            [
                Timestamp::from_second(r.at)
                    .map(|t| t.strftime("%Y-%m-%d %H:%M:%SZ").to_string())
                    .unwrap_or_else(|_| r.at.to_string()),
                r.user_id.clone(),
                r.draft_id.clone(),
                r.outcome.clone(),
                r.event_id.clone().unwrap_or_else(|| "-".into()),
                if r.attendees.is_empty() {
                    "-".into()
                } else {
                    r.attendees.replace(',', ", ")
                },
                r.detail.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let header = [
        "TIME",
        "USER",
        "DRAFT",
        "OUTCOME",
        "EVENT",
        "ATTENDEES",
        "DETAIL",
    ];
    super::aligned(&header, cells.iter().map(|c| c.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_audit_prints_one_aligned_row_per_attempt() {
        let rows = [
            AuditRow {
                at: 1_900_000_000,
                user_id: "ada@example.com".into(),
                draft_id: "K7M4QX".into(),
                attendees: "sam@example.com,lee@example.org".into(),
                event_id: Some("abc".into()),
                outcome: "created".into(),
                detail: None,
            },
            AuditRow {
                at: 1_900_000_030,
                user_id: "ada@example.com".into(),
                draft_id: "K7M4QX".into(),
                attendees: "sam@example.com,lee@example.org".into(),
                event_id: Some("abc".into()),
                outcome: "repeat".into(),
                detail: None,
            },
        ];
        let printed = table(&rows);
        let lines: Vec<&str> = printed.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("TIME"));
        assert!(lines[1].starts_with("2030-03-17 17:46:40Z  ada@example.com  K7M4QX  created"));
        assert!(lines[2].contains("repeat"));
        assert!(lines[1].contains("sam@example.com, lee@example.org"));
        assert_eq!(table(&[]), "(nothing sent yet)");
    }
}
