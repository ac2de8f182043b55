//! What the service's own rules refuse to do with the user's calendar, before Google is asked.

use axum::http::StatusCode;

use super::Parts;

/// A calendar action this service will not do (nothing was written).
#[derive(Debug, thiserror::Error)]
pub enum Action {
    /// No meeting draft this user may send: unknown, another user's or session's, expired, or
    /// already sent.
    #[error("meeting draft unusable: {0}")]
    DraftUnusable(&'static str),
    /// A send that another request is doing right now (a draft or a change being sent).
    #[error("already being sent: {0}")]
    InProgress(&'static str),
    /// A change to an event this service did not make (or the user does not organise).
    #[error("event not made by this service")]
    NotMadeByAgent,
}

impl Action {
    /// Status, reason and sentence.
    pub fn parts(&self) -> Parts {
        use StatusCode as S;
        match self {
            Self::DraftUnusable(why) => Parts::new(
                S::NOT_FOUND,
                "draft_not_found",
                format!(
                    "That meeting draft cannot be sent: {why}. Nothing was sent to anyone. Make \
                     a new draft with draft_meeting, read it back, and send it after the user \
                     says yes."
                ),
            ),
            Self::InProgress(what) => Parts::new(
                S::CONFLICT,
                "in_progress",
                format!(
                    "I am sending {what} right now, so I did not send them again. Ask again in \
                     a moment to hear how it went."
                ),
            ),
            Self::NotMadeByAgent => Parts::new(
                S::FORBIDDEN,
                "not_made_by_agent",
                "That event was not made by this assistant, so it can only be read here, not \
                 moved or cancelled. The user can change it in Google Calendar.",
            ),
        }
    }
}
