//! English: the reference table (every key the code says is here).

pub(super) const TABLE: super::Table = &[
    (
        "draft_not_found",
        "That meeting draft cannot be sent: {detail}. Nothing was sent to anyone. Make a new draft with draft_meeting, read it back, and send it after the user says yes.",
    ),
    (
        "in_progress",
        "I am sending {what} right now, so I did not send them again. Ask again in a moment to hear how it went.",
    ),
    (
        "change_not_found",
        "That change cannot be applied: {detail}. Nothing was changed. Propose it again with propose_change, read it back, and apply it after the user says yes.",
    ),
    (
        "not_organizer",
        "Someone else organizes that event, so only the organizer can move or cancel it. I can decline it for the user instead, with respond_to_invite.",
    ),
    (
        "event_changed",
        "That event changed since I read it back, so I did not change it. Let me look at it again with propose_change.",
    ),
    (
        "kind_not_available",
        "Google Calendar does not offer {kind} for this calendar, so nothing was added. I can block the time as a plain hold instead, if the user wants.",
    ),
    (
        "working_location_not_available",
        "Google Calendar does not let me set working locations for this account, so nothing was set. The user can set where they work in Google Calendar's settings, under working hours and location.",
    ),
    ("series_change_unsupported", "{detail} Nothing was changed."),
    (
        "already_cancelled",
        "It is already cancelled, so there is nothing left to cancel.",
    ),
    (
        "already_cancelled_moving",
        "That event was cancelled, so it cannot be moved. I can block the new time with block_time, or set up a new meeting, if the user wants.",
    ),
    (
        "url_expired",
        "This calendar link has expired. Ask the user to end the call and press Start again.",
    ),
    (
        "invalid_signature",
        "This calendar link is not valid, so I cannot reach the calendar. Ask the user to end the call and press Start again.",
    ),
    (
        "meeting_url_expired",
        "The link for sending invitations and changes has expired; it lasts a short while after Start, for safety. The other calendar tools still work. Ask the user to end the call and press Start again to send invitations or apply the change.",
    ),
    (
        "signed_out",
        "The user has signed out since this conversation started, so I can no longer reach their calendar. Ask them to sign in again at the page and press Start.",
    ),
    (
        "not_signed_in",
        "Not signed in. Sign in with Google on the page first.",
    ),
    (
        "not_connected",
        "This user's Google Calendar is not connected. Ask the user to sign in with Google at the page, then try again.",
    ),
    (
        "google_reauth_required",
        "Google access to this calendar was revoked or has expired. Ask the user to sign in with Google again at the page.",
    ),
    (
        "invalid_oauth_state",
        "The sign-in could not be completed because {detail}. Go back to the page and sign in again.",
    ),
    (
        "invalid_channel_token",
        "This notification's channel token is not valid.",
    ),
    ("forbidden", "Refused: {detail}."),
    (
        "google_error",
        "Google Calendar did not answer properly. Please try again in a moment.",
    ),
    (
        "google_scope_missing_contacts",
        "Google has not given this service permission to {permission}. Ask the user to spell the email address instead, or to press Allow contacts on the page.",
    ),
    (
        "google_scope_missing",
        "Google has not given this service permission to {permission}. Ask the user to sign in with Google again at the page and leave every permission ticked, then press Start again.",
    ),
    (
        "google_rate_limited",
        "Google Calendar is limiting requests right now. Try again in {seconds} seconds.",
    ),
    (
        "google_forbidden",
        "Google Calendar does not allow this change on that calendar or event.",
    ),
    (
        "google_timeout",
        "Google Calendar is taking too long to answer. Please try again in a moment.",
    ),
    ("invalid_argument", "{detail}"),
    (
        "invalid_json",
        "The tool arguments could not be read as a JSON object: {detail}.",
    ),
    (
        "unsupported_media_type",
        "The tool arguments must be sent as JSON (Content-Type: application/json).",
    ),
    (
        "payload_too_large",
        "The tool arguments are too large; they must be under 64 kilobytes.",
    ),
    (
        "rate_limited",
        "Too many requests right now. Try again in {seconds} seconds.",
    ),
    (
        "invite_limit",
        "This would send e-mails to more than {per_hour} people in an hour, the most allowed, so nothing was sent or changed. Try again in {minutes} minutes, or with fewer people.",
    ),
    ("not_found", "There is nothing at this address."),
    (
        "method_not_allowed",
        "This address does not accept that method.",
    ),
    (
        "not_configured",
        "The calendar service is not fully set up: {variable} is missing. The person running it needs to set it and restart.",
    ),
    (
        "store_unavailable",
        "The calendar service cannot reach its database right now. Please try again in a moment.",
    ),
    (
        "draining",
        "This instance is shutting down; another one takes the requests.",
    ),
    (
        "internal_error",
        "Something went wrong on the calendar service. Please try again.",
    ),
    (
        "anam_key_refused",
        "Anam refused the API key. Check ANAM_API_KEY.",
    ),
    (
        "anam_rate_limited",
        "Anam is limiting new sessions for this account right now. Try again in {seconds} seconds.",
    ),
    (
        "anam_refused",
        "Anam refused the session. Check that ANAM_AVATAR_ID, ANAM_VOICE_ID and ANAM_LLM_ID exist in your Anam account (`calendar-agent anam avatars`, `voices`, `llms` list them).",
    ),
    (
        "anam_unavailable",
        "Anam is not answering right now. Try again in a moment.",
    ),
    (
        "change_finishing",
        "Google has not confirmed the new series yet. I am finishing the change in the background over the next few minutes; if Google keeps refusing it, I will put the series back exactly as it was.",
    ),
    (
        "contacts_none_found",
        "Nobody in the user's contacts matches \"{query}\". Ask the user to spell the email address.",
    ),
    (
        "account_not_found",
        "That is not one of the Google accounts the user connected here. The accounts are named in list_events; leave account out to use the primary one.",
    ),
    (
        "account_last",
        "This is the only Google account connected, so it cannot be removed. Sign out instead, or use forget me to remove everything.",
    ),
    (
        "account_taken",
        "That Google account is already connected for someone else here, so it was not added. Sign in with it and use forget me there first.",
    ),
    (
        "account_unavailable",
        "I could not read this Google account just now, so its events are missing from this answer. {detail}",
    ),
    // What is wrong with an argument (inside invalid_argument).
    ("arg_required", "{argument} is required."),
    ("arg_string", "{argument} must be a string."),
    (
        "arg_too_long",
        "{argument} must be at most {max} characters.",
    ),
    (
        "arg_event_id",
        "{argument} is not an event id. Use the id list_events gave for the event.",
    ),
    ("arg_whole_number", "{argument} must be a whole number."),
    ("arg_true_false", "{argument} must be true or false."),
    (
        "arg_email_list",
        "{argument} must be a list of email addresses.",
    ),
    (
        "arg_not_email",
        "\"{text}\" in {argument} is not an email address. Ask the user to spell it.",
    ),
    ("arg_one_email", "{argument} must be one email address."),
    ("arg_one_of", "{argument} must be {listed} or {last}."),
    ("arg_the_word", "{argument} must be {last}."),
    ("end_after_start", "end must be after start."),
    (
        "event_too_long",
        "An event can be at most {days} days long.",
    ),
    (
        "no_such_event",
        "There is no event with that event_id on the calendar. Use list_events to find the event and its id.",
    ),
    (
        "attendees_too_many",
        "attendees can name at most {max} people at once.",
    ),
    (
        "attendees_none",
        "attendees must name at least one person other than the user.",
    ),
    ("move_needs", "{argument} is required to move an event."),
    (
        "series_no_start",
        "That series has no start I can read; change just this one (scope this).",
    ),
    (
        "series_all_day_date",
        "That series is all day: give the new day as a date (like 2030-03-13) to move every one, or move just this one to a time (scope this).",
    ),
    (
        "duration_positive",
        "duration_minutes must be a positive number of minutes.",
    ),
    (
        "duration_too_long",
        "duration_minutes must be at most {days} days.",
    ),
    (
        "duration_longer_than_window",
        "duration_minutes is longer than the window between window_start and window_end.",
    ),
    (
        "decline_message_ooo_only",
        "decline_message goes with kind out_of_office only.",
    ),
    (
        "location_needed",
        "kind working_location needs location: home, office or elsewhere.",
    ),
    (
        "location_wl_only",
        "location goes with kind working_location only.",
    ),
    (
        "location_label_wl_only",
        "location_label goes with kind working_location only.",
    ),
    (
        "invite_own_event",
        "The user organised this event, so there is no invitation to answer.",
    ),
    (
        "invite_not_guest",
        "The user is not a guest of this event, so there is no invitation to answer.",
    ),
    (
        "series_id_named",
        "That id names the whole series. For just one occurrence, or one and the ones after it, use the id list_events gave for that occurrence.",
    ),
    (
        "scope_needed",
        "This event repeats {words}. Ask the user whether to change just this one (scope this), this one and the ones after it (following), or all of them (all).",
    ),
    (
        "not_a_zone",
        "{argument} \"{text}\" is not an IANA time zone. Use a name such as America/New_York or Europe/London.",
    ),
    (
        "not_a_time",
        "{argument} \"{text}\" is not an ISO 8601 date and time. Use a form such as 2026-11-24T09:00:00 or 2026-11-24T09:00:00-05:00.",
    ),
    (
        "date_out_of_range",
        "{argument} is outside the supported range of dates.",
    ),
    (
        "window_end_before_start",
        "window_end must be after window_start.",
    ),
    (
        "window_too_long",
        "window_end is more than {days} days after window_start. Ask about a shorter period.",
    ),
    ("week_date", "week must be a date such as 2026-11-23."),
    // What can be done instead of a change to a series the guard refused.
    (
        "series_unreadable",
        "I can't rewrite that series safely: its repeat rule is not one I change. I can move or cancel just this one, or cancel all of them.",
    ),
    (
        "series_uncountable",
        "I can't count that series' occurrences safely. I can move just this one.",
    ),
    (
        "series_doubles",
        "That would put two of them at the same time. I can move just this one, or pick a time that does not land on another one.",
    ),
    (
        "series_wrong_day",
        "I can't move every one of them that way: this series repeats {words}, and no repeat rule puts each of them on the new day, so some would land on the wrong day. I can move just this one, or end the series here by cancelling this one and the ones after it.",
    ),
    // Words said inside other sentences: why a draft or change cannot be sent, what is being
    // sent, which kind of entry.
    (
        "unusable_not_theirs",
        "there is none with that id for this user",
    ),
    (
        "unusable_earlier_session",
        "it was made in an earlier session",
    ),
    ("unusable_already_sent", "it was already sent"),
    (
        "unusable_expired",
        "they last 15 minutes and this one has expired",
    ),
    ("unusable_unreadable", "it could not be read"),
    (
        "unusable_cancelled_since",
        "the meeting it made has since been cancelled",
    ),
    ("sending_invitations", "those invitations"),
    ("sending_change", "that change"),
    ("kind_hold", "a hold"),
    ("kind_focus", "focus time"),
    ("kind_out_of_office", "out-of-office entries"),
    ("kind_working_location", "working locations"),
    // What each Google permission allows; the word that joins a list.
    ("word_and", "and"),
    ("permission_events", "see and edit your calendar events"),
    ("permission_availability", "see when you are free or busy"),
    (
        "permission_settings",
        "read your calendar settings (your time zone)",
    ),
    ("permission_calendars", "see the list of your calendars"),
    ("permission_contacts", "search your contacts"),
    (
        "permission_other_contacts",
        "search the people you have emailed",
    ),
    // Why a sign-in or a page's request was refused.
    ("oauth_no_code", "Google's answer had no code or state"),
    (
        "oauth_cookie_missing",
        "the sign-in cookie is missing or expired (it lasts 10 minutes)",
    ),
    (
        "oauth_state_mismatch",
        "the state does not match this browser's sign-in",
    ),
    (
        "oauth_state_used",
        "this sign-in was already completed or has expired",
    ),
    (
        "forbidden_foreign_origin",
        "this must come from this site's own page",
    ),
];
