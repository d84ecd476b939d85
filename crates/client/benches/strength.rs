//! Worst cases of the live strength meter (release build): it runs on every keystroke, so no input
//! may take long. Long runs of one letter are zxcvbn's slowest case.

use criterion::{Criterion, criterion_group, criterion_main};
use espace_pro_client::strength::estimate;
use espace_pro_contract::{PasswordContext, PasswordPolicy};

fn bench(c: &mut Criterion) {
    let ctx = PasswordContext::new()
        .with("Lila")
        .with("Rosemonde")
        .with("20232330000101");
    let policy = PasswordPolicy::default();
    for (name, input) in [
        ("repeated_96", "a".repeat(96)),
        ("repeated_128", "a".repeat(128)),
        ("repeated_10000", "a".repeat(10_000)),
        (
            "words_spaces_128",
            "lila rosemonde 2023 ".repeat(7)[..128].to_owned(),
        ),
        ("digits_128", "2023233000010119".repeat(8)),
        (
            "keyboard_128",
            "azertyuiopqsdfghjklmwxcvbn".repeat(5)[..128].to_owned(),
        ),
        ("mixed_128", "aZ9!".repeat(32)),
        ("words_128", "RosemondeLila2023".repeat(8)),
        ("typical_24", "Vert7Citron4Galop9Sable2".to_owned()),
    ] {
        c.bench_function(&format!("strength_{name}"), |b| {
            b.iter(|| estimate(&input, &ctx, &policy))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
