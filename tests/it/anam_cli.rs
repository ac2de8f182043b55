//! `calendar-agent anam avatars|voices|llms` against a fake Anam.

use calendar_agent::Config;
use calendar_agent::cli::{AnamList, anam_table};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn config(anam: &str, key: Option<&str>) -> Config {
    Config::from_lookup(|name| match name {
        "ANAM_API_BASE_URL" => Some(anam.to_owned()),
        "ANAM_API_KEY" => key.map(str::to_owned),
        _ => None,
    })
    .expect("config")
}

#[tokio::test]
async fn each_list_prints_ids_and_names_using_the_key() {
    let anam = MockServer::start().await;
    for (kind, id, name) in [
        ("avatars", "av-1", "Cara"),
        ("voices", "vo-1", "Warm"),
        ("llms", "llm-1", "Fast"),
    ] {
        Mock::given(method("GET"))
            .and(path(format!("/v1/{kind}")))
            .and(header("authorization", "Bearer k-123"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "data": [{"id": id, "displayName": name}], "meta": {"total": 1}
            })))
            .mount(&anam)
            .await;
    }
    let c = config(&anam.uri(), Some("k-123"));
    assert_eq!(
        anam_table(&c, AnamList::Avatars).await,
        Ok("ID    NAME\nav-1  Cara".into())
    );
    assert_eq!(
        anam_table(&c, AnamList::Voices).await,
        Ok("ID    NAME\nvo-1  Warm".into())
    );
    assert_eq!(
        anam_table(&c, AnamList::Llms).await,
        Ok("ID     NAME\nllm-1  Fast".into())
    );
}

#[tokio::test]
async fn a_missing_or_refused_key_is_explained() {
    let anam = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"message": "Invalid API key"})),
        )
        .mount(&anam)
        .await;
    let missing = anam_table(&config(&anam.uri(), None), AnamList::Avatars).await;
    assert!(missing.is_err_and(|e| e.contains("ANAM_API_KEY")));
    let refused = anam_table(&config(&anam.uri(), Some("bad")), AnamList::Avatars).await;
    assert!(refused.is_err_and(|e| e.contains("Invalid API key")));
}
