//! Micro-benchmarks of the pure cores on every request path: presign sign and verify, and
//! persona building. Run: `cargo bench --bench core`. Target: verify well under 5 µs.

use std::hint::black_box;

use calendar_agent::Config;
use calendar_agent::calendar::Zone;
use calendar_agent::language::Language;
use calendar_agent::persona::{PersonaIds, Session, persona_config};
use calendar_agent::presign::{SignedParams, SigningKeys, presign_url, verify};
use calendar_agent::secret::Secret;
use criterion::{Criterion, criterion_group, criterion_main};
use jiff::Timestamp;

const BASE: &str = "https://demo.ngrok.app/api/calendar/list-events";
const NOW: u64 = 1_800_000_000;

fn presign(c: &mut Criterion) {
    let keys = SigningKeys::new(Secret::new("bench-presign-secret-7f3a91c2e8d45b60"));
    let rotated = SigningKeys {
        current: Secret::new("a-newer-secret-after-rotation-xx"),
        previous: Some(Secret::new("bench-presign-secret-7f3a91c2e8d45b60")),
    };
    let url = presign_url(&keys, BASE, "a+b@example.com", NOW + 3600);
    let query = url
        .split_once('?')
        .map(|(_, q)| q.to_owned())
        .unwrap_or_default();
    // Same length, one hex digit changed: the full HMAC runs before the refusal.
    let mut forged = query.clone();
    let last = if forged.ends_with('0') { "1" } else { "0" };
    forged.replace_range(forged.len() - 1.., last);

    let mut group = c.benchmark_group("presign");
    group.bench_function("sign", |b| {
        b.iter(|| {
            presign_url(
                black_box(&keys),
                BASE,
                black_box("a+b@example.com"),
                NOW + 3600,
            )
        })
    });
    group.bench_function("verify (parse query + HMAC)", |b| {
        b.iter(|| {
            let params = SignedParams::from_query(Some(black_box(&query))).expect("params");
            verify(black_box(&keys), BASE, &params, NOW).expect("valid")
        })
    });
    group.bench_function("verify forged", |b| {
        b.iter(|| {
            let params = SignedParams::from_query(Some(black_box(&forged))).expect("params");
            verify(black_box(&keys), BASE, &params, NOW).is_err()
        })
    });
    group.bench_function("verify with previous secret (two HMACs)", |b| {
        b.iter(|| {
            let params = SignedParams::from_query(Some(black_box(&query))).expect("params");
            verify(black_box(&rotated), BASE, &params, NOW).expect("valid")
        })
    });
    group.finish();
}

fn persona(c: &mut Criterion) {
    let vars = [
        ("PRESIGN_SECRET", "bench-presign-secret-7f3a91c2e8d45b60"),
        ("PUBLIC_BASE_URL", "https://demo.ngrok.app"),
        ("ANAM_AVATAR_ID", "avatar"),
        ("ANAM_VOICE_ID", "voice"),
        ("ANAM_LLM_ID", "llm"),
    ];
    let config = Config::from_lookup(|k| {
        vars.iter()
            .find(|(name, _)| *name == k)
            .map(|(_, v)| (*v).to_owned())
    })
    .expect("config");
    let ids = PersonaIds::from_config(&config).expect("ids");
    let zone = Zone::parse("America/New_York", "timezone").expect("zone");
    let now: Timestamp = "2026-11-22T20:30:00Z".parse().expect("now");
    // The day at Start as the prompt carries it at its largest (eight lines, 600 bytes).
    let line = "09:00-09:30 A meeting with a title long enough to fill the line\n";
    let agenda: String = line.repeat(8) + "and 4 more\n";
    let day = format!("The rest of today:\n{agenda}The next free hour: 15:00-16:00.\n");
    for (name, day) in [
        ("persona/build (every tool signed + prompt)", None),
        ("persona/build with the day at Start", Some(day.as_str())),
    ] {
        c.bench_function(name, |b| {
            b.iter(|| {
                let session = Session {
                    user_id: black_box("ada@example.com"),
                    zone: &zone,
                    now,
                    contacts: true,
                    language: Language::ENGLISH,
                    day,
                    accounts: &[],
                };
                persona_config(&config, &ids, &session)
            })
        });
    }
}

criterion_group!(benches, presign, persona);
criterion_main!(benches);
