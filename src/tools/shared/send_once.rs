//! Sending something read back first, exactly once (docs/operations.md, Guarantees): a meeting draft, and the
//! change proposals of §15. What is sent is stored under a short id for one user and one
//! session; sending it claims it and counts its guests' e-mails against the allowance in one
//! store transaction, so of N concurrent calls on N instances exactly one sends, and only if
//! the allowance has room. The others answer 409 `in_progress` while it is being sent, and the
//! first answer after. The audit row is written before Google is called and completed after.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::audit::Audit;
use super::handler::{RECORD_RESERVE, until};
use super::tool::{Call, account_in};
use crate::error::{Action, Error, Result};
use crate::google::user_calendar::UserCalendar;
use crate::guest_emails;
use crate::http::verified_user::VerifiedUser;
use crate::state::AppState;
use crate::store::{Claim, Draft, Kind, SEND_LEASE_SECONDS, normalise_draft_id};

/// A repeat of a sent item within this long is a retry (Anam, or the model saying it twice)
/// and gets the same answer; later, it counts as sent.
pub(crate) const RETRY_WINDOW_SECONDS: i64 = 120;

/// What kind of thing is sent, and how to speak of it.
pub(crate) struct Sendable<P> {
    /// The tool's name (for the time-out error and the log).
    pub tool: &'static str,
    /// What is stored under the id: an id of the other kind is as unknown as none.
    pub kind: Kind,
    /// How to name it in "I am sending {what} right now".
    pub what: &'static str,
    /// The e-mails Google will send for it (taken from the allowance at the claim).
    pub emails: fn(&P) -> u32,
    /// Who hears of it, for the audit row.
    pub people: fn(&P) -> String,
    /// What it writes in a few words, for the audit row.
    pub summary: fn(&P) -> String,
    /// The 404 for an id this user may not send, with the reason in words.
    pub unusable: fn(&'static str) -> Error,
    /// The id of the event it writes, known before Google is asked (so the audit row has it).
    pub event_id: fn(&P, &Draft) -> String,
    /// The audit outcome of a completed send (`created`, `applied`).
    pub done: &'static str,
    /// The Google account it is written through, when the person has several (else theirs).
    pub account: fn(&P) -> Option<&str>,
}

/// What a request may do with a stored item.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Judgement<P> {
    /// Send it: first use, after a failed send, or after a claim that outlived its lease (a
    /// crash mid-send; the write's own idempotency keeps it to one).
    Send(P),
    /// Another request is sending it right now.
    InProgress,
    /// A retry of a sent item: this answer again.
    Repeat(String),
    /// Nothing may be sent: (audit outcome, the reason in words).
    Refuse(&'static str, &'static str),
}

/// Decides what `user` may do with `item` at `now` (unix seconds). Pure.
pub(crate) fn judge<P: DeserializeOwned>(
    item: Option<&Draft>,
    kind: Kind,
    user: &VerifiedUser,
    now: i64,
) -> Judgement<P> {
    let unknown = Judgement::Refuse("not_found", "unusable_not_theirs");
    let Some(item) = item else { return unknown };
    // Another user's (or another kind's) looks exactly like none at all.
    if item.user_id != user.user_id || item.kind != kind {
        return unknown;
    }
    if item.session != user.session {
        return Judgement::Refuse("other_session", "unusable_earlier_session");
    }
    match (item.used_at, &item.answer) {
        (Some(used), Some(answer)) => {
            return if now - used <= RETRY_WINDOW_SECONDS {
                Judgement::Repeat(answer.clone())
            } else {
                Judgement::Refuse("already_sent", "unusable_already_sent")
            };
        }
        (Some(claimed), None) if now - claimed <= SEND_LEASE_SECONDS => {
            return Judgement::InProgress;
        }
        _ => {}
    }
    if now > item.expires_at {
        return Judgement::Refuse("expired", "unusable_expired");
    }
    match serde_json::from_str::<P>(&item.payload) {
        Ok(payload) => Judgement::Send(payload),
        Err(_) => Judgement::Refuse("not_found", "unusable_unreadable"),
    }
}

/// The send under way: the event it writes, its audit row, and when it must have answered.
pub(crate) struct Attempt {
    /// The id of the event it writes.
    pub(crate) event_id: String,
    /// Its audit row (`sending` until completed).
    pub(crate) audit_id: i64,
    /// The send must be done by then (recording its answer comes after).
    pub(crate) deadline: tokio::time::Instant,
}

/// What a send did.
pub(crate) struct Sent {
    /// The answer (repeated to a retry).
    pub(crate) answer: Value,
    /// Whether part of it is still being finished in the background (its audit row says so
    /// until the background work completes it).
    pub(crate) finishing: bool,
}

impl Sent {
    /// A send completed.
    pub(crate) fn done(answer: Value) -> Self {
        Self {
            answer,
            finishing: false,
        }
    }
}

/// Sends the item the user named `given` (as the model said it) with `send`, once. `send` gets
/// the payload and the attempt and returns what it did.
pub(crate) async fn send_once<P, F>(
    call: &mut Call,
    spec: &Sendable<P>,
    given: &str,
    send: F,
) -> Result<Value>
where
    P: DeserializeOwned,
    F: AsyncFnOnce(&mut UserCalendar, P, Attempt) -> Result<Sent>,
{
    let (state, user) = (&call.state, &call.user);
    let store = &state.store;
    let id = normalise_draft_id(given);
    let item = match &id {
        Some(id) => store.draft(id).await?,
        None => None,
    };
    // Who would hear of it, and what it is (nothing, for an item that is not the caller's).
    let own = item
        .as_ref()
        .filter(|d| d.user_id == user.user_id)
        .and_then(|d| serde_json::from_str::<P>(&d.payload).ok());
    let audit = Audit::new(
        store,
        &user.user_id,
        spec.tool,
        own.as_ref().map(spec.summary).unwrap_or_default(),
    )
    .item(id.clone().unwrap_or_else(|| crate::log_safe::clip(given)))
    .people(own.as_ref().map(spec.people).unwrap_or_default());
    // Written through the account it was read back for (checked before anything is claimed).
    let google = match own.as_ref().and_then(spec.account) {
        Some(email) => account_in(&mut call.google, &call.account, &mut call.others, email)?.0,
        None => &mut call.google,
    };
    let now = crate::store::now_i64();
    let mut judgement = judge::<P>(item.as_ref(), spec.kind, user, now);
    if let (Judgement::Send(payload), Some(found)) = (&judgement, &item) {
        let key = guest_emails::key(&user.user_id);
        let emails = (spec.emails)(payload);
        let limit = guest_emails::limit(&state.config, &key);
        match store.claim_draft(&found.id, limit, emails).await? {
            Claim::Claimed => {}
            Claim::Lost => {
                // Another request (another instance, maybe) claimed it just now.
                let again = store.draft(&found.id).await?;
                judgement = match judge::<P>(again.as_ref(), spec.kind, user, now) {
                    Judgement::Send(_) => Judgement::InProgress,
                    other => other,
                };
            }
            Claim::Exhausted { retry_after } => {
                audit.write("rate_limited", None).await?;
                tracing::warn!(user_id = %user.user_id, emails, "guest e-mail allowance reached; nothing sent");
                return Err(guest_emails::refused(&state.config, retry_after));
            }
        }
    }
    let (payload, item) = match (judgement, item) {
        (Judgement::Send(payload), Some(item)) => (payload, item),
        (Judgement::Refuse(outcome, why), _) => {
            audit.write(outcome, None).await?;
            return Err((spec.unusable)(why));
        }
        (Judgement::InProgress, _) => {
            audit.write("in_progress", None).await?;
            return Err(Error::Action(Action::InProgress(spec.what)));
        }
        (Judgement::Repeat(answer), item) => {
            let event = item.as_ref().and_then(|d| d.event_id.as_deref());
            audit.write("repeat", event).await?;
            tracing::info!(user_id = %user.user_id, tool = spec.tool, "repeated; the same answer, nothing sent");
            return serde_json::from_str(&answer)
                .map_err(|e| Error::internal(format!("stored answer: {e}")));
        }
        // `judge` says Send only for an item it was given.
        (Judgement::Send(_), None) => return Err((spec.unusable)("unusable_not_theirs")),
    };
    send_claimed(state, user, google, spec, &audit, (item, payload), send).await
}

/// Sends a claimed item: the attempt audited before Google is asked, completed after. Once
/// Google has written, the answer stands even if recording it fails: a retry meets the same
/// write, never a second e-mail.
async fn send_claimed<P, F>(
    state: &AppState,
    user: &VerifiedUser,
    google: &mut UserCalendar,
    spec: &Sendable<P>,
    audit: &Audit<'_>,
    (item, payload): (Draft, P),
    send: F,
) -> Result<Value>
where
    F: AsyncFnOnce(&mut UserCalendar, P, Attempt) -> Result<Sent>,
{
    let store = &state.store;
    let item_id = item.id.clone();
    let event_id = (spec.event_id)(&payload, &item);
    let attempt = match audit.write("sending", Some(&event_id)).await {
        Ok(id) => id,
        Err(e) => {
            // Not audited, so not sent: give it back for a retry.
            let _ = store.release_draft(&item_id).await;
            return Err(e);
        }
    };
    // Google gets the budget less what recording its answer needs.
    let deadline = user.deadline() - RECORD_RESERVE;
    let sending = Attempt {
        event_id: event_id.clone(),
        audit_id: attempt,
        deadline,
    };
    let result = until(spec.tool, deadline, send(google, payload, sending)).await;
    let user_id = &user.user_id;
    match result {
        Ok(Sent { answer, finishing }) => {
            if let Err(e) = store
                .finish_draft(&item_id, &event_id, &answer.to_string())
                .await
            {
                tracing::error!(user_id = %user_id, error = %e, event_id, "sent, but recording the answer failed");
            }
            let outcome = if finishing { "finishing" } else { spec.done };
            audit.finish(attempt, outcome, None).await;
            Ok(answer)
        }
        Err(e) => {
            if let Err(release) = store.release_draft(&item_id).await {
                tracing::warn!(error = %release, "giving the item back failed; it frees after its lease");
            }
            audit.finish(attempt, "failed", Some(e.reason())).await;
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::draft_meeting::MeetingDraft;
    use crate::tools::test_support::sample_draft as draft;

    fn user(session: u64) -> VerifiedUser {
        VerifiedUser {
            user_id: "ada@example.com".into(),
            exp: session + 900,
            session,
            arrived: tokio::time::Instant::now(),
            deadline: tokio::time::Instant::now(),
            language: crate::language::Language::ENGLISH,
        }
    }

    fn judged(item: Option<&Draft>, user: &VerifiedUser, now: i64) -> Judgement<MeetingDraft> {
        judge(item, Kind::Meeting, user, now)
    }

    fn refused(j: Judgement<MeetingDraft>) -> &'static str {
        match j {
            Judgement::Refuse(outcome, _) => outcome,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn only_the_owner_in_the_same_session_before_expiry_may_send() {
        assert!(matches!(
            judged(Some(&draft()), &user(1_000), 1_100),
            Judgement::Send(_)
        ));
        assert_eq!(refused(judged(None, &user(1_000), 1_100)), "not_found");
        let mut eve = user(1_000);
        eve.user_id = "eve@example.com".into();
        assert_eq!(refused(judged(Some(&draft()), &eve, 1_100)), "not_found");
        assert_eq!(
            refused(judged(Some(&draft()), &user(2_000), 1_100)),
            "other_session"
        );
        assert_eq!(
            refused(judged(Some(&draft()), &user(1_000), 1_901)),
            "expired"
        );
    }

    #[test]
    fn a_sent_item_is_repeated_shortly_after_and_refused_later() {
        let mut sent = draft();
        sent.used_at = Some(1_100);
        sent.answer = Some("{\"eventId\":\"x\"}".into());
        assert_eq!(
            judged(Some(&sent), &user(1_000), 1_150),
            Judgement::Repeat("{\"eventId\":\"x\"}".into())
        );
        assert_eq!(
            refused(judged(
                Some(&sent),
                &user(1_000),
                1_100 + RETRY_WINDOW_SECONDS + 1
            )),
            "already_sent"
        );
        // Claimed and not answered yet: someone is sending it, until the lease runs out.
        let mut half = draft();
        half.used_at = Some(1_100);
        assert_eq!(
            judged(Some(&half), &user(1_000), 1_100 + SEND_LEASE_SECONDS),
            Judgement::InProgress
        );
        assert!(matches!(
            judged(Some(&half), &user(1_000), 1_101 + SEND_LEASE_SECONDS),
            Judgement::Send(_)
        ));
    }

    #[test]
    fn an_item_of_the_other_kind_is_as_unknown_as_none() {
        let mut change = draft();
        change.kind = Kind::Change;
        assert_eq!(
            refused(judged(Some(&change), &user(1_000), 1_100)),
            "not_found"
        );
    }
}
