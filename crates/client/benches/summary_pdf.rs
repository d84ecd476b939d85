//! Rendering the summary PDF (release build): size and time.

use criterion::{Criterion, criterion_group, criterion_main};
use espace_pro_client::pdf::summary_pdf;
use espace_pro_contract::api::SummaryData;

fn bench(c: &mut Criterion) {
    let data = SummaryData {
        civility: "Mme".into(),
        first_name: "Łukasz".into(),
        last_name: "Żółć".into(),
        subscriber_number: "20232330000101".parse().unwrap(),
        login_email: "lukasz.zolc@example.fr".into(),
        phone: "0123456789".into(),
        address: "12 rue de l'Église, 75016 Paris, FRANCE".into(),
        security_question: "Le prénom de votre conjoint(e) ?".into(),
        security_answer: "Hélène".into(),
    };
    let at = time::OffsetDateTime::UNIX_EPOCH;
    let size = summary_pdf(&data, at).unwrap().len();
    println!("summary PDF size: {size} bytes");
    c.bench_function("summary_pdf_render", |b| {
        b.iter(|| summary_pdf(&data, at).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
