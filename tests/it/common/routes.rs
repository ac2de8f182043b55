//! The tool routes as docs/api.md spells them: the public interface, written out here (not
//! read from the code) so a route that moves fails the tests.

/// `list_events`.
pub const LIST: &str = "/api/calendar/list-events";
/// `find_free_time`.
pub const FREE: &str = "/api/calendar/freebusy";
/// `block_time`.
pub const BLOCK: &str = "/api/calendar/events";
/// `propose_change`.
pub const PROPOSE: &str = "/api/calendar/change-proposals";
/// `apply_change`.
pub const APPLY: &str = "/api/calendar/changes";
/// `respond_to_invite`.
pub const RESPOND: &str = "/api/calendar/invites/respond";
/// `get_contacts`.
pub const CONTACTS: &str = "/api/contacts/search";
/// `draft_meeting`.
pub const DRAFTS: &str = "/api/calendar/meeting-drafts";
/// `create_meeting`.
pub const MEETINGS: &str = "/api/calendar/meetings";
