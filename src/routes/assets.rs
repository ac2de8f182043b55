//! The page's CSS and JS, embedded in the binary (so `cargo run` works from any directory) and
//! served with an ETag: browsers revalidate and get 304 until the binary changes.

use std::sync::LazyLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use crate::error::{Error, Input};
use crate::state::AppState;

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static str,
}

const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

/// Each asset by its name under `static/`.
macro_rules! assets {
    ($($dir:literal / $name:literal: $type:ident),*) => {
        &[$(Asset {
            name: $name,
            content_type: $type,
            body: include_str!(concat!("../../static/", $dir, "/", $name)),
        }),*]
    };
}

const ASSETS: &[Asset] = assets!(
    "css" / "app.css": CSS,
    "js" / "page.mjs": JS,
    "js" / "session.mjs": JS,
    "js" / "week.mjs": JS
);

/// A short hash of every asset: the page's cache-busting `?v=` and the ETag.
pub(super) static VERSION: LazyLock<String> = LazyLock::new(|| {
    let mut hash = Sha256::new();
    for asset in ASSETS {
        hash.update(asset.name.as_bytes());
        hash.update(asset.body.as_bytes());
    }
    hex::encode(&hash.finalize()[..8])
});

/// Routes of this area.
pub(super) fn router() -> Router<AppState> {
    Router::new().route("/static/{name}", get(asset))
}

async fn asset(Path(name): Path<String>, headers: HeaderMap) -> Response {
    let Some(asset) = ASSETS.iter().find(|a| a.name == name) else {
        return Error::Input(Input::NotFound).into_response();
    };
    let etag = format!("\"{}\"", *VERSION);
    let cache = [
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        (
            header::ETAG,
            HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"0\"")),
        ),
    ];
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    if matches {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    (
        cache,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        asset.body,
    )
        .into_response()
}
