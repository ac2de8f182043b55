//! What a genuine push notification sets off: an incremental sync of the channel's calendar
//! (`syncToken`; a 410 starts over), new declines noticed, and the user's pages told, one sync
//! at a time per channel ([`crate::state::syncs::Syncs`]).

use google_calendar3::api::Event;

use crate::calendar::organised_here;
use crate::error::Result;
use crate::google::calendar_watch::is_gone;
use crate::google::retry;
use crate::state::AppState;
use crate::state::bus::Change;

/// A genuine notification for `channel_id`: sync in the background (answering Google at once),
/// one sync at a time per channel, bursts folded into one more.
pub(crate) fn schedule_sync(state: &AppState, channel_id: &str) {
    if !state.syncs.start(channel_id) {
        return;
    }
    let (state, id) = (state.clone(), channel_id.to_owned());
    state.clone().background.spawn(async move {
        let mut failed = 0;
        loop {
            match sync_once(&state, &id).await {
                Ok(()) => failed = 0,
                // The change is still unseen: done again later, or open pages stay stale
                // until the next one. Notifications meanwhile fold into this sync.
                Err(e) if retry::may_pass(&e) && failed + 1 < SYNC_ATTEMPTS => {
                    failed += 1;
                    let wait =
                        retry::backoff(state.config.budgets.background_retry * 4, failed, rand::random());
                    tracing::warn!(channel = %id, error = %e, attempt = failed, wait_ms = wait.as_millis() as u64, "calendar sync failed; trying again");
                    tokio::time::sleep(wait).await;
                    continue;
                }
                Err(e) => {
                    failed = 0;
                    tracing::warn!(channel = %id, error = %e, "calendar sync failed; the next notification tries again");
                }
            }
            if !state.syncs.again(&id) {
                break;
            }
        }
    });
}

/// Syncs made at most for one notification when they fail for reasons time lifts.
const SYNC_ATTEMPTS: u32 = 3;

async fn sync_once(state: &AppState, channel_id: &str) -> Result<()> {
    let Some(channel) = state.store.channel(channel_id).await? else {
        return Ok(());
    };
    let mut google = state.google_in_background(&channel.user_id);
    let calendar = channel.calendar_id.as_str();
    let mut full = channel.sync_token.is_none();
    let changes = match google
        .changes(calendar, channel.sync_token.as_deref())
        .await
    {
        Err(e) if is_gone(&e) => {
            tracing::info!(channel = %channel.id, "sync token expired; syncing in full");
            full = true;
            google.changes(calendar, None).await?
        }
        other => other?,
    };
    state
        .store
        .set_sync_token(&channel.id, changes.next_sync_token.as_deref())
        .await?;
    let declines = new_declines(state, &channel.user_id, &changes.items, !full).await?;
    // The channel is one Google account's; the pages listening are its person's.
    let person = state
        .store
        .person_of(&channel.user_id)
        .await?
        .unwrap_or_else(|| channel.user_id.clone());
    state
        .bus
        .publish(Change::Changed {
            user_id: person.clone(),
            calendar_id: channel.calendar_id.clone(),
            events: if full {
                Vec::new()
            } else {
                changed(&changes.items)
            },
        })
        .await;
    for change in declines {
        let change = match change {
            Change::Declined { title, guest, .. } => Change::Declined {
                user_id: person.clone(),
                title,
                guest,
            },
            other => other,
        };
        state.bus.publish(change).await;
    }
    Ok(())
}

/// Most events named in one `changed` message (it travels in a PostgreSQL NOTIFY, 8,000 bytes
/// at most, and a burst is better summed up as "read again").
const MAX_NAMED: usize = 5;

/// What an incremental sync saw change, named for the page; nothing when it was more than a
/// handful (the page just reads again).
fn changed(items: &[Event]) -> Vec<crate::state::bus::Changed> {
    if items.len() > MAX_NAMED {
        return Vec::new();
    }
    items
        .iter()
        .filter_map(|e| {
            Some(crate::state::bus::Changed {
                id: e.id.clone()?,
                title: e
                    .summary
                    .as_deref()
                    .map_or_else(|| "(no title)".into(), |t| t.chars().take(120).collect()),
                cancelled: e.status.as_deref() == Some("cancelled"),
            })
        })
        .collect()
}

/// Remembers each guest's answer on the user's own meetings that have not ended, and returns a
/// notice for each decline that is new. On a full sync (`announce` false) a guest seen for the
/// first time is only remembered: the first sync of a calendar must not replay old declines.
async fn new_declines(
    state: &AppState,
    user_id: &str,
    items: &[Event],
    announce: bool,
) -> Result<Vec<Change>> {
    let now = state.config.clock.now();
    let mut out = Vec::new();
    for event in items {
        let ended = event
            .end
            .as_ref()
            .and_then(|e| e.date_time)
            .and_then(crate::calendar::from_chrono)
            .is_some_and(|end| end < now);
        let Some(event_id) = event.id.as_deref() else {
            continue;
        };
        if ended || event.status.as_deref() == Some("cancelled") || event.organizer.is_none() {
            continue;
        }
        if !organised_here(event) {
            continue;
        }
        for guest in event.attendees.iter().flatten() {
            if guest.self_ == Some(true) || guest.resource == Some(true) {
                continue;
            }
            let Some(email) = guest.email.as_deref() else {
                continue;
            };
            let response = guest.response_status.as_deref().unwrap_or("needsAction");
            let before = state
                .store
                .swap_guest_response(user_id, event_id, email, response)
                .await?;
            // A full sync (the first, or after a 410) announces only answers that changed from
            // one remembered; the first sight of a guest is a baseline.
            let known = before.is_some() || announce;
            if known && response == "declined" && before.as_deref() != Some("declined") {
                out.push(Change::Declined {
                    user_id: user_id.to_owned(),
                    // Clipped: it travels in a PostgreSQL NOTIFY (8,000 bytes at most).
                    title: event
                        .summary
                        .as_deref()
                        .map_or_else(|| "(no title)".into(), |t| t.chars().take(200).collect()),
                    guest: guest
                        .display_name
                        .clone()
                        .unwrap_or_else(|| email.to_owned()),
                });
            }
        }
    }
    Ok(out)
}
