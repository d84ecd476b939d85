//! What the second factor adds to a log-in (release build): checking a TOTP code (three
//! HMAC-SHA-1, one per step of drift) and a recovery code (one SHA-256), beside the Argon2
//! verification every log-in already makes. The code's check adds no hash of that kind.

use criterion::{Criterion, criterion_group, criterion_main};
use espace_pro_server::config::Argon2Config;
use espace_pro_server::crypto::PasswordHasher;
use espace_pro_server::totp::{code_at, matching_step, recovery_code_hash, step_of};

fn bench(c: &mut Criterion) {
    let secret = b"12345678901234567890";
    let now = time::OffsetDateTime::now_utc();
    let right = code_at(secret, step_of(now));
    c.bench_function("totp_right_code", |b| {
        b.iter(|| matching_step(secret, &right, now))
    });
    c.bench_function("totp_wrong_code", |b| {
        b.iter(|| matching_step(secret, "000000", now))
    });
    c.bench_function("recovery_code_hash", |b| {
        b.iter(|| recovery_code_hash(7, "ABCD-EFGH-JKLM-NPQR"))
    });
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let hasher = PasswordHasher::new(Argon2Config::default(), 1).unwrap();
    let stored = runtime
        .block_on(hasher.hash("Vert7Citron4Galop9Sable2"))
        .unwrap();
    let mut slow = c.benchmark_group("argon2");
    slow.sample_size(10);
    slow.bench_function("argon2_verify_default_cost", |b| {
        b.iter(|| {
            runtime
                .block_on(hasher.verify("Vert7Citron4Galop9Sable2", Some(&stored)))
                .unwrap()
        })
    });
    slow.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
