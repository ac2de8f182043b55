//! `.env.example` is the list of settings: it must parse, be valid as copied, and name every
//! variable the configuration reads.

use std::collections::HashMap;

use calendar_agent::Config;

fn example() -> HashMap<String, String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/.env.example");
    dotenvy::from_filename_iter(path)
        .expect(".env.example exists")
        .map(|item| item.expect("valid line"))
        .collect()
}

#[test]
fn the_example_file_is_a_valid_configuration_as_copied() {
    let vars = example();
    let config = Config::from_lookup(|k| vars.get(k).cloned()).expect("valid as copied");
    assert_eq!(config.server.port, 3000);
    assert_eq!(config.server.public_base_url, "http://localhost:3000");
}

#[test]
fn every_variable_the_configuration_reads_is_documented() {
    let vars = example();
    let read = std::cell::RefCell::new(Vec::new());
    Config::from_lookup(|k| {
        read.borrow_mut().push(k.to_owned());
        None
    })
    .expect("defaults valid");
    let mut read = read.into_inner();
    read.push("RUST_LOG".into()); // read by the log filter, not the config
    // An old name still read for compatibility is documented under its new one.
    read.retain(|name| {
        !calendar_agent::config::RENAMED
            .iter()
            .any(|(old, new)| old == name && vars.contains_key(*new))
    });
    for name in read {
        assert!(
            vars.contains_key(&name),
            "{name} is missing from .env.example"
        );
    }
}
