//! What the tools share: the declaration every tool fills in ([`tool`]), the one handler that
//! serves them all ([`handler`]), the argument readers ([`args`]), sending what was read back
//! exactly once ([`send_once`]), several people's availability ([`availability`]), the plan
//! of a change to an event ([`change`]), and an event as the model and the page read it
//! ([`event_view`]).

pub(crate) mod args;
pub(crate) mod audit;
pub(crate) mod availability;
pub(crate) mod change;
pub(crate) mod event_view;
pub(crate) mod handler;
pub(crate) mod send_once;
pub(crate) mod tool;
