//! Shared application state handed to every handler and extractor.

use std::sync::Arc;

use crate::config::Config;

/// Cheap to clone: everything inside is shared.
#[derive(Clone)]
pub struct AppState {
    /// The configuration read at start-up.
    pub config: Arc<Config>,
}

impl AppState {
    /// Builds the state from a configuration.
    pub fn new(config: Config) -> Self {
        Self {
            config: Arc::new(config),
        }
    }
}
