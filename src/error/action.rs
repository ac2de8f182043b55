//! What the service's own rules refuse to do with the user's calendar, before Google is asked.

use axum::http::StatusCode;

use super::Parts;
use crate::messages::Said;

/// A calendar action this service will not do (nothing was written).
#[derive(Debug, thiserror::Error)]
pub enum Action {
    /// No meeting draft this user may send: unknown, another user's or session's, expired, or
    /// already sent (the key of the sentence saying which).
    #[error("meeting draft unusable: {0}")]
    DraftUnusable(&'static str),
    /// A send that another request is doing right now (a draft or a change being sent).
    #[error("already being sent: {0}")]
    InProgress(&'static str),
    /// No change proposal this user may apply: unknown, another user's or session's,
    /// expired, or already applied.
    #[error("change proposal unusable: {0}")]
    ChangeUnusable(&'static str),
    /// A change to an event someone else organizes (and this service did not make).
    #[error("the user does not organize that event")]
    NotOrganizer,
    /// The event changed since the proposal read it back (Google's 412 on `If-Match`).
    #[error("the event changed since it was read back")]
    EventChanged,
    /// Google refused a focus-time or out-of-office entry (not every account has them).
    #[error("Google does not offer {0} here")]
    KindNotAvailable(&'static str),
    /// Google refused a working-location entry (the account does not have them).
    #[error("Google does not offer working locations here")]
    WorkingLocationNotAvailable,
    /// A change to a series that would not leave the calendar as meant (the guard found a
    /// difference): the sentence says what can be done instead.
    #[error("series change refused: {0}")]
    SeriesChangeUnsupported(crate::messages::Said),
    /// An account the person has not connected (`account` argument, or the accounts routes).
    #[error("not one of the user's Google accounts")]
    AccountUnknown,
    /// Removing the person's last account (sign-out is for that).
    #[error("the last account cannot be removed")]
    AccountLast,
    /// Adding an account that belongs to another person here.
    #[error("that Google account belongs to someone else here")]
    AccountTaken,
    /// The event (or occurrence) named is already cancelled; `moving` says what was asked.
    #[error("the event is already cancelled")]
    AlreadyCancelled {
        /// A move was asked (else a cancel).
        moving: bool,
    },
}

impl Action {
    /// Status, reason and sentence.
    pub fn parts(&self) -> Parts {
        use StatusCode as S;
        match self {
            Self::DraftUnusable(why) => {
                Parts::new(S::NOT_FOUND, "draft_not_found").var_said("detail", Said::key(why))
            }
            Self::InProgress(what) => {
                Parts::new(S::CONFLICT, "in_progress").var_said("what", Said::key(what))
            }
            Self::ChangeUnusable(why) => {
                Parts::new(S::NOT_FOUND, "change_not_found").var_said("detail", Said::key(why))
            }
            Self::NotOrganizer => Parts::new(S::FORBIDDEN, "not_organizer"),
            Self::EventChanged => Parts::new(S::CONFLICT, "event_changed"),
            Self::KindNotAvailable(kind) => {
                Parts::new(S::BAD_REQUEST, "kind_not_available").var_said("kind", Said::key(kind))
            }
            Self::WorkingLocationNotAvailable => Parts::said(
                S::BAD_REQUEST,
                "kind_not_available",
                "working_location_not_available",
            ),
            Self::SeriesChangeUnsupported(sentence) => {
                Parts::new(S::BAD_REQUEST, "series_change_unsupported")
                    .var_said("detail", sentence.clone())
            }
            Self::AccountUnknown => Parts::new(S::NOT_FOUND, "account_not_found"),
            Self::AccountLast => Parts::new(S::CONFLICT, "account_last"),
            Self::AccountTaken => Parts::new(S::CONFLICT, "account_taken"),
            Self::AlreadyCancelled { moving: false } => {
                Parts::new(S::CONFLICT, "already_cancelled")
            }
            Self::AlreadyCancelled { moving: true } => {
                Parts::said(S::CONFLICT, "already_cancelled", "already_cancelled_moving")
            }
        }
    }
}
