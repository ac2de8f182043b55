//! Who is calling, decided from the request's head before any body is read: the extractors
//! every route takes as arguments (a presigned tool URL, the signed sign-in cookie, the
//! page's own origin, the client's address behind trusted proxies).

pub(crate) mod client_ip;
pub mod current_user;
pub(crate) mod origin;
pub(crate) mod verified_user;
